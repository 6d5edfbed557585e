"""The interface every hepmass classifier implements."""

from __future__ import annotations

import abc
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from hepmass.data.events import Events
from hepmass.errors import ModelError

MODEL_FILE = "model.json"
"""Name of the JSON file that records which model a directory holds."""

ONNX_FILE = "model.onnx"
"""Name of the ONNX graph that ``hepmass export`` writes into a model directory."""

PREDICT_CHUNK_ROWS = 1 << 18
"""Events passed to one ``predict`` call when a whole file is scored."""


@dataclass
class TrainingHistory:
    """Per-epoch (or per-round) record of a fit, for logs and plots."""

    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_auc: list[float] = field(default_factory=list)
    seconds: float = 0.0
    rows_per_second: float = 0.0
    best_epoch: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "train_loss": self.train_loss,
            "valid_loss": self.valid_loss,
            "valid_auc": self.valid_auc,
            "seconds": self.seconds,
            "rows_per_second": self.rows_per_second,
            "best_epoch": self.best_epoch,
        }


class Classifier(abc.ABC):
    """A binary classifier of events whose score grows with signal likeness.

    Subclasses set ``name`` (the ``--model`` value) and implement the
    abstract methods. ``save`` writes ``model.json`` with at least
    ``{"model": name}`` so that :func:`hepmass.models.load_model` can find
    the class again; no format used by hepmass needs pickle to load.
    """

    name: ClassVar[str]

    ignored_training_settings: ClassVar[tuple[str, ...]] = ()
    """Fields of :class:`~hepmass.training.config.TrainingConfig` that the
    model never reads. The networks read them all."""

    @abc.abstractmethod
    def fit(self, train: Events, valid: Events) -> TrainingHistory:
        """Train on ``train``, monitoring ``valid``; return the history."""

    @abc.abstractmethod
    def predict(self, events: Events) -> np.ndarray:
        """Return float32 scores in [0, 1], one per event."""

    @abc.abstractmethod
    def save(self, directory: Path) -> None:
        """Write the fitted model into ``directory`` (created if missing)."""

    @classmethod
    @abc.abstractmethod
    def load(cls, directory: Path) -> Classifier:
        """Read a model written by :meth:`save`."""

    @property
    def uses_mass(self) -> bool:
        """Whether the model takes the hypothesis mass as an input."""
        return False

    def check_events(self, events: Events) -> None:
        """Raise ModelError when the events lack an input the model needs."""
        if self.uses_mass and events.mass is None:
            where = f" in {events.source}" if events.source else ""
            raise ModelError(
                f"model {self.name!r} takes the mass as an input, but the events"
                f"{where} have no mass column; use a file of the 'all' or "
                "'not1000' layout, or a model trained without the mass"
            )


def read_model_record(directory: Path) -> dict[str, Any]:
    """Read ``model.json`` from a model directory."""
    path = Path(directory) / MODEL_FILE
    if not path.is_file():
        raise ModelError(
            f"{path} not found: {directory} contains no saved model; pass a run "
            "directory written by 'hepmass run' or 'hepmass train'"
        )
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ModelError(f"{path} is not valid JSON: {error}") from error


def write_model_record(directory: Path, record: dict[str, Any]) -> None:
    """Write ``model.json`` into a model directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MODEL_FILE).write_text(json.dumps(record, indent=2) + "\n")
