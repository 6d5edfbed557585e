"""Brier score, reliability and calibration fits on samples of known truth."""

import numpy as np
import pytest

from hepmass.errors import ConfigurationError
from hepmass.evaluation.calibration import (
    brier_score,
    fit_calibrator,
    reliability_curve,
    reweight_prior,
)


def _known_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return labels drawn with known probabilities p and scores sigmoid(logit/2)."""
    rng = np.random.default_rng(seed)
    logit = rng.normal(0.0, 2.0, n)
    truth = 1 / (1 + np.exp(-logit))
    labels = (rng.random(n) < truth).astype(float)
    scores = 1 / (1 + np.exp(-logit / 2))
    return labels, scores, truth


def _max_deviation(labels: np.ndarray, scores: np.ndarray) -> float:
    curve = reliability_curve(labels, scores)
    enough = np.array(curve["events"]) >= 200
    gap = np.abs(np.array(curve["signal_fraction"]) - np.array(curve["mean_score"]))
    return float(gap[enough].max())


def test_brier_known_values():
    labels = np.array([0.0, 1.0, 1.0, 0.0])
    assert brier_score(labels, labels) == 0.0
    assert brier_score(labels, np.full(4, 0.5)) == 0.25
    assert brier_score(labels, np.array([0.1, 0.9, 0.6, 0.0])) == pytest.approx(
        (0.01 + 0.01 + 0.16 + 0.0) / 4
    )


def test_reliability_counts_and_fractions():
    labels = np.array([0, 0, 1, 1, 1, 0], dtype=float)
    scores = np.array([0.05, 0.08, 0.55, 0.95, 1.0, 0.91])
    curve = reliability_curve(labels, scores, bins=10)
    assert curve["bin_low"] == pytest.approx([0.0, 0.5, 0.9])
    assert curve["events"] == [2, 1, 3]
    assert curve["signal_fraction"] == pytest.approx([0.0, 1.0, 2 / 3])


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibration_makes_known_sample_reliable(method):
    fit_labels, fit_scores, _ = _known_sample(40000, 1)
    labels, scores, truth = _known_sample(40000, 2)
    assert _max_deviation(labels, scores) > 0.1
    calibrated = fit_calibrator(fit_labels, fit_scores, method).apply(scores)
    assert _max_deviation(labels, calibrated) < 0.03
    assert np.mean(np.abs(calibrated - truth)) < 0.03
    assert brier_score(labels, calibrated) < brier_score(labels, scores)


def test_platt_recovers_slope():
    labels, scores, _ = _known_sample(40000, 3)
    calibrator = fit_calibrator(labels, scores, "platt")
    assert calibrator.parameters["slope"] == pytest.approx(2.0, rel=0.05)
    assert calibrator.parameters["intercept"] == pytest.approx(0.0, abs=0.05)


def test_reweight_prior_matches_bayes():
    # Likelihood ratio 3 at prior 0.5 gives p = 0.75; at prior 0.1 the odds
    # are 3 * (0.1 / 0.9) = 1/3, so p = 0.25.
    assert reweight_prior(np.array([0.75]), 0.5, 0.1)[0] == pytest.approx(0.25)
    assert reweight_prior(np.array([0.3]), 0.2, 0.2)[0] == pytest.approx(0.3)


def test_invalid_inputs_raise():
    labels, scores, _ = _known_sample(100, 4)
    with pytest.raises(ConfigurationError, match="one of isotonic, platt, got 'beta'"):
        fit_calibrator(labels, scores, "beta")
    with pytest.raises(ConfigurationError, match="to_prior must lie .* got 1.0"):
        reweight_prior(scores, 0.5, 1.0)
    with pytest.raises(ConfigurationError, match="at least 1, got 0"):
        reliability_curve(labels, scores, bins=0)
