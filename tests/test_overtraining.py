"""Overtraining check on identical and shifted score distributions."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from hepmass.errors import ConfigurationError
from hepmass.evaluation.overtraining import choose_train_subset, overtraining_check


def _sample(n: int, shift: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat([0.0, 1.0], n // 2)
    scores = 1 / (1 + np.exp(-rng.normal(labels * (1 + shift) - shift / 2, 1.0)))
    return labels, scores


def test_same_distribution_gives_large_p_value():
    train_labels, train_scores = _sample(4000, 0.0, 1)
    test_labels, test_scores = _sample(4000, 0.0, 2)
    result = overtraining_check(train_labels, train_scores, test_labels, test_scores)
    assert result["ks_signal"]["pvalue"] > 0.05
    assert result["ks_background"]["pvalue"] > 0.05
    assert result["auc_train"] == pytest.approx(result["auc_test"], abs=0.03)


def test_sharper_training_scores_give_small_p_value():
    train_labels, train_scores = _sample(4000, 1.0, 3)
    test_labels, test_scores = _sample(4000, 0.0, 4)
    result = overtraining_check(train_labels, train_scores, test_labels, test_scores)
    assert result["ks_signal"]["pvalue"] < 1e-6
    assert result["ks_background"]["pvalue"] < 1e-6
    assert result["auc_train"] > result["auc_test"] + 0.05


def test_ks_statistic_matches_empirical_cdfs():
    train_labels, train_scores = _sample(600, 0.5, 5)
    test_labels, test_scores = _sample(600, 0.0, 6)
    result = overtraining_check(train_labels, train_scores, test_labels, test_scores)
    a = np.sort(train_scores[train_labels == 1])
    b = np.sort(test_scores[test_labels == 1])
    grid = np.concatenate([a, b])
    distance = np.max(
        np.abs(np.searchsorted(a, grid, "right") / len(a)
               - np.searchsorted(b, grid, "right") / len(b))
    )
    assert result["ks_signal"]["statistic"] == pytest.approx(distance)
    assert result["auc_test"] == pytest.approx(roc_auc_score(test_labels, test_scores))


def test_subset_is_bounded_and_seeded():
    first = choose_train_subset(1000, 100, seed=1)
    assert len(first) == 100
    assert np.all(np.diff(first) > 0)
    assert np.array_equal(first, choose_train_subset(1000, 100, seed=1))
    assert len(choose_train_subset(50, 100, seed=1)) == 50


def test_one_class_raises():
    labels = np.ones(10)
    with pytest.raises(ConfigurationError, match=r"labels hold only \[1.0\]"):
        overtraining_check(labels, np.full(10, 0.5), labels, np.full(10, 0.5))
