"""Choice of the torch device and the CPU thread count."""

from __future__ import annotations

import logging

import torch

from hepmass.errors import ConfigurationError

log = logging.getLogger(__name__)


def resolve_device(name: str) -> torch.device:
    """Map ``cpu``, ``cuda`` or ``auto`` to a torch device that exists here."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
        log.info("device 'auto' resolved to %s", name)
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigurationError(
            "device 'cuda' was requested but PyTorch sees no CUDA GPU; "
            "use --device cpu or --device auto"
        )
    return torch.device(name)


def set_threads(threads: int | None) -> None:
    """Set PyTorch's intra-op CPU threads when a count is given."""
    if threads is not None:
        torch.set_num_threads(threads)


def inference_device(name: str) -> torch.device:
    """Return CUDA for a model trained with ``cuda`` or ``auto`` when a GPU is
    present, else the CPU, so a model trained on a GPU still scores on a laptop."""
    if name in ("cuda", "auto") and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")
