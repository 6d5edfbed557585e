"""Cut efficiencies at every threshold and the choice of an optimal threshold.

An event passes a threshold ``t`` when its score is at least ``t``, as in
:func:`hepmass.evaluation.metrics.threshold_metrics`. The candidate thresholds
are the distinct scores, and sorting once and taking cumulative sums gives the
passing signal and background at all of them in O(n log n).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from hepmass.errors import ConfigurationError
from hepmass.evaluation.metrics import check_scores
from hepmass.evaluation.significance import (
    asimov_significance,
    check_yields,
    simple_significance,
)

log = logging.getLogger(__name__)

DEFAULT_MIN_BACKGROUND_EVENTS = 10
"""Background test events that must pass a cut chosen for its significance.

Fewer passing events make the estimated background efficiency, and so the
significance, a fluctuation of a handful of events.
"""


class SortedScores:
    """Scores sorted once in decreasing order and grouped by distinct value.

    Weighted cumulative sums over this order (:meth:`curve`) give the passing
    signal and background at every threshold, for unit weights or for the
    per-event weights of a bootstrap resample.
    """

    def __init__(self, labels: np.ndarray, scores: np.ndarray) -> None:
        check_scores(labels, scores)
        order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
        sorted_scores = np.asarray(scores)[order]
        last_of_group = np.append(sorted_scores[1:] != sorted_scores[:-1], True)
        self.order = order
        self.is_signal = np.asarray(labels)[order] == 1
        self.group_end = np.flatnonzero(last_of_group)
        self.thresholds = sorted_scores[self.group_end].astype(np.float64)
        self.group = np.cumsum(np.append(False, last_of_group[:-1]))

    def curve(self, weights: np.ndarray | None = None) -> CutCurve:
        """Return the passing signal and background (weighted) at each threshold."""
        if weights is None:
            signal_weight = self.is_signal.astype(np.float64)
        else:
            signal_weight = np.where(self.is_signal, weights[self.order], 0.0)
        background_weight = (
            (~self.is_signal).astype(np.float64)
            if weights is None
            else weights[self.order] - signal_weight
        )
        signal = np.cumsum(signal_weight)
        background = np.cumsum(background_weight)
        return CutCurve(
            self.thresholds,
            signal[self.group_end],
            background[self.group_end],
            float(signal[-1]),
            float(background[-1]),
        )


@dataclass(frozen=True)
class CutCurve:
    """Passing signal and background at each threshold, thresholds decreasing."""

    thresholds: np.ndarray
    signal_passed: np.ndarray
    background_passed: np.ndarray
    n_signal: float
    n_background: float

    @property
    def signal_efficiency(self) -> np.ndarray:
        return self.signal_passed / self.n_signal

    @property
    def background_efficiency(self) -> np.ndarray:
        return self.background_passed / self.n_background

    def f1(self) -> np.ndarray:
        """F1 = 2 TP / (2 TP + FP + FN) at each threshold."""
        tp = self.signal_passed
        fp = self.background_passed
        return 2 * tp / (tp + fp + self.n_signal)

    def youden(self) -> np.ndarray:
        """Youden's J = signal efficiency - background efficiency."""
        return self.signal_efficiency - self.background_efficiency


def cut_curve(labels: np.ndarray, scores: np.ndarray) -> CutCurve:
    """Return the unweighted cut curve of ``scores``."""
    return SortedScores(labels, scores).curve()


@dataclass(frozen=True)
class Yields:
    """Expected events before the cut and the background's relative uncertainty."""

    signal: float
    background: float
    background_uncertainty: float = 0.0

    def __post_init__(self) -> None:
        check_yields(self.signal, self.background, self.background_uncertainty)

    def to_dict(self) -> dict[str, float]:
        return {
            "signal_yield": self.signal,
            "background_yield": self.background,
            "background_relative_uncertainty": self.background_uncertainty,
        }


def significances(curve: CutCurve, yields: Yields) -> dict[str, np.ndarray]:
    """Return s, b, s/sqrt(b) and Z_A at each threshold of ``curve``."""
    s = yields.signal * curve.signal_efficiency
    b = yields.background * curve.background_efficiency
    return {
        "expected_signal": s,
        "expected_background": b,
        "s_over_sqrt_b": simple_significance(s, b),
        "asimov_z": asimov_significance(s, b, yields.background_uncertainty),
    }


def metrics_at(
    curve: CutCurve, index: int, yields: Yields | None = None
) -> dict[str, Any]:
    """Return every metric at threshold ``curve.thresholds[index]``."""
    tp = float(curve.signal_passed[index])
    fp = float(curve.background_passed[index])
    fn = curve.n_signal - tp
    tn = curve.n_background - fp
    background_efficiency = fp / curve.n_background
    values: dict[str, Any] = {
        "threshold": float(curve.thresholds[index]),
        "accuracy": (tp + tn) / (curve.n_signal + curve.n_background),
        "precision": tp / (tp + fp) if tp + fp > 0 else 0.0,
        "recall": tp / curve.n_signal,
        "f1": 2 * tp / (2 * tp + fp + fn),
        "confusion": {
            "tn": _count(tn), "fp": _count(fp), "fn": _count(fn), "tp": _count(tp)
        },
        "signal_efficiency": tp / curve.n_signal,
        "background_efficiency": background_efficiency,
        "background_rejection": (
            1.0 / background_efficiency if background_efficiency > 0 else None
        ),
        "youden_j": tp / curve.n_signal - background_efficiency,
    }
    if yields is not None:
        for key, array in significances(curve, yields).items():
            value = float(array[index])
            values[key] = value if np.isfinite(value) else None
    return values


def _count(value: float) -> int | float:
    """Return unweighted counts as int, as the fixed-threshold metrics do."""
    return int(value) if float(value).is_integer() else float(value)


def _check_target(name: str, value: float, low: float, high: float) -> None:
    if not low < value <= high:
        raise ConfigurationError(f"{name} must lie in ({low:g}, {high:g}], got {value}")


def index_for_signal_efficiency(curve: CutCurve, target: float) -> int:
    """Return the highest threshold whose signal efficiency reaches ``target``."""
    _check_target("the target signal efficiency", target, 0.0, 1.0)
    return int(np.argmax(curve.signal_efficiency >= target - 1e-12))


def index_for_background_rejection(curve: CutCurve, target: float) -> int | None:
    """Return the lowest threshold whose background rejection reaches ``target``.

    The rejection is 1 / background efficiency. Returns ``None`` when even the
    highest threshold lets more background through than 1 / ``target``.
    """
    _check_target("the target background rejection", target, 1.0, np.inf)
    passing = np.flatnonzero(curve.background_efficiency <= 1.0 / target + 1e-12)
    return int(passing[-1]) if len(passing) else None


def optimize_thresholds(
    labels: np.ndarray,
    scores: np.ndarray,
    *,
    yields: Yields | None = None,
    signal_efficiency: float | None = None,
    background_rejection: float | None = None,
    min_background_events: int = DEFAULT_MIN_BACKGROUND_EVENTS,
) -> dict[str, dict[str, Any] | None]:
    """Choose thresholds by each criterion and return all metrics at each.

    Criteria: ``max_f1``, ``max_youden``, ``target_signal_efficiency`` and
    ``target_background_rejection`` when a target is given, and with
    ``yields`` ``max_s_over_sqrt_b`` and ``max_asimov_z``, maximized over
    thresholds that keep at least ``min_background_events`` background test
    events. A criterion that no threshold satisfies maps to ``None``.
    """
    if min_background_events < 1:
        raise ConfigurationError(
            "the minimum number of passing background events must be at least 1, "
            f"got {min_background_events}"
        )
    curve = cut_curve(labels, scores)
    chosen: dict[str, int | None] = {
        "max_f1": int(np.argmax(curve.f1())),
        "max_youden": int(np.argmax(curve.youden())),
    }
    if signal_efficiency is not None:
        chosen["target_signal_efficiency"] = index_for_signal_efficiency(
            curve, signal_efficiency
        )
    if background_rejection is not None:
        chosen["target_background_rejection"] = index_for_background_rejection(
            curve, background_rejection
        )
    if yields is not None:
        values = significances(curve, yields)
        allowed = curve.background_passed >= min_background_events
        for key in ("s_over_sqrt_b", "asimov_z"):
            z = np.where(allowed & np.isfinite(values[key]), values[key], -np.inf)
            chosen[f"max_{key}"] = int(np.argmax(z)) if np.isfinite(z.max()) else None

    result = {
        name: None if index is None else metrics_at(curve, index, yields)
        for name, index in chosen.items()
    }
    for name, values in result.items():
        if values is None:
            log.warning("no threshold satisfies the criterion %s", name)
        else:
            log.info("threshold by %s: %.4f", name, values["threshold"])
    return result
