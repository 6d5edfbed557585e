"""An autoencoder that scores events by their reconstruction error.

The network never sees a label. By default it learns to reconstruct every
training event; with ``background_only`` it learns the background alone
(the anomaly-detection set-up, which needs a background-only sample, so it
uses the labels to choose that sample and nothing else). Events unlike the
training sample reconstruct worse, so the squared error grows with
"anomaly". The error is mapped to [0, 1] by the empirical distribution
function of the training errors: a score of 0.9 means the event
reconstructs worse than 90% of the training events. The map is monotonic,
so it changes no ROC curve.
"""

from __future__ import annotations

import copy
import logging
import time
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from sklearn.metrics import roc_auc_score
from torch import nn

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.base import (
    Classifier,
    TrainingHistory,
    read_model_record,
    write_model_record,
)
from hepmass.models.standardize import Standardizer
from hepmass.training.config import TrainingConfig
from hepmass.training.device import set_threads
from hepmass.training.loop import predict_logits

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"
N_QUANTILES = 1001
"""Points of the stored error distribution (every 0.1 percentile)."""


def autoencoder_network(n_inputs: int, bottleneck: int) -> nn.Sequential:
    """Build ``n -> 64 -> 32 -> bottleneck -> 32 -> 64 -> n`` with SiLU."""
    return nn.Sequential(
        nn.Linear(n_inputs, 64), nn.SiLU(),
        nn.Linear(64, 32), nn.SiLU(),
        nn.Linear(32, bottleneck), nn.SiLU(),
        nn.Linear(bottleneck, 32), nn.SiLU(),
        nn.Linear(32, 64), nn.SiLU(),
        nn.Linear(64, n_inputs),
    )


class AutoencoderClassifier(Classifier):
    """Unsupervised: reconstruction error of the 27 standardized features.

    Args:
        bottleneck: units of the narrowest layer.
        background_only: train on background events only.
        training: epochs, batch size, learning rate, seed and threads.
    """

    name: ClassVar[str] = "autoencoder"
    ignored_training_settings: ClassVar[tuple[str, ...]] = ("device", "precision")

    def __init__(
        self,
        bottleneck: int = 8,
        background_only: bool = False,
        training: TrainingConfig | None = None,
    ) -> None:
        if not 1 <= bottleneck <= 27:
            raise ConfigurationError(
                f"bottleneck must lie between 1 and 27 units, got {bottleneck}"
            )
        self.bottleneck = int(bottleneck)
        self.background_only = background_only
        self.training = training or TrainingConfig()
        self.standardizer: Standardizer | None = None
        self.quantiles: np.ndarray | None = None
        torch.manual_seed(self.training.seed)
        self.module = autoencoder_network(27, self.bottleneck)

    def _select(self, events: Events) -> np.ndarray:
        if not self.background_only:
            return events.features
        background = events.features[events.labels == 0]
        if len(background) == 0:
            raise ConfigurationError(
                "background_only is set but the events hold no background"
            )
        return background

    def _errors(self, inputs: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(_squared_errors(self.module, inputs))

    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        set_threads(self.training.threads)
        train_rows = self._select(train)
        self.standardizer = Standardizer.fit(train_rows)
        inputs = torch.from_numpy(self.standardizer.transform(train_rows))
        valid_inputs = torch.from_numpy(self.standardizer.transform(self._select(valid)))
        all_valid = torch.from_numpy(self.standardizer.transform(valid.features))
        history = _train_reconstruction(
            self.module, inputs, valid_inputs, self.training, (all_valid, valid.labels)
        )

        errors = self._errors(inputs).numpy()
        self.quantiles = np.quantile(errors, np.linspace(0, 1, N_QUANTILES)).astype(
            np.float32
        )
        log.info(
            "autoencoder validation AUC %.4f at the best epoch (labels used for "
            "this check only)",
            history.valid_auc[history.best_epoch - 1],
        )
        return history

    def predict(self, events: Events) -> np.ndarray:
        if self.quantiles is None or self.standardizer is None:
            raise ModelError("the model has not been fitted or loaded")
        inputs = torch.from_numpy(self.standardizer.transform(events.features))
        errors = self._errors(inputs).numpy()
        levels = np.linspace(0, 1, N_QUANTILES)
        return np.interp(errors, self.quantiles, levels).astype(np.float32)

    def save(self, directory: Path) -> None:
        if self.quantiles is None or self.standardizer is None:
            raise ModelError("cannot save a model that has not been fitted")
        directory = Path(directory)
        write_model_record(
            directory,
            {
                "model": self.name,
                "bottleneck": self.bottleneck,
                "background_only": self.background_only,
                "training": self.training.to_dict(),
            },
        )
        tensors = {
            f"network.{key}": value.detach().cpu().contiguous()
            for key, value in self.module.state_dict().items()
        }
        tensors["standardizer.mean"] = torch.from_numpy(self.standardizer.mean)
        tensors["standardizer.scale"] = torch.from_numpy(self.standardizer.scale)
        tensors["error_quantiles"] = torch.from_numpy(self.quantiles)
        save_file(tensors, str(directory / WEIGHTS_FILE))

    @classmethod
    def load(cls, directory: Path) -> AutoencoderClassifier:
        directory = Path(directory)
        record = read_model_record(directory)
        model = cls(
            bottleneck=record["bottleneck"],
            background_only=bool(record["background_only"]),
            training=TrainingConfig.from_dict(record["training"]),
        )
        path = directory / WEIGHTS_FILE
        if not path.is_file():
            raise ModelError(f"{path} not found; the model directory is incomplete")
        tensors = load_file(str(path))
        model.module.load_state_dict(
            {
                key.removeprefix("network."): value
                for key, value in tensors.items()
                if key.startswith("network.")
            }
        )
        model.standardizer = Standardizer(
            tensors["standardizer.mean"].numpy(), tensors["standardizer.scale"].numpy()
        )
        model.quantiles = tensors["error_quantiles"].numpy()
        return model


def predict_logits_matrix(module: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Return the module's (n, d) outputs; predict_logits flattens, so reshape."""
    return predict_logits(module, inputs).reshape(len(inputs), -1)


def _squared_errors(module: nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """Return each event's mean squared reconstruction error."""
    outputs = predict_logits_matrix(module, inputs)
    return (outputs - inputs).square().mean(1).numpy()


def _train_reconstruction(
    module: nn.Module,
    inputs: torch.Tensor,
    valid_inputs: torch.Tensor,
    config: TrainingConfig,
    labelled_valid: tuple[torch.Tensor, np.ndarray],
) -> TrainingHistory:
    """Minimize the mean squared reconstruction error; keep the best epoch.

    ``labelled_valid`` (every validation event and its label) only feeds the
    per-epoch validation AUC of the raw error, which the training never uses.
    """
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    optimizer = torch.optim.Adam(module.parameters(), lr=config.learning_rate)
    history = TrainingHistory()
    best_loss, best_state = float("inf"), None
    start = time.perf_counter()

    for epoch in range(1, config.epochs + 1):
        module.train()
        order = torch.randperm(len(inputs), generator=generator)
        total = 0.0
        for first in range(0, len(inputs), config.batch_size):
            batch = inputs[order[first : first + config.batch_size]]
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.mse_loss(module(batch), batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        valid_loss = nn.functional.mse_loss(
            predict_logits_matrix(module, valid_inputs), valid_inputs
        ).item()
        errors = _squared_errors(module, labelled_valid[0])
        history.valid_auc.append(float(roc_auc_score(labelled_valid[1], errors)))
        history.train_loss.append(total / len(inputs))
        history.valid_loss.append(valid_loss)
        log.info(
            "epoch %d/%d: reconstruction error %.4f, validation %.4f",
            epoch, config.epochs, total / len(inputs), valid_loss,
        )
        if valid_loss < best_loss:
            best_loss, history.best_epoch = valid_loss, epoch
            best_state = copy.deepcopy(module.state_dict())

    if best_state is not None:
        module.load_state_dict(best_state)
    history.seconds = time.perf_counter() - start
    history.rows_per_second = len(inputs) * config.epochs / history.seconds
    return history
