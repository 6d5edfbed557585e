"""Compare the speed and peak memory of ways to read one HEPMASS .csv.gz file.

Every measurement runs in a fresh Python process, one after the other, so the
peak resident set size (``ru_maxrss``) belongs to that step alone and no step
inherits a warm allocator from another. The page cache stays warm: the file
is read once before timing starts, so disk speed does not enter.

Usage::

    python benchmarks/make_hepmass_files.py --rows 1000000 --out benchmarks/data
    python benchmarks/read_speed.py benchmarks/data/all_1000000.csv.gz

pandas and polars are optional and skipped when missing; neither is a
dependency of hepmass.

hepmass scans the text with a kernel compiled by numba. Like the imports,
loading that kernel happens before the clock starts: it is a fixed cost of
each process, not of the file (0.2 s, or 0.9 s where packages such as
``vector`` hook into numba, since numba imports them on its first call).
The table prints it on a line of its own. The very first call after
installation compiles the kernel (about 2.5 s) and caches it on disk.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

STEPS = {
    "isal": "isal.igzip_threaded decompression alone",
    "zcat": "zcat > /dev/null",
    "pandas": "pandas.read_csv (C engine, float32)",
    "polars": "polars.read_csv (float32)",
    "first": "hepmass read_events, first read",
    "cached": "hepmass read_events, from cache",
}


def _run_step(step: str, path: Path, cache_dir: Path) -> dict[str, float]:
    """Run one step in this process; return seconds and bytes it processed.

    Modules are imported before the clock starts, so import time is excluded.
    """
    import numpy as np
    from isal import igzip_threaded

    from hepmass.data import read_events

    pd = pl = None
    if step == "pandas":
        import pandas as pd
    if step == "polars":
        import polars as pl
    load_seconds = 0.0
    if step in ("first", "cached"):
        from hepmass.data import scan

        load_began = time.perf_counter()
        scan.load()
        load_seconds = time.perf_counter() - load_began

    began = time.perf_counter()
    processed = 0
    if step == "isal":
        with igzip_threaded.open(path, "rb") as stream:
            while chunk := stream.read(1 << 22):
                processed += len(chunk)
    elif step == "zcat":
        subprocess.run(["zcat", str(path)], stdout=subprocess.DEVNULL, check=True)
    elif step == "pandas":
        frame = pd.read_csv(path, skiprows=1, header=None, dtype=np.float32)
        processed = frame.shape[0]
    elif step == "polars":
        width = _row_width(path)
        frame = pl.read_csv(path, has_header=False, skip_rows=1,
                            schema_overrides=[pl.Float32] * width)
        processed = frame.height
    else:
        events = read_events(path, cache_dir=cache_dir)
        processed = len(events) * (28 + events.has_mass) * 4
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if step == "zcat":
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"seconds": seconds, "processed": processed, "peak_bytes": peak,
            "load_seconds": load_seconds}


def _row_width(path: Path) -> int:
    """Return the number of values in the first data row."""
    from isal import igzip_threaded

    with igzip_threaded.open(path, "rb") as stream:
        stream.readline()
        return stream.readline().count(b",") + 1


def _measure(
    step: str, path: Path, cache_root: Path, repeats: int
) -> dict[str, float]:
    """Run ``step`` ``repeats`` times in subprocesses; keep the fastest run.

    Each first read gets an empty cache folder of its own. The cached read
    uses the folder of the first run of the first read.
    """
    best: dict[str, float] | None = None
    for run in range(repeats):
        cache_dir = cache_root / (f"first{run}" if step == "first" else "first0")
        output = subprocess.run(
            [sys.executable, __file__, "--step", step, "--cache-dir", str(cache_dir),
             str(path)],
            check=True, capture_output=True, text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    assert best is not None
    return best


def _warm_page_cache(path: Path) -> None:
    """Read ``path`` once in small pieces.

    Reading it whole would raise this process's peak RSS, and Linux passes
    that peak on to every child started afterwards, spoiling their numbers.
    """
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass


def _available(step: str) -> bool:
    if step == "zcat":
        return shutil.which("zcat") is not None
    if step in ("pandas", "polars"):
        try:
            __import__(step)
        except ImportError:
            return False
    return True


def _report(path: Path, results: dict[str, dict[str, float]]) -> None:
    compressed = path.stat().st_size
    text = results["isal"]["processed"]
    baseline = results["isal"]["seconds"]
    ours = results["first"]["seconds"]
    print(f"file: {path} ({compressed / 1e6:.1f} MB gzip, {text / 1e6:.1f} MB text)")
    print(f"CPU cores: {os.cpu_count()}, Python {sys.version.split()[0]}")
    print(f"{'step':<42}{'seconds':>9}{'MB/s':>9}{'x isal':>8}{'x ours':>8}"
          f"{'peak MB':>9}")
    for step, result in results.items():
        seconds = result["seconds"]
        # Throughput is text bytes per second, except for the cache, where it
        # is float32 bytes per second.
        processed = result["processed"] if step == "cached" else text
        print(f"{STEPS[step]:<42}{seconds:>9.2f}{processed / seconds / 1e6:>9.0f}"
              f"{seconds / baseline:>8.2f}{seconds / ours:>8.2f}"
              f"{result['peak_bytes'] / 1e6:>9.0f}")
    if "first" in results:
        load = results["first"]["load_seconds"]
        print(f"{'(hepmass scanner load, once per process)':<42}{load:>9.2f}")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--repeats", type=click.IntRange(min=1), default=2, show_default=True,
              help="Runs per step; the fastest is reported.")
@click.option("--only", type=click.Choice(list(STEPS)), multiple=True,
              help="Measure only these steps (repeatable); default: all of them.")
@click.option("--step", type=click.Choice(list(STEPS)), hidden=True)
@click.option("--cache-dir", type=click.Path(path_type=Path), hidden=True)
def main(path: Path, repeats: int, only: tuple[str, ...], step: str | None,
         cache_dir: Path | None) -> None:
    """Time each way of reading PATH and print one table."""
    if step is not None:
        print(json.dumps(_run_step(step, path, cache_dir or Path("."))))
        return

    steps = [name for name in (only or STEPS) if _available(name)]
    if "first" in steps or "cached" in steps:
        steps = [s for s in steps if s not in ("first", "cached")] + ["first", "cached"]
    if "isal" not in steps:
        steps.insert(0, "isal")
    if "first" not in steps:
        steps.append("first")
    _warm_page_cache(path)
    with tempfile.TemporaryDirectory(prefix="hepmass-bench-") as directory:
        results = {}
        for name in steps:
            results[name] = _measure(name, path, Path(directory), repeats)
            print(f"  {STEPS[name]}: {results[name]['seconds']:.2f} s", file=sys.stderr)
    _report(path, results)


if __name__ == "__main__":
    main()
