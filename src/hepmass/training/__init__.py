"""Training loops: settings, the minibatch loop for networks, seeding.

The names below are imported on first use, so ``hepmass.training.config``
can be imported without PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hepmass.lazy import export_lazily

if TYPE_CHECKING:
    from hepmass.training.config import TrainingConfig
    from hepmass.training.loop import train_network

__all__ = ["TrainingConfig", "train_network"]

__getattr__ = export_lazily(
    __name__,
    {
        "TrainingConfig": "hepmass.training.config",
        "train_network": "hepmass.training.loop",
    },
)
