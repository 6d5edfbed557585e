"""Names of the models on the command line, and loading by name.

A model's module is imported only when the model is built or loaded, so
:data:`MODEL_NAMES` is available without PyTorch, scikit-learn or LightGBM.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import TYPE_CHECKING

from hepmass.errors import ConfigurationError, ModelError

if TYPE_CHECKING:
    from hepmass.models.base import Classifier

_MODEL_CLASSES: dict[str, tuple[str, str]] = {
    "baseline": ("hepmass.models.baseline", "BaselineClassifier"),
    "deep": ("hepmass.models.deep", "DeepClassifier"),
    "parameterized": ("hepmass.models.parameterized", "ParameterizedClassifier"),
    "gbdt": ("hepmass.models.gbdt", "GradientBoostingClassifier"),
    "svm": ("hepmass.models.svm", "KernelSVMClassifier"),
    "logistic": ("hepmass.models.logistic", "LogisticClassifier"),
    "autoencoder": ("hepmass.models.autoencoder", "AutoencoderClassifier"),
}
"""Module and class of each model, by its ``name`` (the ``--model`` value)."""

MODEL_NAMES: tuple[str, ...] = tuple(_MODEL_CLASSES)


def model_option_names(name: str) -> tuple[str, ...]:
    """Return the keyword options the model ``name`` accepts."""
    parameters = inspect.signature(model_class(name).__init__).parameters
    return tuple(key for key in parameters if key != "self")


def model_class(name: str) -> type[Classifier]:
    """Return the class of the model called ``name`` on the command line."""
    try:
        module, class_name = _MODEL_CLASSES[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}"
        ) from None
    return getattr(importlib.import_module(module), class_name)


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
    from hepmass.models.base import read_model_record

    record = read_model_record(directory)
    name = record.get("model")
    if name not in _MODEL_CLASSES:
        raise ModelError(
            f"{Path(directory) / 'model.json'} names model {name!r}, which this "
            f"version of hepmass does not know ({', '.join(MODEL_NAMES)})"
        )
    try:
        return model_class(name).load(Path(directory))
    except ModelError:
        raise
    except Exception as error:  # noqa: BLE001 - any damage to the saved files
        raise ModelError(
            f"the {name} model saved in {directory} cannot be loaded ({error}); "
            "its files are damaged or were edited. Train it again, or restore "
            "the run directory"
        ) from error
