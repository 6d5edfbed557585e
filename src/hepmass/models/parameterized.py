"""The parameterized network: the hypothesis mass is an input.

Baldi, Cranmer, Faucett, Sadowski and Whiteson, "Parameterized neural
networks for high-energy physics", Eur. Phys. J. C 76 (2016) 235,
arXiv:1601.07913. One network learns the whole family of signal hypotheses
by taking the mass as a 28th input. Signal rows carry their true mass;
background has no mass of its own, so each background row keeps the mass
drawn at random from the signal masses, as in the dataset, and the mass
alone does not separate the classes. At evaluation the hypothesis mass under
test is fed for every event, including masses the network never saw.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hepmass.errors import ConfigurationError
from hepmass.models.deep import (
    DEFAULT_DEPTH,
    DEFAULT_DROPOUT,
    DEFAULT_PATIENCE,
    DEFAULT_WEIGHT_DECAY,
    DEFAULT_WIDTH,
    DeepClassifier,
)
from hepmass.training.config import TrainingConfig


class ParameterizedClassifier(DeepClassifier):
    """The residual network of ``deep`` with the mass as an extra input."""

    name: ClassVar[str] = "parameterized"

    def __init__(
        self,
        depth: int = DEFAULT_DEPTH,
        width: int = DEFAULT_WIDTH,
        dropout: float = DEFAULT_DROPOUT,
        weight_decay: float = DEFAULT_WEIGHT_DECAY,
        patience: int = DEFAULT_PATIENCE,
        use_mass: bool = True,
        training: TrainingConfig | None = None,
    ) -> None:
        if not use_mass:
            raise ConfigurationError(
                "the parameterized model always takes the mass as an input, so "
                "use_mass=False is invalid; use --model deep for a network "
                "without the mass"
            )
        super().__init__(
            depth=depth,
            width=width,
            dropout=dropout,
            weight_decay=weight_decay,
            patience=patience,
            use_mass=True,
            training=training,
        )

    @classmethod
    def _from_record(cls, record: dict[str, Any]) -> ParameterizedClassifier:
        return cls(
            depth=record["depth"],
            width=record["width"],
            dropout=record["dropout"],
            weight_decay=record["weight_decay"],
            patience=record["patience"],
            training=TrainingConfig.from_dict(record["training"]),
        )
