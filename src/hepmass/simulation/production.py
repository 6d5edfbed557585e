"""One simulation run: validate, generate in chunks, select, write the outputs."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from hepmass.progress import bar_options
from hepmass.simulation import manifest, writer
from hepmass.simulation.config import SimulationConfig, validate_config
from hepmass.simulation.generator import FILTER_SETTINGS, Process, versions
from hepmass.simulation.validation import plot_validation
from hepmass.simulation.workers import chunk_task, make_plans, run_chunks

log = logging.getLogger(__name__)

FIGURE_FILE = "validation.png"
ROW_ORDER_KEY = 2**31
"""Spawn-key entry of the random stream for background masses, shuffle and split."""


class _Progress:
    """A tqdm bar over selected events that never runs past its total."""

    def __init__(self, total: int, enabled: bool) -> None:
        from tqdm.auto import tqdm

        options = bar_options() if enabled else {"disable": True}
        self.bar = tqdm(total=total, unit="event", desc="simulate", **options)

    def update(self, n: int) -> None:
        self.bar.update(max(0, min(n, self.bar.total - self.bar.n)))

    def close(self) -> None:
        self.bar.close()


def simulate(config: SimulationConfig, progress: bool = True) -> dict:
    """Generate the sample that ``config`` asks for and write it to ``config.out``.

    Returns the manifest (also written as ``manifest.json``).
    """
    validate_config(config)
    start = time.perf_counter()
    processes = [Process(float(m)) for m in config.masses] + [Process(None)]
    targets = [config.shard_share(config.signal_events)] * len(config.masses)
    targets.append(config.shard_share(config.background_events))
    log.info("generating %s selected events over %d worker(s)",
             " + ".join(map(str, targets)), config.workers)

    def make_task(process, index):
        return chunk_task(process, index, config.seed, config.shard,
                          config.chunk_size, config.energy, config.mpi)

    plans = make_plans(processes, targets)
    bar = _Progress(sum(targets), progress)
    try:
        run_chunks(plans, make_task, config.chunk_size, config.workers, bar)
    finally:
        bar.close()

    rng = np.random.default_rng(
        np.random.SeedSequence(config.seed, spawn_key=(*config.shard, ROW_ORDER_KEY))
    )
    record = manifest.base_record(config, versions())
    record["processes"] = []
    parts = []
    for plan in plans:
        used = plan.used()
        features = np.concatenate([c.features for c in used])[: plan.target]
        parts.append(_label(plan.process, features, config.masses, rng))
        settings = plan.process.settings(config.energy, config.mpi, seed=None)
        settings += list(FILTER_SETTINGS)
        record["processes"].append(
            manifest.process_record(plan.process, used, len(features), settings)
        )

    splits = split_parts(parts, config.test_fraction, rng)
    if config.out.exists() and config.force:
        _clear_outputs(config.out)
    config.out.mkdir(parents=True, exist_ok=True)
    record["wall_seconds"] = round(time.perf_counter() - start, 1)
    write_outputs(config.out, splits, record, _title(config))
    return record


def _label(process: Process, features: np.ndarray, masses, rng):
    n = len(features)
    if process.is_signal:
        return features, np.ones(n), np.full(n, process.mass)
    # Background has no mass of its own: like the published files it gets a
    # mass drawn at random from the signal masses.
    return features, np.zeros(n), rng.choice(np.asarray(masses, dtype=float), size=n)


def split_parts(parts: list, test_fraction: float, rng) -> dict[str, tuple]:
    """Shuffle each process's events and split off ``test_fraction`` of each.

    Returns ``{"train": ..., "test": ...}`` or ``{"events": ...}`` with
    ``(features, labels, mass)`` per split, rows shuffled.
    """
    names = ("train", "test") if test_fraction > 0 else ("events",)
    pieces: dict[str, list] = {name: [] for name in names}
    for features, labels, mass in parts:
        order = rng.permutation(len(features))
        n_test = int(round(test_fraction * len(features)))
        chosen = {"train": order[n_test:], "test": order[:n_test], "events": order}
        for name in names:
            rows = chosen[name]
            pieces[name].append((features[rows], labels[rows], mass[rows]))
    splits = {}
    for name, chunks in pieces.items():
        joined = [np.concatenate(column) for column in zip(*chunks)]
        order = rng.permutation(len(joined[0]))
        splits[name] = tuple(column[order] for column in joined)
    return splits


def write_outputs(out: Path, splits: dict, record: dict, title: str) -> None:
    """Write csv.gz, Parquet, standardization, figure and manifest into ``out``.

    The standardization is computed over every split together, so train
    and test files share it.
    """
    everything = np.concatenate([s[0] for s in splits.values()])
    constants = writer.standardization(everything)
    writer.write_standardization(out / writer.STANDARDIZATION_FILE, constants)
    for name, (features, labels, mass) in splits.items():
        writer.write_uci(out / f"{name}.csv.gz", features, labels, mass, constants)
        writer.write_parquet(out / f"{name}.parquet", features, labels, mass)

    labels = np.concatenate([s[1] for s in splits.values()])
    mass = np.concatenate([s[2] for s in splits.values()])
    plot_validation(out / FIGURE_FILE, everything, labels, mass, title)
    record["files"] = {name: {"csv": f"{name}.csv.gz", "parquet": f"{name}.parquet",
                              "events": int(len(split[1])),
                              "signal": int(split[1].sum())}
                       for name, split in splits.items()}
    record["standardization_file"] = writer.STANDARDIZATION_FILE
    manifest.write_manifest(out / manifest.MANIFEST_FILE, record)
    log.info("wrote %d events to %s", len(labels), out)


def _clear_outputs(out: Path) -> None:
    """Remove the files a previous run wrote into ``out`` (only those), for --force."""
    names = [FIGURE_FILE, writer.STANDARDIZATION_FILE, manifest.MANIFEST_FILE]
    for split in ("train", "test", "events"):
        names += [f"{split}.csv.gz", f"{split}.parquet"]
    for name in names:
        (out / name).unlink(missing_ok=True)


def _title(config: SimulationConfig) -> str:
    mpi = "MPI on" if config.mpi else "MPI off"
    return (f"hepmass simulate: pp at {config.energy / 1000:g} TeV, {mpi}, "
            f"seed {config.seed}")
