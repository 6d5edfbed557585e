"""Gradient-boosted decision trees with LightGBM's histogram algorithm.

Trees need no standardization, so the raw 27 features (and the mass with
``use_mass``) go in unchanged. Boosting stops when the validation log loss
(the first metric; the AUC is only recorded) has not improved for ``patience`` rounds, and the model keeps the best
round. It is saved in LightGBM's own text format, which loads without
pickle. LightGBM is an optional dependency: ``pip install hepmass[gbdt]``.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.base import (
    Classifier,
    TrainingHistory,
    read_model_record,
    write_model_record,
)
from hepmass.models.inputs import input_matrix
from hepmass.training.config import TrainingConfig

log = logging.getLogger(__name__)

TREES_FILE = "model.lgb.txt"


def import_lightgbm():
    """Import LightGBM, or raise ModelError naming the extra to install."""
    try:
        import lightgbm
    except ImportError as error:
        raise ModelError(
            "the gbdt model needs LightGBM; install it with "
            "'pip install hepmass[gbdt]'"
        ) from error
    return lightgbm


class GradientBoostingClassifier(Classifier):
    """LightGBM binary classifier with early stopping on the validation split.

    Args:
        use_mass: add the hypothesis mass as a 28th input.
        max_trees: boosting rounds at most.
        learning_rate: shrinkage of each tree (LightGBM's default is 0.1).
        num_leaves: leaves per tree.
        patience: rounds without a lower validation loss before stopping.
        training: ``seed`` seeds the bagging; ``threads`` sets LightGBM's
            threads (default: every CPU core).
    """

    name: ClassVar[str] = "gbdt"
    ignored_training_settings: ClassVar[tuple[str, ...]] = (
        "epochs", "batch_size", "learning_rate", "device", "precision"
    )

    def __init__(
        self,
        use_mass: bool = False,
        max_trees: int = 2000,
        learning_rate: float = 0.1,
        num_leaves: int = 63,
        patience: int = 50,
        training: TrainingConfig | None = None,
    ) -> None:
        if max_trees < 1:
            raise ConfigurationError(f"max_trees must be at least 1, got {max_trees}")
        if not learning_rate > 0:
            raise ConfigurationError(
                f"the boosting learning rate must be positive, got {learning_rate}"
            )
        if num_leaves < 2:
            raise ConfigurationError(f"num_leaves must be at least 2, got {num_leaves}")
        if patience < 1:
            raise ConfigurationError(f"patience must be at least 1, got {patience}")
        self.use_mass = use_mass
        self.max_trees = int(max_trees)
        self.learning_rate = float(learning_rate)
        self.num_leaves = int(num_leaves)
        self.patience = int(patience)
        self.training = training or TrainingConfig()
        self.booster = None

    @property
    def uses_mass(self) -> bool:
        return self.use_mass

    @property
    def n_inputs(self) -> int:
        return 27 + int(self.use_mass)

    def _parameters(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "metric": ["binary_logloss", "auc"],
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": 20,
            "feature_fraction": 0.9,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "seed": self.training.seed,
            "num_threads": self.training.threads or os.cpu_count() or 1,
            "deterministic": True,
            "verbose": -1,
        }

    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        lightgbm = import_lightgbm()
        self.check_events(train)
        train_set = lightgbm.Dataset(
            input_matrix(train, self.use_mass), label=train.labels
        )
        valid_inputs = input_matrix(valid, self.use_mass)
        valid_set = lightgbm.Dataset(
            valid_inputs, label=valid.labels, reference=train_set
        )
        losses: dict[str, dict[str, list[float]]] = {}
        start = time.perf_counter()
        self.booster = lightgbm.train(
            self._parameters(),
            train_set,
            num_boost_round=self.max_trees,
            valid_sets=[train_set, valid_set],
            valid_names=["train", "valid"],
            callbacks=[
                lightgbm.early_stopping(
                    self.patience, first_metric_only=True, verbose=False
                ),
                lightgbm.record_evaluation(losses),
            ],
        )
        seconds = time.perf_counter() - start
        best = self.booster.best_iteration or self.booster.current_iteration()
        log.info(
            "boosting stopped after %d rounds; keeping round %d",
            self.booster.current_iteration(),
            best,
        )
        rounds = len(losses["train"]["binary_logloss"])
        return TrainingHistory(
            train_loss=losses["train"]["binary_logloss"],
            valid_loss=losses["valid"]["binary_logloss"],
            valid_auc=losses["valid"]["auc"],
            seconds=seconds,
            rows_per_second=len(train) * rounds / seconds if seconds else 0.0,
            best_epoch=best,
        )

    def predict(self, events: Events) -> np.ndarray:
        if self.booster is None:
            raise ModelError("the model has not been fitted or loaded")
        self.check_events(events)
        scores = self.booster.predict(
            input_matrix(events, self.use_mass),
            num_iteration=self.booster.best_iteration or None,
            num_threads=self.training.threads or os.cpu_count() or 1,
        )
        return scores.astype(np.float32)

    def save(self, directory: Path) -> None:
        if self.booster is None:
            raise ModelError("cannot save a model that has not been fitted")
        directory = Path(directory)
        write_model_record(
            directory,
            {
                "model": self.name,
                "use_mass": self.use_mass,
                "n_inputs": self.n_inputs,
                "max_trees": self.max_trees,
                "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves,
                "patience": self.patience,
                "best_iteration": self.booster.best_iteration,
                "training": self.training.to_dict(),
            },
        )
        self.booster.save_model(
            str(directory / TREES_FILE),
            num_iteration=self.booster.best_iteration or None,
        )
        log.debug("wrote %s", directory / TREES_FILE)

    @classmethod
    def load(cls, directory: Path) -> GradientBoostingClassifier:
        lightgbm = import_lightgbm()
        directory = Path(directory)
        record = read_model_record(directory)
        model = cls(
            use_mass=bool(record["use_mass"]),
            max_trees=record["max_trees"],
            learning_rate=record["learning_rate"],
            num_leaves=record["num_leaves"],
            patience=record["patience"],
            training=TrainingConfig.from_dict(record["training"]),
        )
        path = directory / TREES_FILE
        if not path.is_file():
            raise ModelError(f"{path} not found; the model directory is incomplete")
        model.booster = lightgbm.Booster(model_file=str(path))
        return model
