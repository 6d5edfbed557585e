"""Logistic regression: the linear floor every other model must beat.

scikit-learn's L2-regularized logistic regression on standardized inputs.
Prediction needs only the weights, so the model is saved as arrays
(safetensors) plus ``model.json`` and evaluated with numpy.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import ClassVar

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.base import (
    Classifier,
    TrainingHistory,
    read_model_record,
    write_model_record,
)
from hepmass.models.inputs import input_matrix
from hepmass.models.standardize import Standardizer
from hepmass.training.config import TrainingConfig

log = logging.getLogger(__name__)

ARRAYS_FILE = "model.safetensors"


def sigmoid(values: np.ndarray) -> np.ndarray:
    """Return the logistic function of ``values`` without overflow warnings."""
    return 0.5 * (1.0 + np.tanh(0.5 * values))


class LogisticClassifier(Classifier):
    """Logistic regression on the standardized features.

    Args:
        use_mass: add the hypothesis mass as a 28th input.
        regularization: inverse L2 strength ``C`` of scikit-learn.
        training: ``seed`` only.
    """

    name: ClassVar[str] = "logistic"
    ignored_training_settings: ClassVar[tuple[str, ...]] = (
        "epochs", "batch_size", "learning_rate", "device", "threads", "precision"
    )

    def __init__(
        self,
        use_mass: bool = False,
        regularization: float = 1.0,
        training: TrainingConfig | None = None,
    ) -> None:
        if not regularization > 0:
            raise ConfigurationError(
                f"regularization C must be positive, got {regularization}"
            )
        self.use_mass = use_mass
        self.regularization = float(regularization)
        self.training = training or TrainingConfig()
        self.standardizer: Standardizer | None = None
        self.weights: np.ndarray | None = None
        self.bias = 0.0

    @property
    def uses_mass(self) -> bool:
        return self.use_mass

    def _inputs(self, events: Events) -> np.ndarray:
        assert self.standardizer is not None
        return self.standardizer.transform(input_matrix(events, self.use_mass))

    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        self.check_events(train)
        self.standardizer = Standardizer.fit(input_matrix(train, self.use_mass))
        start = time.perf_counter()
        regression = SklearnLogisticRegression(
            C=self.regularization, max_iter=1000, random_state=self.training.seed
        )
        regression.fit(self._inputs(train), train.labels)
        seconds = time.perf_counter() - start
        self.weights = regression.coef_[0].astype(np.float32)
        self.bias = float(regression.intercept_[0])

        valid_scores = self.predict(valid)
        return TrainingHistory(
            train_loss=[float(log_loss(train.labels, self.predict(train)))],
            valid_loss=[float(log_loss(valid.labels, valid_scores))],
            valid_auc=[float(roc_auc_score(valid.labels, valid_scores))],
            seconds=seconds,
            rows_per_second=len(train) / seconds if seconds else 0.0,
            best_epoch=1,
        )

    def predict(self, events: Events) -> np.ndarray:
        if self.weights is None:
            raise ModelError("the model has not been fitted or loaded")
        self.check_events(events)
        logits = self._inputs(events) @ self.weights + self.bias
        return sigmoid(logits).astype(np.float32)

    def save(self, directory: Path) -> None:
        if self.weights is None or self.standardizer is None:
            raise ModelError("cannot save a model that has not been fitted")
        directory = Path(directory)
        write_model_record(
            directory,
            {
                "model": self.name,
                "use_mass": self.use_mass,
                "regularization": self.regularization,
                "bias": self.bias,
                "training": self.training.to_dict(),
            },
        )
        save_file(
            {
                "weights": self.weights,
                "standardizer.mean": self.standardizer.mean,
                "standardizer.scale": self.standardizer.scale,
            },
            str(directory / ARRAYS_FILE),
        )

    @classmethod
    def load(cls, directory: Path) -> LogisticClassifier:
        directory = Path(directory)
        record = read_model_record(directory)
        model = cls(
            use_mass=bool(record["use_mass"]),
            regularization=record["regularization"],
            training=TrainingConfig.from_dict(record["training"]),
        )
        arrays = read_arrays(directory / ARRAYS_FILE)
        model.weights = arrays["weights"]
        model.bias = float(record["bias"])
        model.standardizer = Standardizer(
            arrays["standardizer.mean"], arrays["standardizer.scale"]
        )
        return model


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Read a safetensors file of numpy arrays, raising ModelError if missing."""
    if not path.is_file():
        raise ModelError(f"{path} not found; the model directory is incomplete")
    return load_file(str(path))
