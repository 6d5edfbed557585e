"""The studies of a trained model beyond the fixed-threshold metrics.

Threshold optimization, background rejection, the overtraining check,
calibration, bootstrap intervals and the feature ranking, each written to
its own key of ``metrics.json`` (see docs/metrics.md) and its own figure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.evaluation import diagnostic_plots, feature_plots
from hepmass.evaluation.bootstrap import DEFAULT_RESAMPLES, bootstrap_intervals
from hepmass.evaluation.calibration import (
    CALIBRATION_METHODS,
    calibration_summary,
    fit_calibrator,
)
from hepmass.evaluation.importance import (
    DEFAULT_MAX_EVENTS,
    DEFAULT_REPEATS,
    correlations,
    permutation_importance,
)
from hepmass.evaluation.overtraining import (
    DEFAULT_MAX_TRAIN_EVENTS,
    choose_train_subset,
    overtraining_check,
)
from hepmass.evaluation.rejection import mass_subsets, rejection_curve, rejection_summary
from hepmass.evaluation.thresholds import (
    DEFAULT_MIN_BACKGROUND_EVENTS,
    Yields,
    cut_curve,
    optimize_thresholds,
    significances,
)
from hepmass.training.config import SEED_MAX

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudySettings:
    """Choices of the studies; the defaults need no input from the user."""

    yields: Yields | None = None
    target_signal_efficiency: float | None = None
    target_background_rejection: float | None = None
    min_background_events: int = DEFAULT_MIN_BACKGROUND_EVENTS
    bootstrap_resamples: int = DEFAULT_RESAMPLES
    calibration: str = "none"
    importance_repeats: int = DEFAULT_REPEATS
    importance_max_events: int = DEFAULT_MAX_EVENTS
    max_train_events: int = DEFAULT_MAX_TRAIN_EVENTS
    seed: int = 0

    def __post_init__(self) -> None:
        if self.calibration not in CALIBRATION_METHODS:
            raise ConfigurationError(
                f"calibration must be one of {', '.join(CALIBRATION_METHODS)}, got "
                f"{self.calibration!r}"
            )
        if self.bootstrap_resamples < 2:
            raise ConfigurationError(
                f"the bootstrap needs at least 2 resamples, got {self.bootstrap_resamples}"
            )
        if self.importance_repeats < 1:
            raise ConfigurationError(
                f"importance repeats must be at least 1, got {self.importance_repeats}"
            )
        target = self.target_signal_efficiency
        if target is not None and not 0 < target <= 1:
            raise ConfigurationError(
                f"the target signal efficiency must lie in (0, 1], got {target}"
            )
        target = self.target_background_rejection
        if target is not None and not 1 < target < np.inf:
            raise ConfigurationError(
                f"the target background rejection must be a finite number above 1, "
                f"got {target}"
            )
        if not 0 <= self.seed <= SEED_MAX:
            raise ConfigurationError(
                f"the study seed must be between 0 and {SEED_MAX}, got {self.seed}"
            )
        for name in ("importance_max_events", "max_train_events"):
            if getattr(self, name) < 2:
                raise ConfigurationError(
                    f"{name} must be at least 2, got {getattr(self, name)}"
                )


def _subset(events: Events, max_events: int, seed: int) -> Events:
    if len(events) <= max_events:
        return events
    return events.take(choose_train_subset(len(events), max_events, seed))


def study_thresholds(
    labels: np.ndarray,
    scores: np.ndarray,
    mass: np.ndarray | None,
    settings: StudySettings,
    match_background_mass: bool,
    out_dir: Path,
) -> dict[str, Any]:
    """Optimize thresholds overall and per mass; draw thresholds and rejection."""
    options = {
        "yields": settings.yields,
        "signal_efficiency": settings.target_signal_efficiency,
        "background_rejection": settings.target_background_rejection,
        "min_background_events": settings.min_background_events,
    }
    optimal = optimize_thresholds(labels, scores, **options)
    result: dict[str, Any] = {
        "optimal_thresholds": optimal,
        "significance_settings": (
            {**settings.yields.to_dict(),
             "min_background_events": settings.min_background_events}
            if settings.yields else None
        ),
        "optimal_thresholds_per_mass": {},
        "background_rejection": rejection_summary(
            labels, scores, mass, match_background_mass
        ),
    }
    curves = {"all masses": rejection_curve(labels, scores)}
    if mass is not None:
        for point, mask in mass_subsets(labels, mass, match_background_mass):
            result["optimal_thresholds_per_mass"][f"{point:g}"] = optimize_thresholds(
                labels[mask], scores[mask], **options
            )
            curves[f"m_X = {point:g} GeV"] = rejection_curve(labels[mask], scores[mask])

    curve = cut_curve(labels, scores)
    chosen = {name: v["threshold"] for name, v in optimal.items() if v is not None}
    significance = significances(curve, settings.yields) if settings.yields else None
    diagnostic_plots.plot_thresholds(curve, significance, chosen,
                                     out_dir / "thresholds.png")
    diagnostic_plots.plot_rejection(curves, out_dir / "rejection.png")
    return result


def study_model(
    model: Any,
    test: Events,
    scores: np.ndarray,
    out_dir: Path,
    settings: StudySettings | None = None,
    *,
    train: Events | None = None,
    valid: Events | None = None,
) -> dict[str, Any]:
    """Run every study on a model's test scores and return the metrics keys.

    ``model`` needs ``predict(events)`` and ``uses_mass``. ``train`` enables
    the overtraining check; ``valid`` the calibration fit and the training
    prior (the validation split shares the training split's class balance).
    """
    settings = settings or StudySettings()
    out_dir = Path(out_dir)
    labels = test.labels
    uses_mass = bool(getattr(model, "uses_mass", False))
    result = study_thresholds(
        labels, scores, test.mass, settings, uses_mass, out_dir
    )

    chosen = {
        name: values["threshold"]
        for name, values in result["optimal_thresholds"].items()
        if values is not None
    }
    result["bootstrap"] = bootstrap_intervals(
        labels, scores, chosen, yields=settings.yields,
        resamples=settings.bootstrap_resamples, seed=settings.seed,
    )

    if train is not None:
        subset = _subset(train, settings.max_train_events, settings.seed)
        train_scores = model.predict(subset)
        check = overtraining_check(subset.labels, train_scores, labels, scores)
        result["overtraining"] = check
        diagnostic_plots.plot_overtraining(
            (subset.labels, train_scores), (labels, scores), check,
            out_dir / "overtraining.png",
        )
    else:
        result["overtraining"] = None

    result["calibration"] = _study_calibration(model, test, scores, valid, settings)
    diagnostic_plots.plot_calibration(result["calibration"],
                                      out_dir / "calibration.png")

    ranked = _subset(test, settings.importance_max_events, settings.seed)
    result["permutation_importance"] = permutation_importance(
        model.predict, ranked, repeats=settings.importance_repeats, seed=settings.seed
    )
    feature_plots.plot_importance(result["permutation_importance"],
                                  out_dir / "importance.png")
    feature_plots.plot_correlations(correlations(test), out_dir / "correlations.png")
    return result


def _study_calibration(
    model: Any,
    test: Events,
    scores: np.ndarray,
    valid: Events | None,
    settings: StudySettings,
) -> dict[str, Any]:
    reference = valid if valid is not None else test
    prior = float(np.mean(reference.labels))
    calibrator = None
    if settings.calibration != "none":
        if valid is None:
            raise ConfigurationError(
                f"{settings.calibration} calibration is fitted on the validation "
                "split, but none was given; evaluate a run directory whose "
                "training data can be read again"
            )
        calibrator = fit_calibrator(valid.labels, model.predict(valid),
                                    settings.calibration)
    summary = calibration_summary(test.labels, scores, prior, calibrator)
    summary["prior_source"] = "validation split" if valid is not None else "test events"
    return summary
