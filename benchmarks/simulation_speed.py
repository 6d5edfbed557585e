"""Measure simulation speed per core: generation alone and the whole chain.

Runs in one process (one core) and prints generated events per second for
t tbar background and a 1000 GeV signal, with MPI on and off:

    python benchmarks/simulation_speed.py --events 500

"whole chain" is Pythia generation plus the lepton, jet, detector,
selection and mass code of hepmass.simulation; "generation" is
``Pythia.nextBatch`` alone. Results depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from hepmass.simulation.chain import process_batch
from hepmass.simulation.generator import Process, build_pythia


def measure(process: Process, mpi: bool, events: int, chain: bool) -> float:
    """Return generated events per second for one configuration (after init)."""
    pythia, hook = build_pythia(process, 14000.0, mpi, seed=12345)
    pythia.nextBatch(20)  # warm-up outside the clock
    start = time.perf_counter()
    batch = pythia.nextBatch(events)
    if chain:
        process_batch(batch, np.random.default_rng(1))
    del hook
    return events / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500,
                        help="generated events per measurement (default 500)")
    args = parser.parse_args()

    print(f"machine: {platform.processor() or platform.machine()}, one process, "
          f"{args.events} events per cell, 14 TeV")
    print(f"{'process':<14}{'MPI':<5}{'generation':>12}{'whole chain':>13}{'ratio':>8}")
    for process in (Process(None), Process(1000.0)):
        for mpi in (True, False):
            generation = measure(process, mpi, args.events, chain=False)
            whole = measure(process, mpi, args.events, chain=True)
            print(f"{process.name:<14}{'on' if mpi else 'off':<5}"
                  f"{generation:>10.0f}/s{whole:>11.0f}/s{whole / generation:>8.2f}")


if __name__ == "__main__":
    main()
