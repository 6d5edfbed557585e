"""Overtraining check: the scores of training and test events compared.

A model that learned its training events rather than the classes scores them
more confidently than unseen events. Per class, the two-sample
Kolmogorov-Smirnov test compares the training and test score distributions,
and the AUC on both splits shows the gap in separation.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score

from hepmass.evaluation.metrics import check_scores

log = logging.getLogger(__name__)

DEFAULT_MAX_TRAIN_EVENTS = 1_000_000
"""Training events scored for the check; a random subset above this."""

SMALL_P_VALUE = 0.01


def overtraining_check(
    train_labels: np.ndarray,
    train_scores: np.ndarray,
    test_labels: np.ndarray,
    test_scores: np.ndarray,
) -> dict[str, Any]:
    """Return the KS statistic and p-value per class and the AUC on each split.

    A small p-value says the class's training and test scores are unlikely
    to come from one distribution. With millions of events the test detects
    differences too small to matter, so read it beside the AUC gap.
    """
    check_scores(train_labels, train_scores)
    check_scores(test_labels, test_scores)

    result: dict[str, Any] = {"n_train": int(len(train_labels))}
    for name, label in (("signal", 1), ("background", 0)):
        test = ks_2samp(train_scores[train_labels == label],
                        test_scores[test_labels == label])
        result[f"ks_{name}"] = {
            "statistic": float(test.statistic),
            "pvalue": float(test.pvalue),
        }
        if test.pvalue < SMALL_P_VALUE:
            log.warning(
                "%s scores differ between training and test events "
                "(KS p-value %.2g): the model may be overtrained",
                name, test.pvalue,
            )
    result["auc_train"] = float(roc_auc_score(train_labels, train_scores))
    result["auc_test"] = float(roc_auc_score(test_labels, test_scores))
    return result


def choose_train_subset(n_events: int, max_events: int, seed: int) -> np.ndarray:
    """Return sorted indices of at most ``max_events`` of ``n_events``, seeded."""
    if n_events <= max_events:
        return np.arange(n_events)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_events, size=max_events, replace=False))
