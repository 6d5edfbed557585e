"""Join shards made with ``--shard K/N`` into one sample.

The Parquet files (physical units) of every shard are concatenated split by
split, and the standardization is computed again over the union, so the
merged csv.gz files share one set of constants.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from hepmass.errors import ConfigurationError
from hepmass.simulation import manifest, writer
from hepmass.simulation.production import _clear_outputs, write_outputs

log = logging.getLogger(__name__)

MUST_AGREE = ("seed", "energy_gev", "mpi", "masses_gev", "test_fraction", "chunk_size")


def read_shard(folder: Path) -> dict:
    """Return a shard's manifest, checking that its files are there."""
    path = folder / manifest.MANIFEST_FILE
    if not path.is_file():
        raise ConfigurationError(
            f"{folder} is not a simulation output: {manifest.MANIFEST_FILE} not found"
        )
    record = json.loads(path.read_text())
    for name, files in record["files"].items():
        if not (folder / files["parquet"]).is_file():
            raise ConfigurationError(
                f"shard {folder} lacks {files['parquet']}; the merge needs the "
                "Parquet files that hepmass simulate writes"
            )
    return record


def check_shards(records: list[dict], folders: list[Path]) -> None:
    """Raise ConfigurationError unless the shards belong to one production."""
    first = records[0]
    for record, folder in zip(records[1:], folders[1:]):
        for key in MUST_AGREE:
            if record[key] != first[key]:
                raise ConfigurationError(
                    f"shard {folder} has {key} = {record[key]!r} but {folders[0]} "
                    f"has {first[key]!r}; merge only shards of one production"
                )
        if set(record["files"]) != set(first["files"]):
            raise ConfigurationError(
                f"shard {folder} has other splits than {folders[0]}"
            )
    seen: dict[tuple, Path] = {}
    for record, folder in zip(records, folders):
        key = (record["shard"]["index"], record["shard"]["count"])
        if key in seen:
            raise ConfigurationError(
                f"{folder} and {seen[key]} are the same shard {key[0]}/{key[1]}: "
                "their events would repeat"
            )
        seen[key] = folder


def merge_shards(folders: list[Path], out: Path, force: bool = False) -> dict:
    """Merge shard folders into ``out``; return the merged manifest."""
    if not folders:
        raise ConfigurationError("merge needs at least one shard folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ConfigurationError(
            f"--out {out} is not empty; choose a new folder or pass --force"
        )
    if any(out.resolve() == f.resolve() for f in folders):
        raise ConfigurationError(f"--out {out} must differ from the shard folders")
    start = time.perf_counter()
    records = [read_shard(f) for f in folders]
    check_shards(records, folders)

    splits = {}
    for name, files in records[0]["files"].items():
        parts = [writer.read_parquet(f / r["files"][name]["parquet"])
                 for f, r in zip(folders, records)]
        splits[name] = tuple(np.concatenate(column) for column in zip(*parts))

    merged = {key: records[0][key] for key in MUST_AGREE}
    merged["shards"] = [{"folder": str(f), **r} for f, r in zip(folders, records)]
    merged["processes"] = _sum_processes(records)
    if out.exists() and force:
        _clear_outputs(out)
    out.mkdir(parents=True, exist_ok=True)
    merged["wall_seconds"] = round(time.perf_counter() - start, 1)
    write_outputs(out, splits, merged, f"hepmass simulate merge: {len(folders)} shards")
    return merged


def _sum_processes(records: list[dict]) -> list[dict]:
    totals: dict[str, dict] = {}
    for record in records:
        for process in record["processes"]:
            total = totals.setdefault(
                process["process"],
                {"process": process["process"], "mass_gev": process["mass_gev"],
                 "events_generated": 0, "events_selected": 0, "events_written": 0,
                 "sigma_times_generated": 0.0},
            )
            for key in ("events_generated", "events_selected", "events_written"):
                total[key] += process[key]
            total["sigma_times_generated"] += (
                process["cross_section_pb"] * process["events_generated"]
            )
    for total in totals.values():
        total["cross_section_pb"] = (total.pop("sigma_times_generated")
                                     / total["events_generated"])
        total["selection_efficiency"] = (total["events_selected"]
                                         / total["events_generated"])
    return list(totals.values())
