"""Seeded chunks of generation and their parallel execution.

Each process (a signal mass or the background) is generated in chunks of a
fixed number of events. Chunk ``i`` of a process gets its seeds from
``numpy.random.SeedSequence(seed, spawn_key=(shard, shard_count, code, i))``,
so its events depend only on the base seed, the shard and the chunk, never
on the number of workers. Chunks are generated in order until the selected
events reach the request; surplus chunks that finished early are dropped.
"""

from __future__ import annotations

import concurrent.futures as futures
import logging
import multiprocessing
import time
from dataclasses import dataclass

import numpy as np

from hepmass.errors import SimulationError
from hepmass.simulation.config import PYTHIA_SEED_MAX

log = logging.getLogger(__name__)

FIRST_GUESS_EFFICIENCY = 0.3
"""Selection efficiency assumed before a process's first chunk returns."""


@dataclass(frozen=True)
class ChunkTask:
    """One chunk: ``size`` generated events of ``process`` with fixed seeds."""

    process: object
    index: int
    size: int
    energy: float
    mpi: bool
    pythia_seed: int
    detector_entropy: tuple[int, ...]


@dataclass
class ChunkResult:
    """Selected events and bookkeeping of one chunk (cross sections in pb)."""

    task: ChunkTask
    features: np.ndarray
    real_neutrino: np.ndarray
    n_generated: int
    n_tried: int
    n_lepton: int
    sigma_pb: float
    sigma_error_pb: float
    filter_fraction: float
    seconds: float


def chunk_task(
    process, index: int, seed: int, shard: tuple[int, int], size: int,
    energy: float, mpi: bool,
) -> ChunkTask:
    """Build chunk ``index`` of ``process`` with seeds derived from ``seed``."""
    key = (shard[0], shard[1], process.code, index)
    sequence = np.random.SeedSequence(seed, spawn_key=key)
    pythia_sequence, detector_sequence = sequence.spawn(2)
    pythia_seed = int(pythia_sequence.generate_state(1, np.uint64)[0]
                      % PYTHIA_SEED_MAX) + 1
    entropy = tuple(int(x) for x in detector_sequence.generate_state(4))
    return ChunkTask(process, index, size, energy, mpi, pythia_seed, entropy)


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Generate and process one chunk in this process (a fresh Pythia per chunk).

    A fresh Pythia per chunk keeps a chunk's events independent of what the
    same worker generated before, at the cost of one initialization (well
    under a second).
    """
    from hepmass.simulation.chain import process_batch
    from hepmass.simulation.generator import build_pythia, semileptonic_fraction

    start = time.perf_counter()
    pythia, hook = build_pythia(task.process, task.energy, task.mpi, task.pythia_seed)
    batch = pythia.nextBatch(task.size)
    if len(batch) == 0:
        raise SimulationError(
            f"Pythia produced no events for {task.process.name} "
            f"(chunk {task.index}, seed {task.pythia_seed})"
        )
    result = process_batch(batch, np.random.default_rng(list(task.detector_entropy)))
    info = pythia.infoPython()
    fraction = semileptonic_fraction(pythia)
    del hook

    return ChunkResult(
        task=task,
        features=result.features,
        real_neutrino=result.real_neutrino,
        n_generated=len(batch),
        n_tried=int(info.nTried()),
        n_lepton=result.n_lepton,
        sigma_pb=info.sigmaGen() * 1e9 * fraction,
        sigma_error_pb=info.sigmaErr() * 1e9 * fraction,
        filter_fraction=fraction,
        seconds=time.perf_counter() - start,
    )


class _Plan:
    """Chunks of one process: which to submit next and when there are enough."""

    def __init__(self, process, target: int) -> None:
        self.process = process
        self.target = target
        self.next_index = 0
        self.done: dict[int, ChunkResult] = {}
        self.in_flight = 0

    def contiguous(self) -> list[ChunkResult]:
        chunks = []
        while len(chunks) in self.done:
            chunks.append(self.done[len(chunks)])
        return chunks

    def selected(self) -> int:
        return sum(len(c.features) for c in self.contiguous())

    def efficiency(self) -> float:
        generated = sum(c.n_generated for c in self.done.values())
        selected = sum(len(c.features) for c in self.done.values())
        return selected / generated if generated else FIRST_GUESS_EFFICIENCY

    def expected(self, size: int) -> float:
        pending = sum(len(c.features) for i, c in self.done.items()
                      if i >= len(self.contiguous()))
        return self.selected() + pending + self.in_flight * size * self.efficiency()

    def complete(self) -> bool:
        return self.selected() >= self.target

    def used(self) -> list[ChunkResult]:
        """Return the leading chunks that reach the target; later ones are surplus."""
        chunks, total = [], 0
        for chunk in self.contiguous():
            if total >= self.target:
                break
            chunks.append(chunk)
            total += len(chunk.features)
        return chunks


def run_chunks(
    plans: list[_Plan], make_task, size: int, workers: int, progress
) -> None:
    """Run chunks of every plan until each reaches its target, on ``workers``."""
    if workers == 1:
        for plan in plans:
            while not plan.complete():
                result = run_chunk(make_task(plan.process, plan.next_index))
                plan.next_index += 1
                plan.done[result.task.index] = result
                progress.update(len(result.features))
        return

    context = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        running: dict[futures.Future, _Plan] = {}
        while True:
            while len(running) < 2 * workers:
                needy = [p for p in plans if p.expected(size) < p.target]
                if not needy:
                    break
                plan = min(needy, key=lambda p: p.expected(size) / p.target)
                task = make_task(plan.process, plan.next_index)
                plan.next_index += 1
                plan.in_flight += 1
                running[pool.submit(run_chunk, task)] = plan
            if not running:
                break
            finished, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
            for future in finished:
                plan = running.pop(future)
                plan.in_flight -= 1
                result = future.result()
                plan.done[result.task.index] = result
                progress.update(len(result.features))


def make_plans(processes, targets) -> list[_Plan]:
    """Return one plan per process with its target of selected events."""
    return [_Plan(p, t) for p, t in zip(processes, targets, strict=True)]
