"""Bootstrap intervals against known AUCs and materialized resamples."""

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from hepmass.errors import ConfigurationError
from hepmass.evaluation.bootstrap import bootstrap_intervals, curve_auc
from hepmass.evaluation.thresholds import SortedScores, cut_curve

SEPARATION = 1.0
KNOWN_AUC = float(norm.cdf(SEPARATION / np.sqrt(2)))
"""AUC of two unit Gaussians a distance SEPARATION apart: Phi(d / sqrt(2))."""


def _gaussian_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat([0.0, 1.0], n // 2)
    scores = rng.normal(SEPARATION * labels, 1.0)
    return labels, scores


def test_curve_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 1000).astype(float)
    scores = np.round(rng.random(1000) + 0.3 * labels, 1)
    assert curve_auc(cut_curve(labels, scores)) == pytest.approx(
        roc_auc_score(labels, scores)
    )


def test_weighted_auc_equals_repeated_sample():
    labels, scores = _gaussian_sample(400, 1)
    scores = np.round(scores, 1)
    weights = np.random.default_rng(2).poisson(1.0, len(labels)).astype(float)
    weighted = curve_auc(SortedScores(labels, scores).curve(weights))
    counts = weights.astype(int)
    repeated = roc_auc_score(np.repeat(labels, counts), np.repeat(scores, counts))
    assert weighted == pytest.approx(repeated)


def test_interval_covers_known_auc_and_shrinks():
    widths = []
    for n in (1000, 16000):
        labels, scores = _gaussian_sample(n, 3)
        result = bootstrap_intervals(labels, scores, resamples=200, seed=4)
        auc = result["roc_auc"]
        assert auc["low"] < KNOWN_AUC < auc["high"]
        widths.append(auc["high"] - auc["low"])
    # The width falls as 1/sqrt(n): a factor 4 for 16 times the events.
    assert widths[1] < widths[0] / 2.5


def test_threshold_interval_covers_known_efficiency():
    labels, scores = _gaussian_sample(20000, 5)
    result = bootstrap_intervals(labels, scores, {"zero": 0.0}, resamples=200, seed=6)
    efficiency = result["at_threshold"]["zero"]["signal_efficiency"]
    # Signal is N(1, 1), so P(score >= 0) = Phi(1).
    assert efficiency["low"] < norm.cdf(1.0) < efficiency["high"]
    assert "asimov_z" not in result["at_threshold"]["zero"]


def test_bootstrap_is_seeded():
    labels, scores = _gaussian_sample(500, 7)
    first = bootstrap_intervals(labels, scores, resamples=20, seed=8)
    second = bootstrap_intervals(labels, scores, resamples=20, seed=8)
    assert first == second


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"resamples": 1}, "at least 2 resamples, got 1"),
        ({"level": 1.0}, "confidence level must lie strictly between 0 and 1, got 1.0"),
        ({"thresholds": {"high": 99.0}}, "threshold 99.0 lies above every score"),
    ],
)
def test_invalid_options_raise(options, match):
    labels, scores = _gaussian_sample(100, 9)
    with pytest.raises(ConfigurationError, match=match):
        bootstrap_intervals(labels, scores, **options)


def test_merged_bins_keep_auc_and_cut(monkeypatch):
    rng = np.random.default_rng(7)
    labels = np.repeat([0.0, 1.0], 5000)
    scores = np.concatenate([rng.normal(0, 1, 5000), rng.normal(1, 1, 5000)])
    scores = (1 / (1 + np.exp(-scores))).astype(np.float32)
    exact = bootstrap_intervals(labels, scores, {"cut": 0.6}, resamples=100, seed=3)
    monkeypatch.setattr("hepmass.evaluation.bootstrap.MAX_BINS", 200)
    merged = bootstrap_intervals(labels, scores, {"cut": 0.6}, resamples=100, seed=3)
    for bound in ("low", "high"):
        assert merged["roc_auc"][bound] == pytest.approx(exact["roc_auc"][bound], abs=0.005)
    efficiency = merged["at_threshold"]["cut"]["signal_efficiency"]
    reference = exact["at_threshold"]["cut"]["signal_efficiency"]
    assert efficiency["std"] == pytest.approx(reference["std"], rel=0.3)
    assert efficiency["low"] < np.mean(scores[labels == 1] >= 0.6) < efficiency["high"]
