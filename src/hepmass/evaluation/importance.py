"""Feature ranking by permutation importance, and feature correlations.

The permutation importance of a feature is the drop in test AUC when one feature's column is shuffled across events, which
breaks its relation to the label and to the other features while keeping
its distribution.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.features import FEATURE_COLUMNS, PHYSICAL_NAMES

log = logging.getLogger(__name__)

DEFAULT_REPEATS = 3
DEFAULT_MAX_EVENTS = 100_000
"""Test events used for the ranking; 27 features times the repeats are scored."""


def permutation_importance(
    predict: Callable[[Events], np.ndarray],
    events: Events,
    *,
    repeats: int = DEFAULT_REPEATS,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Return the features sorted by mean AUC drop when each is shuffled.

    Each entry: ``feature`` (f0..f26), ``name`` (physical name),
    ``auc_drop`` (mean over ``repeats`` shuffles) and ``auc_drop_std``.
    """
    if repeats < 1:
        raise ConfigurationError(f"repeats must be at least 1, got {repeats}")
    # NOTE: only the 27 features are shuffled, so a model that takes the mass
    # as an input gets no importance for the mass itself.
    rng = np.random.default_rng(seed)
    base = roc_auc_score(events.labels, predict(events))

    ranking = []
    for column in range(events.features.shape[1]):
        drops = []
        for _ in range(repeats):
            features = events.features.copy()
            features[:, column] = rng.permutation(features[:, column])
            shuffled = Events(features, events.labels, events.mass, events.source)
            drops.append(base - roc_auc_score(events.labels, predict(shuffled)))
        ranking.append(
            {
                "feature": FEATURE_COLUMNS[column],
                "name": PHYSICAL_NAMES[column],
                "auc_drop": float(np.mean(drops)),
                "auc_drop_std": float(np.std(drops)),
            }
        )
    ranking.sort(key=lambda entry: entry["auc_drop"], reverse=True)
    log.info(
        "most important feature: %s (AUC drop %.4f)",
        ranking[0]["name"], ranking[0]["auc_drop"],
    )
    return ranking


def correlations(events: Events) -> dict[str, np.ndarray]:
    """Return the Pearson correlation matrices of signal and background features.

    A feature constant within a class (for example a b-tag in a small sample)
    has an undefined correlation, written as 0.
    """
    result = {}
    for name, label in (("signal", 1), ("background", 0)):
        features = events.features[events.labels == label].astype(np.float64)
        if len(features) < 2:
            raise ConfigurationError(
                f"correlations need at least 2 {name} events, got {len(features)}"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            matrix = np.corrcoef(features, rowvar=False)
        result[name] = np.nan_to_num(matrix, nan=0.0)
    return result
