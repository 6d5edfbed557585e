"""Data-parallel training across processes, started by ``torchrun``.

``torchrun --nproc-per-node N -m hepmass train ...`` starts N processes with
``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and ``MASTER_ADDR``/``MASTER_PORT``
set. Each process trains on its own shard of the training rows with
DistributedDataParallel, which averages the gradients after every step, so
the ranks hold identical weights. Rank 0 alone writes outputs.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistributedContext:
    """Position of this process in a data-parallel job."""

    rank: int
    world_size: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def context_from_environment() -> DistributedContext | None:
    """Return the job layout that ``torchrun`` set, or ``None`` outside one."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return None
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    return DistributedContext(rank, world_size, local_rank)


def is_main_process() -> bool:
    """Return whether this process writes outputs (rank 0, or no job at all)."""
    context = context_from_environment()
    return context is None or context.is_main


def initialize(context: DistributedContext, device: torch.device) -> None:
    """Join the process group: NCCL for CUDA devices, gloo on the CPU."""
    if dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(context.local_rank)
    dist.init_process_group(
        backend=backend, rank=context.rank, world_size=context.world_size
    )
    log.info(
        "rank %d of %d joined the process group (%s)",
        context.rank,
        context.world_size,
        backend,
    )


def shard_events(events: Events, context: DistributedContext) -> Events:
    """Return this rank's rows: every ``world_size``-th row from ``rank`` on.

    Every rank gets the same number of rows, because DistributedDataParallel
    needs the same number of steps on every rank; the last
    ``len(events) % world_size`` rows are therefore left out, and the log
    reports how many.
    """
    per_rank = len(events) // context.world_size
    if per_rank == 0:
        raise ConfigurationError(
            f"{len(events)} training events cannot be shared among "
            f"{context.world_size} processes; use more events or fewer processes"
        )
    left_out = len(events) - per_rank * context.world_size
    log.info(
        "rank %d trains on %d of %d rows (%d left out so that all %d ranks "
        "take the same number of steps)",
        context.rank,
        per_rank,
        len(events),
        left_out,
        context.world_size,
    )
    rows = np.arange(context.rank, per_rank * context.world_size, context.world_size)
    return events.take(rows)


def shutdown() -> None:
    """Leave the process group if this process joined one."""
    if dist.is_initialized():
        dist.destroy_process_group()
