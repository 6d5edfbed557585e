"""Classifiers behind one interface: fit, predict scores, save, load.

Every model is a :class:`~hepmass.models.base.Classifier`; the registry maps
the names used on the command line (``--model NAME``) to their classes. The
names below are imported on first use, and the registry imports a model's
module only when that model is built or loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hepmass.lazy import export_lazily

if TYPE_CHECKING:
    from hepmass.models.base import Classifier
    from hepmass.models.registry import MODEL_NAMES, create_model, load_model

__all__ = ["MODEL_NAMES", "Classifier", "create_model", "load_model"]

__getattr__ = export_lazily(
    __name__,
    {
        "Classifier": "hepmass.models.base",
        "MODEL_NAMES": "hepmass.models.registry",
        "create_model": "hepmass.models.registry",
        "load_model": "hepmass.models.registry",
    },
)
