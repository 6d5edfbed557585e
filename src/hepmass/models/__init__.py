"""Classifiers behind one interface: fit, predict scores, save, load.

Every model is a :class:`~hepmass.models.base.Classifier`; the registry maps
the names used on the command line (``--model NAME``) to their classes.
"""

from hepmass.models.base import Classifier
from hepmass.models.registry import MODEL_NAMES, create_model, load_model

__all__ = ["MODEL_NAMES", "Classifier", "create_model", "load_model"]
