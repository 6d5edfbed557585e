"""Names of the models on the command line, and loading by name."""

from __future__ import annotations

from pathlib import Path

from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.base import Classifier, read_model_record
from hepmass.models.baseline import BaselineClassifier

_MODELS: dict[str, type[Classifier]] = {
    BaselineClassifier.name: BaselineClassifier,
}

MODEL_NAMES: tuple[str, ...] = tuple(_MODELS)


def create_model(name: str, **options) -> Classifier:
    """Build an untrained model by its command-line name."""
    try:
        model_class = _MODELS[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}"
        ) from None
    return model_class(**options)


def load_model(directory: Path) -> Classifier:
    """Load the model saved in ``directory``, whatever its kind."""
    record = read_model_record(directory)
    name = record.get("model")
    if name not in _MODELS:
        raise ModelError(
            f"{Path(directory) / 'model.json'} names model {name!r}, which this "
            f"version of hepmass does not know ({', '.join(MODEL_NAMES)})"
        )
    return _MODELS[name].load(Path(directory))
