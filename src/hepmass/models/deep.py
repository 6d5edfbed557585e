"""A deeper, wider network trained with the usual recipe for tabular data.

A linear stem maps the inputs to ``width`` units, ``depth`` pre-norm
residual blocks follow (LayerNorm, Linear, SiLU, dropout, Linear, added to
the block's input), and a LayerNorm + SiLU + Linear head gives the logit.
AdamW decouples the weight decay from the gradient step, a cosine schedule
lowers the learning rate to zero over ``epochs``, and training stops early
when the validation loss has not improved for ``patience`` epochs, keeping
the best epoch's weights.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

import torch
from safetensors.torch import load_file
from torch import nn

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.base import TrainingHistory, read_model_record
from hepmass.models.baseline import WEIGHTS_FILE, NetworkClassifier
from hepmass.models.inputs import input_matrix
from hepmass.models.standardize import Standardizer
from hepmass.training.config import TrainingConfig
from hepmass.training.device import resolve_device, set_threads
from hepmass.training.loop import train_network

log = logging.getLogger(__name__)

DEFAULT_DEPTH = 4
DEFAULT_WIDTH = 256
DEFAULT_DROPOUT = 0.1
DEFAULT_WEIGHT_DECAY = 1e-2
"""AdamW's decoupled weight decay; 1e-2 is PyTorch's default for AdamW."""
DEFAULT_PATIENCE = 4


class ResidualBlock(nn.Module):
    """``x + Linear(Dropout(SiLU(Linear(LayerNorm(x)))))`` at constant width."""

    def __init__(self, width: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.inner = nn.Linear(width, width)
        self.activation = nn.SiLU()
        self.dropout = nn.Dropout(dropout)
        self.outer = nn.Linear(width, width)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        hidden = self.activation(self.inner(self.norm(inputs)))
        return inputs + self.outer(self.dropout(hidden))


def residual_network(
    n_inputs: int, depth: int, width: int, dropout: float
) -> nn.Sequential:
    """Build the stem, ``depth`` residual blocks and the head (a logit)."""
    blocks = [ResidualBlock(width, dropout) for _ in range(depth)]
    return nn.Sequential(
        nn.Linear(n_inputs, width),
        *blocks,
        nn.LayerNorm(width),
        nn.SiLU(),
        nn.Linear(width, 1),
    )


class DeepClassifier(NetworkClassifier):
    """Residual network with AdamW, a cosine schedule and early stopping.

    Args:
        depth: residual blocks (each has two linear layers).
        width: units of every block.
        dropout: dropout probability inside each block.
        weight_decay: AdamW's decoupled weight decay.
        patience: epochs without a lower validation loss before stopping.
        use_mass: append the hypothesis mass to the 27 features.
        training: epochs, batch size, peak learning rate, seed and device.
    """

    name: ClassVar[str] = "deep"

    def __init__(
        self,
        depth: int = DEFAULT_DEPTH,
        width: int = DEFAULT_WIDTH,
        dropout: float = DEFAULT_DROPOUT,
        weight_decay: float = DEFAULT_WEIGHT_DECAY,
        patience: int = DEFAULT_PATIENCE,
        use_mass: bool = False,
        training: TrainingConfig | None = None,
    ) -> None:
        _check_architecture(depth, width, dropout, weight_decay, patience)
        self.depth = int(depth)
        self.width = int(width)
        self.dropout = float(dropout)
        self.weight_decay = float(weight_decay)
        self.patience = int(patience)
        self.hidden = (self.width,) * self.depth
        self.use_mass = use_mass
        self.training = training or TrainingConfig()
        self.standardizer: Standardizer | None = None
        torch.manual_seed(self.training.seed)
        self.module = residual_network(
            self.n_inputs, self.depth, self.width, self.dropout
        )

    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        self.check_events(train)
        set_threads(self.training.threads)
        device = resolve_device(self.training.device)
        self.standardizer = Standardizer.fit(input_matrix(train, self.use_mass))
        self.module.to(device)
        optimizer = torch.optim.AdamW(
            self.module.parameters(),
            lr=self.training.learning_rate,
            weight_decay=self.weight_decay,
        )
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=self.training.epochs
        )
        history = train_network(
            self.module,
            self._tensor(train, device),
            torch.from_numpy(train.labels).to(device),
            self._tensor(valid, device),
            torch.from_numpy(valid.labels).to(device),
            self.training,
            optimizer=optimizer,
            scheduler=scheduler,
            patience=self.patience,
        )
        self.module.to("cpu")
        return history

    def _record(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "depth": self.depth,
            "width": self.width,
            "dropout": self.dropout,
            "weight_decay": self.weight_decay,
            "patience": self.patience,
            "use_mass": self.use_mass,
            "n_inputs": self.n_inputs,
            "training": self.training.to_dict(),
        }

    @classmethod
    def _from_record(cls, record: dict[str, Any]) -> DeepClassifier:
        return cls(
            depth=record["depth"],
            width=record["width"],
            dropout=record["dropout"],
            weight_decay=record["weight_decay"],
            patience=record["patience"],
            use_mass=bool(record["use_mass"]),
            training=TrainingConfig.from_dict(record["training"]),
        )

    @classmethod
    def load(cls, directory: Path) -> DeepClassifier:
        directory = Path(directory)
        model = cls._from_record(read_model_record(directory))
        weights_path = directory / WEIGHTS_FILE
        if not weights_path.is_file():
            raise ModelError(
                f"{weights_path} not found; the model directory is incomplete"
            )
        tensors = load_file(str(weights_path))
        state = {
            key.removeprefix("network."): value
            for key, value in tensors.items()
            if key.startswith("network.")
        }
        model.module.load_state_dict(state)
        model.standardizer = Standardizer(
            tensors["standardizer.mean"].numpy(),
            tensors["standardizer.scale"].numpy(),
        )
        return model


def _check_architecture(
    depth: int, width: int, dropout: float, weight_decay: float, patience: int
) -> None:
    if depth < 1:
        raise ConfigurationError(f"depth must be at least 1 block, got {depth}")
    if width < 1:
        raise ConfigurationError(f"width must be at least 1 unit, got {width}")
    if not 0.0 <= dropout < 1.0:
        raise ConfigurationError(f"dropout must lie in [0, 1), got {dropout}")
    if weight_decay < 0:
        raise ConfigurationError(
            f"weight decay must be zero or positive, got {weight_decay}"
        )
    if patience < 1:
        raise ConfigurationError(f"patience must be at least 1 epoch, got {patience}")
