"""Settings of a network training run."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from hepmass.errors import ConfigurationError

SEED_MAX = 2**32 - 1
"""Largest seed: numpy's default generator takes seeds up to 2**32 - 1 here."""

DEFAULT_BATCH_SIZE = 1024
"""Default minibatch size.

In ``benchmarks/train_speed.py`` (240,000 rows, 2-core CPU) batch 1024 reached
the study-style loop's 10-epoch validation AUC in the least wall time of the
sizes tried (256 to 16384): larger batches run more rows per second but need
more epochs, and 4096 or more did not reach it in 40 epochs.
docs/benchmarks.md records the table.
"""


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of a network training run.

    Attributes:
        epochs: passes over the training split (the study used 10).
        batch_size: rows per optimizer step.
        learning_rate: Adam's step size (the study used PyTorch's 1e-3).
        seed: seeds the weight initialization and the shuffling, so the same
            seed, data and settings give identical results.
        device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (CUDA when available).
        threads: CPU threads for PyTorch; ``None`` keeps PyTorch's default.
        precision: ``"fp32"``, or ``"bf16"`` to run the forward pass under
            bfloat16 autocast (weights and the loss stay float32).
    """

    epochs: int = 10
    batch_size: int = DEFAULT_BATCH_SIZE
    learning_rate: float = 1e-3
    seed: int = 0
    device: str = "cpu"
    threads: int | None = None
    precision: str = "fp32"

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ConfigurationError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ConfigurationError(
                f"batch size must be at least 1, got {self.batch_size}"
            )
        if not 0 < self.learning_rate < math.inf:
            raise ConfigurationError(
                f"learning rate must be a positive finite number, got "
                f"{self.learning_rate}"
            )
        if not 0 <= self.seed <= SEED_MAX:
            raise ConfigurationError(
                f"seed must be between 0 and {SEED_MAX} (the range numpy and "
                f"PyTorch accept), got {self.seed}"
            )
        if self.device not in ("cpu", "cuda", "auto"):
            raise ConfigurationError(
                f"device must be 'cpu', 'cuda' or 'auto', got {self.device!r}"
            )
        if self.precision not in ("fp32", "bf16"):
            raise ConfigurationError(
                f"precision must be 'fp32' or 'bf16', got {self.precision!r}"
            )
        if self.threads is not None and self.threads < 1:
            raise ConfigurationError(f"threads must be at least 1, got {self.threads}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingConfig:
        return cls(**values)
