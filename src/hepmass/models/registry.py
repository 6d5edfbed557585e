"""Names of the models on the command line, and loading by name."""

from __future__ import annotations

import inspect
from pathlib import Path

from hepmass.errors import ConfigurationError, ModelError
from hepmass.models.autoencoder import AutoencoderClassifier
from hepmass.models.base import Classifier, read_model_record
from hepmass.models.baseline import BaselineClassifier
from hepmass.models.deep import DeepClassifier
from hepmass.models.gbdt import GradientBoostingClassifier
from hepmass.models.logistic import LogisticClassifier
from hepmass.models.parameterized import ParameterizedClassifier
from hepmass.models.svm import KernelSVMClassifier

_MODELS: dict[str, type[Classifier]] = {
    classifier.name: classifier
    for classifier in (
        BaselineClassifier,
        DeepClassifier,
        ParameterizedClassifier,
        GradientBoostingClassifier,
        KernelSVMClassifier,
        LogisticClassifier,
        AutoencoderClassifier,
    )
}

MODEL_NAMES: tuple[str, ...] = tuple(_MODELS)


def model_option_names(name: str) -> tuple[str, ...]:
    """Return the keyword options the model ``name`` accepts."""
    parameters = inspect.signature(model_class(name).__init__).parameters
    return tuple(key for key in parameters if key != "self")


def model_class(name: str) -> type[Classifier]:
    """Return the class of the model called ``name`` on the command line."""
    try:
        return _MODELS[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}"
        ) from None


def create_model(name: str, **options) -> Classifier:
    """Build an untrained model by its command-line name.

    Raises ConfigurationError for an option the model does not take, so a
    setting such as ``depth`` given to ``logistic`` is reported, not ignored.
    """
    classifier = model_class(name)
    accepted = model_option_names(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ConfigurationError(
            f"model {name!r} takes no option {', '.join(unknown)}; its options "
            f"are {', '.join(accepted)}"
        )
    return classifier(**options)


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
