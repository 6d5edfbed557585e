"""``hepmass run`` on files of the real size: 7M training and 3.5M test rows.

Generates the two HEPMASS-layout files if they are missing (with
``make_hepmass_files.py``; their values are random, so the AUC is 0.5 and
only time and memory are meaningful), then runs ``hepmass run`` twice in a
child process: first with an empty cache (the CSV text is parsed), then with
the cache filled. Prints the wall time and the peak resident memory of each.

Usage::

    python benchmarks/full_size.py [--model baseline] [--train-rows 7000000]
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

HERE = Path(__file__).parent
DATA = HERE / "data"


def ensure_file(rows: int, seed: int) -> Path:
    path = DATA / f"all_{rows}.csv.gz"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "make_hepmass_files.py"), "--rows", str(rows),
             "--out", str(DATA), "--seed", str(seed)],
            check=True,
        )
    return path


def measured_run(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Run ``command`` in a fresh wrapper; return wall seconds and peak RSS in GB."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(f'{time.perf_counter() - start} {peak}', file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", wrapper, *command], env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(f"run failed:\n{completed.stderr[-3000:]}")
    seconds, peak_kb = completed.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(peak_kb) / 1e6


@click.command()
@click.option("--model", default="baseline", show_default=True,
              help="Model passed to hepmass run.")
@click.option("--train-rows", default=7_000_000, show_default=True)
@click.option("--test-rows", default=3_500_000, show_default=True)
@click.option("--extra", default="", help="More options for hepmass run, quoted.")
def main(model: str, train_rows: int, test_rows: int, extra: str) -> None:
    """Time hepmass run on full-size files, with an empty and a filled cache."""
    train = ensure_file(train_rows, seed=0)
    test = ensure_file(test_rows, seed=1)
    cache = tempfile.mkdtemp(prefix="hepmass-full-size-")
    environment = {**os.environ, "HEPMASS_CACHE_DIR": cache, "TQDM_DISABLE": "1"}
    out = Path(tempfile.mkdtemp(prefix="hepmass-full-run-"))
    command = [sys.executable, "-m", "hepmass", "--quiet", "run", "--model", model,
               "--train", str(train), "--test", str(test), "--out", str(out),
               "--force", *extra.split()]

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; "
          f"model {model}; {train_rows:,} train + {test_rows:,} test rows")
    print(f"{'cache':<8}{'wall s':>10}{'peak GB':>10}")
    for label in ("empty", "filled"):
        seconds, peak = measured_run(command, environment)
        print(f"{label:<8}{seconds:>10.1f}{peak:>10.2f}")
    started = time.strftime("%Y-%m-%d")
    print(f"date: {started}; command: python benchmarks/full_size.py --model {model}")


if __name__ == "__main__":
    main()
