"""A linear SVM on a Nystroem approximation of the RBF kernel.

An exact kernel SVM costs O(n^2) memory and O(n^2) to O(n^3) time in the
number of training events. The Nystroem method (Williams and Seeger, NIPS
2000) picks ``components`` training events as landmarks and maps each event
to features whose dot products approximate the RBF kernel
``exp(-gamma * |x - y|^2)``. A linear SVM (liblinear's LinearSVC, squared
hinge loss) on those features then approximates the kernel SVM at a cost
linear in n. SVM margins are no probabilities, so Platt scaling (a one-dimensional
logistic regression of the label on the margin) is fitted on the validation
split. The model is saved as arrays (safetensors) plus ``model.json``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import ClassVar

import numpy as np
from safetensors.numpy import save_file
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.svm import LinearSVC

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.base import (
    Classifier,
    TrainingHistory,
    read_model_record,
    write_model_record,
)
from hepmass.models.inputs import input_matrix
from hepmass.models.logistic import read_arrays, sigmoid
from hepmass.models.standardize import Standardizer
from hepmass.training.config import TrainingConfig

log = logging.getLogger(__name__)

ARRAYS_FILE = "model.safetensors"
_KERNEL_ROWS = 1 << 14
"""Events per chunk when computing kernel features, to bound memory."""


class KernelSVMClassifier(Classifier):
    """Linear SVM on Nystroem RBF features, Platt-calibrated.

    Args:
        components: Nystroem landmarks (the feature dimension).
        gamma: RBF width in standardized units; default ``1 / n_inputs``.
        regularization: LinearSVC's ``C``.
        use_mass: add the hypothesis mass as an input.
        training: ``seed`` picks the landmarks.
    """

    name: ClassVar[str] = "svm"
    ignored_training_settings: ClassVar[tuple[str, ...]] = (
        "epochs", "batch_size", "learning_rate", "device", "threads", "precision"
    )

    def __init__(
        self,
        components: int = 1000,
        gamma: float | None = None,
        regularization: float = 1.0,
        use_mass: bool = False,
        training: TrainingConfig | None = None,
    ) -> None:
        if components < 2:
            raise ConfigurationError(
                f"components must be at least 2, got {components}"
            )
        if gamma is not None and not gamma > 0:
            raise ConfigurationError(f"gamma must be positive, got {gamma}")
        if not regularization > 0:
            raise ConfigurationError(
                f"regularization C must be positive, got {regularization}"
            )
        self.components = int(components)
        self.use_mass = use_mass
        self.gamma = float(gamma) if gamma is not None else 1.0 / self.n_inputs
        self.regularization = float(regularization)
        self.training = training or TrainingConfig()
        self.standardizer: Standardizer | None = None
        self.arrays: dict[str, np.ndarray] = {}
        self.platt = (1.0, 0.0)

    @property
    def uses_mass(self) -> bool:
        return self.use_mass

    @property
    def n_inputs(self) -> int:
        return 27 + int(self.use_mass)

    def _kernel_features(self, events: Events) -> np.ndarray:
        """Map events to Nystroem features: K(x, landmarks) @ normalization.T."""
        assert self.standardizer is not None
        inputs = self.standardizer.transform(input_matrix(events, self.use_mass))
        landmarks = self.arrays["landmarks"]
        normalization = self.arrays["normalization"]
        landmark_sq = np.square(landmarks).sum(axis=1)
        out = np.empty((len(inputs), normalization.shape[0]), dtype=np.float32)
        for start in range(0, len(inputs), _KERNEL_ROWS):
            block = inputs[start : start + _KERNEL_ROWS]
            distance_sq = (
                np.square(block).sum(axis=1)[:, None]
                + landmark_sq[None, :]
                - 2.0 * block @ landmarks.T
            )
            kernel = np.exp(-self.gamma * np.maximum(distance_sq, 0.0))
            out[start : start + len(block)] = kernel @ normalization.T
        return out

    def _margins(self, events: Events) -> np.ndarray:
        features = self._kernel_features(events)
        return features @ self.arrays["weights"] + float(self.arrays["bias"][0])

    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        self.check_events(train)
        if self.components > len(train):
            raise ConfigurationError(
                f"components ({self.components}) exceed the {len(train)} training "
                "events; lower --components"
            )
        start = time.perf_counter()
        self.standardizer = Standardizer.fit(input_matrix(train, self.use_mass))
        inputs = self.standardizer.transform(input_matrix(train, self.use_mass))
        nystroem = Nystroem(
            kernel="rbf",
            gamma=self.gamma,
            n_components=self.components,
            random_state=self.training.seed,
        ).fit(inputs)
        self.arrays = {
            "landmarks": nystroem.components_.astype(np.float32),
            "normalization": nystroem.normalization_.astype(np.float32),
        }
        svm = LinearSVC(
            C=self.regularization, dual="auto", max_iter=5000,
            random_state=self.training.seed,
        )
        svm.fit(self._kernel_features(train), train.labels)
        self.arrays["weights"] = svm.coef_[0].astype(np.float32)
        self.arrays["bias"] = np.asarray([svm.intercept_[0]], dtype=np.float32)

        valid_margins = self._margins(valid)
        platt = LogisticRegression(C=1e6).fit(valid_margins[:, None], valid.labels)
        self.platt = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
        seconds = time.perf_counter() - start
        log.info(
            "Platt scaling on the validation split: p = sigmoid(%.3f * margin + %.3f)",
            *self.platt,
        )
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
        if not self.arrays:
            raise ModelError("the model has not been fitted or loaded")
        self.check_events(events)
        slope, intercept = self.platt
        return sigmoid(slope * self._margins(events) + intercept).astype(np.float32)

    def save(self, directory: Path) -> None:
        if not self.arrays or self.standardizer is None:
            raise ModelError("cannot save a model that has not been fitted")
        directory = Path(directory)
        write_model_record(
            directory,
            {
                "model": self.name,
                "components": self.components,
                "gamma": self.gamma,
                "regularization": self.regularization,
                "use_mass": self.use_mass,
                "platt": list(self.platt),
                "training": self.training.to_dict(),
            },
        )
        arrays = dict(self.arrays)
        arrays["standardizer.mean"] = self.standardizer.mean
        arrays["standardizer.scale"] = self.standardizer.scale
        save_file(arrays, str(directory / ARRAYS_FILE))

    @classmethod
    def load(cls, directory: Path) -> KernelSVMClassifier:
        directory = Path(directory)
        record = read_model_record(directory)
        model = cls(
            components=record["components"],
            gamma=record["gamma"],
            regularization=record["regularization"],
            use_mass=bool(record["use_mass"]),
            training=TrainingConfig.from_dict(record["training"]),
        )
        arrays = read_arrays(directory / ARRAYS_FILE)
        model.standardizer = Standardizer(
            arrays.pop("standardizer.mean"), arrays.pop("standardizer.scale")
        )
        model.arrays = arrays
        model.platt = (float(record["platt"][0]), float(record["platt"][1]))
        return model
