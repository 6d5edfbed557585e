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
    # scikit-learn is imported here, so that the command line can read
    # DEFAULT_REPEATS without loading it.
    from sklearn.metrics import roc_auc_score

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


def correlations(events: Events, chunk_rows: int = 1 << 18) -> dict[str, np.ndarray]:
    """Return the Pearson correlation matrices of signal and background features.

    Sums and cross products are accumulated in float64 over blocks of rows, so
    the memory needed does not grow with the number of events. A feature
    constant within a class (for example a b-tag in a small sample) has an
    undefined correlation, written as 0.
    """
    result = {}
    for name, label in (("signal", 1), ("background", 0)):
        count, total, products = _moments(events, label, chunk_rows)
        if count < 2:
            raise ConfigurationError(
                f"correlations need at least 2 {name} events, got {count}"
            )
        mean = total / count
        covariance = products / count - np.outer(mean, mean)
        spread = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
        with np.errstate(invalid="ignore", divide="ignore"):
            matrix = covariance / np.outer(spread, spread)
        result[name] = np.clip(np.nan_to_num(matrix, nan=0.0, posinf=0.0), -1, 1)
    return result


def _moments(
    events: Events, label: int, chunk_rows: int
) -> tuple[int, np.ndarray, np.ndarray]:
    width = events.features.shape[1]
    count, total, products = 0, np.zeros(width), np.zeros((width, width))
    for start in range(0, len(events), chunk_rows):
        stop = start + chunk_rows
        rows = events.features[start:stop][events.labels[start:stop] == label]
        rows = rows.astype(np.float64)
        count += len(rows)
        total += rows.sum(axis=0)
        products += rows.T @ rows
    return count, total, products
