"""The manifest: how a sample was made, written beside it as JSON."""

from __future__ import annotations

import json
import logging
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"


def process_record(process, chunks: list, n_written: int, settings: list[str]) -> dict:
    """Summarize the used chunks of one process.

    The cross section is the chunks' average weighted by generated events,
    already multiplied by the W-decay filter fraction, in pb.
    """
    generated = sum(c.n_generated for c in chunks)
    selected = sum(len(c.features) for c in chunks)
    weights = np.array([c.n_generated for c in chunks], dtype=float)
    sigma = float(np.average([c.sigma_pb for c in chunks], weights=weights))
    error = float(np.sqrt(np.sum((weights * [c.sigma_error_pb for c in chunks]) ** 2))
                  / weights.sum())
    return {
        "process": process.name,
        "mass_gev": process.mass,
        "pythia_settings": settings,
        "chunks": len(chunks),
        "pythia_seeds": [c.task.pythia_seed for c in chunks],
        "events_generated": generated,
        "events_one_lepton": sum(c.n_lepton for c in chunks),
        "events_selected": selected,
        "events_written": n_written,
        "selection_efficiency": selected / generated,
        "real_neutrino_fraction": float(
            np.mean(np.concatenate([c.real_neutrino for c in chunks]))
        ),
        "filter_fraction": chunks[0].filter_fraction,
        "cross_section_pb": sigma,
        "cross_section_error_pb": error,
        "selected_cross_section_pb": sigma * selected / generated,
        "cpu_seconds": sum(c.seconds for c in chunks),
    }


def base_record(config, versions: dict) -> dict:
    """Return the run-level part of the manifest."""
    return {
        "command_line": config.command_line,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu": _cpu_model(),
                    "python": platform.python_version()},
        "versions": versions,
        "seed": config.seed,
        "shard": {"index": config.shard[0], "count": config.shard[1]},
        "workers": config.workers,
        "energy_gev": config.energy,
        "mpi": config.mpi,
        "chunk_size": config.chunk_size,
        "test_fraction": config.test_fraction,
        "masses_gev": list(config.masses),
        "events_requested": {
            "signal_per_mass": config.shard_share(config.signal_events),
            "background": config.shard_share(config.background_events),
        },
        "events_meaning": "selected events (after the full selection)",
    }


def write_manifest(path: Path, record: dict) -> None:
    """Write the manifest as indented JSON."""
    path.write_text(json.dumps(record, indent=2) + "\n")
    log.debug("wrote %s", path)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
