"""Calibration of scores as signal probabilities: reliability, Brier, fits.

A score is calibrated when, among events scored p, a fraction p is signal.
That fraction depends on the class balance of the sample: every split of a
run shares the training split's signal fraction (the splits are
stratified), so a calibrated score is a probability under that prior.
:func:`reweight_prior` converts it to another prior, for example the
expected signal fraction S / (S + B) after a preselection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from hepmass.errors import ConfigurationError
from hepmass.evaluation.metrics import check_scores

log = logging.getLogger(__name__)

CALIBRATION_METHODS = ("none", "isotonic", "platt")
DEFAULT_BINS = 10
_EPSILON = 1e-7


def brier_score(labels: np.ndarray, scores: np.ndarray) -> float:
    """Return the mean squared difference between scores and labels.

    0 for perfect scores; 0.25 for a constant 0.5 on any sample.
    """
    check_scores(labels, scores)
    return float(np.mean((np.asarray(scores, float) - labels) ** 2))


def reliability_curve(
    labels: np.ndarray, scores: np.ndarray, bins: int = DEFAULT_BINS
) -> dict[str, list[float]]:
    """Return per score bin the mean score, the signal fraction and its error.

    Bins split [0, 1] evenly; empty bins are left out. The error is the
    binomial standard error sqrt(f (1 - f) / n).
    """
    check_scores(labels, scores)
    if bins < 1:
        raise ConfigurationError(f"the number of bins must be at least 1, got {bins}")
    index = np.clip((np.asarray(scores) * bins).astype(int), 0, bins - 1)
    count = np.bincount(index, minlength=bins)
    signal = np.bincount(index, weights=labels, minlength=bins)
    score_sum = np.bincount(index, weights=scores, minlength=bins)
    filled = count > 0
    fraction = signal[filled] / count[filled]
    return {
        "bin_low": (np.flatnonzero(filled) / bins).tolist(),
        "mean_score": (score_sum[filled] / count[filled]).tolist(),
        "signal_fraction": fraction.tolist(),
        "signal_fraction_error": np.sqrt(
            fraction * (1 - fraction) / count[filled]
        ).tolist(),
        "events": count[filled].astype(int).tolist(),
    }


def _logit(scores: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(scores, float), _EPSILON, 1 - _EPSILON)
    return np.log(clipped / (1 - clipped))


@dataclass(frozen=True)
class Calibrator:
    """A monotonic map from raw scores to calibrated probabilities.

    ``platt``: p = 1 / (1 + exp(-(slope * logit(score) + intercept))), Platt's
    sigmoid fitted on the logit of the score. ``isotonic``: a non-decreasing
    step function through ``knots_x``, ``knots_y``, linear between knots.
    """

    method: str
    parameters: dict[str, Any]

    def apply(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "platt":
            z = self.parameters["slope"] * _logit(scores) + self.parameters["intercept"]
            return 1 / (1 + np.exp(-z))
        return np.interp(scores, self.parameters["knots_x"], self.parameters["knots_y"])

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, **self.parameters}


def fit_calibrator(labels: np.ndarray, scores: np.ndarray, method: str) -> Calibrator:
    """Fit a calibration map on (validation) ``labels`` and ``scores``."""
    if method not in CALIBRATION_METHODS[1:]:
        raise ConfigurationError(
            f"calibration method must be one of {', '.join(CALIBRATION_METHODS[1:])}, "
            f"got {method!r}"
        )
    # scikit-learn is imported here, so that the command line can read
    # CALIBRATION_METHODS without loading it.
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    check_scores(labels, scores)
    if method == "platt":
        # A weak penalty (large C) keeps the fit close to maximum likelihood.
        fit = LogisticRegression(C=1e6).fit(_logit(scores)[:, None], labels)
        parameters = {
            "slope": float(fit.coef_[0, 0]),
            "intercept": float(fit.intercept_[0]),
        }
    else:
        fit = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        fit.fit(np.asarray(scores, float), labels)
        parameters = {
            "knots_x": fit.X_thresholds_.tolist(),
            "knots_y": fit.y_thresholds_.tolist(),
        }
    log.info("fitted %s calibration on %d events", method, len(labels))
    return Calibrator(method, parameters)


def reweight_prior(
    probabilities: np.ndarray, from_prior: float, to_prior: float
) -> np.ndarray:
    """Convert signal probabilities from one signal fraction to another.

    Bayes' theorem with the likelihood ratio kept: the odds p / (1 - p) scale
    by (to / (1 - to)) / (from / (1 - from)).
    """
    for name, prior in (("from_prior", from_prior), ("to_prior", to_prior)):
        if not 0.0 < prior < 1.0:
            raise ConfigurationError(
                f"{name} must lie strictly between 0 and 1, got {prior}"
            )
    p = np.clip(np.asarray(probabilities, float), _EPSILON, 1 - _EPSILON)
    odds = p / (1 - p) * (to_prior / (1 - to_prior)) / (from_prior / (1 - from_prior))
    return odds / (1 + odds)


def calibration_summary(
    test_labels: np.ndarray,
    test_scores: np.ndarray,
    training_prior: float,
    calibrator: Calibrator | None = None,
) -> dict[str, Any]:
    """Return the Brier score and reliability curve, raw and calibrated."""
    result: dict[str, Any] = {
        "method": calibrator.method if calibrator else "none",
        "training_signal_fraction": training_prior,
        "brier_score": brier_score(test_labels, test_scores),
        "reliability": reliability_curve(test_labels, test_scores),
    }
    if calibrator is not None:
        calibrated = calibrator.apply(test_scores)
        result["brier_score_calibrated"] = brier_score(test_labels, calibrated)
        result["reliability_calibrated"] = reliability_curve(test_labels, calibrated)
        result["calibrator"] = calibrator.to_dict()
    return result
