"""Join shards made with ``--shard K/N`` into one sample.

The Parquet files (physical units) of every shard are concatenated split by
split, and the standardization is computed again over the union, so the
merged csv.gz files share one set of constants.
"""

from __future__ import annotations

import json
import logging
import shlex
import time
import warnings
from pathlib import Path

import numpy as np

from hepmass.errors import ConfigurationError, HepmassWarning, SimulationError
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
    count = first["shard"]["count"]
    for record, folder in zip(records[1:], folders[1:]):
        if record["shard"]["count"] != count:
            raise ConfigurationError(
                f"shard {folder} is one of {record['shard']['count']} shards but "
                f"{folders[0]} is one of {count}; merge only shards of one production"
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


def missing_shards(records: list[dict]) -> list[int]:
    """Return the indices of the shards of the production that ``records`` lack."""
    count = records[0]["shard"]["count"]
    present = {record["shard"]["index"] for record in records}
    return [index for index in range(1, count + 1) if index not in present]


def _shard_command(command_line: str, index: int, count: int) -> str:
    """Return ``command_line`` with ``--shard index/count`` and a placeholder --out."""
    words = shlex.split(command_line)
    result: list[str] = []
    skip_value = False
    for word in words:
        if skip_value:
            skip_value = False
        elif word in ("--shard", "--out"):
            skip_value = True
        elif not word.startswith(("--shard=", "--out=")):
            result.append(word)
    return shlex.join(result + ["--shard", f"{index}/{count}", "--out", "NEW_FOLDER"])


def check_complete(records: list[dict], folders: list[Path], allow_partial: bool) -> None:
    """Raise SimulationError when shards are missing, unless ``allow_partial``.

    With ``allow_partial`` a missing shard only gives a HepmassWarning.
    """
    missing = missing_shards(records)
    if not missing:
        return
    count = records[0]["shard"]["count"]
    plural = "s" if len(missing) > 1 else ""
    names = f"shard{plural} " + ", ".join(f"{index}/{count}" for index in missing)
    present = ", ".join(
        f"{folder} ({record['shard']['index']}/{count})"
        for folder, record in zip(folders, records)
    )
    if allow_partial:
        warnings.warn(
            f"merging {len(records)} of {count} shards without {names}, so the "
            "merged sample has fewer events than the production requested. Its "
            "manifest.json lists the missing shards under missing_shards.",
            HepmassWarning,
            stacklevel=3,
        )
        return
    command = records[0].get("command_line")
    if command:
        instructions = f"with the command{plural} below"
        commands = "".join(
            "\n  " + _shard_command(command, index, count) for index in missing
        )
    else:
        shard_options = ", ".join(f"--shard {index}/{count}" for index in missing)
        instructions = f"with the settings of these shards and {shard_options}"
        commands = ""
    raise SimulationError(
        f"{names} missing: the folders given contain only {present}. Make the "
        f"missing shard{plural} {instructions} and merge all {count} folders, or "
        f"pass --allow-partial to merge only the shards present.{commands}"
    )


def merge_shards(
    folders: list[Path], out: Path, force: bool = False, allow_partial: bool = False
) -> dict:
    """Merge shard folders into ``out``; return the merged manifest.

    Raises SimulationError when shards of the production are missing, unless
    ``allow_partial`` is set. The manifest lists them under ``missing_shards``.
    """
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
    check_complete(records, folders, allow_partial)

    splits = {}
    for name, files in records[0]["files"].items():
        parts = [writer.read_parquet(f / r["files"][name]["parquet"])
                 for f, r in zip(folders, records)]
        splits[name] = tuple(np.concatenate(column) for column in zip(*parts))

    merged = {key: records[0][key] for key in MUST_AGREE}
    merged["shard_count"] = records[0]["shard"]["count"]
    merged["missing_shards"] = missing_shards(records)
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
