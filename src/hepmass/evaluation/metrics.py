"""Classification metrics at fixed thresholds and from the ROC curve.

All counts and rates come from scikit-learn's metric functions, so they
follow its conventions: precision is 0 where nothing is selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hepmass.errors import ConfigurationError

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.1, 0.5, 0.9)
"""Thresholds of the original study's confusion matrices."""


def check_scores(labels: np.ndarray, scores: np.ndarray) -> None:
    """Raise ConfigurationError unless labels and scores can be evaluated."""
    if len(labels) != len(scores):
        raise ConfigurationError(
            f"got {len(labels)} labels but {len(scores)} scores; they must match"
        )
    classes = np.unique(labels)
    if len(classes) != 2:
        raise ConfigurationError(
            "evaluation needs both signal and background events, but the "
            f"labels hold only {classes.tolist()}"
        )
    if not np.all(np.isfinite(scores)):
        raise ConfigurationError("scores contain NaN or infinite values")


def check_thresholds(thresholds: Sequence[float]) -> tuple[float, ...]:
    """Return the thresholds sorted, raising if any lies outside [0, 1]."""
    bad = [t for t in thresholds if not 0.0 <= t <= 1.0]
    if bad or not thresholds:
        raise ConfigurationError(
            f"thresholds must be numbers in [0, 1], got {list(thresholds)}"
        )
    return tuple(sorted(set(float(t) for t in thresholds)))


def threshold_metrics(
    labels: np.ndarray, scores: np.ndarray, threshold: float
) -> dict[str, Any]:
    """Return accuracy, precision, recall, F1 and the confusion counts.

    An event is called signal when its score is at least ``threshold``.
    """
    # scikit-learn is imported in the functions that use it, so that the
    # command line can read DEFAULT_THRESHOLDS without loading it.
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        precision_recall_fscore_support,
    )

    predicted = (scores >= threshold).astype(np.int8)
    truth = labels.astype(np.int8)
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, predicted, average="binary", zero_division=0
    )
    tn, fp, fn, tp = confusion_matrix(truth, predicted, labels=[0, 1]).ravel()
    return {
        "threshold": float(threshold),
        "accuracy": float(accuracy_score(truth, predicted)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "confusion": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
    }


def roc_summary(labels: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    """Return the ROC AUC and the curve (false and true positive rates)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, thresholds = roc_curve(labels, scores)
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "fpr": fpr,
        "tpr": tpr,
        "thresholds": thresholds,
    }
