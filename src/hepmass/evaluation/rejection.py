"""Background rejection against signal efficiency, overall and per mass.

The rejection is 1 / background efficiency, the figure of merit of tagging
studies; per mass, the signal events of one hypothesis mass are set against
the background.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from hepmass.evaluation.thresholds import cut_curve, index_for_signal_efficiency
from hepmass.features import snap_masses

REPORTED_EFFICIENCIES: tuple[float, ...] = (0.3, 0.5, 0.7, 0.9)
"""Signal efficiencies at which metrics.json records the rejection."""


def mass_subsets(
    labels: np.ndarray, mass: np.ndarray, match_background_mass: bool
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(mass, mask)``: the signal at each mass with its background.

    The background is every background event, or with
    ``match_background_mass`` only those given the same hypothesis mass. The
    HEPMASS files give background events masses drawn at random, so both
    choices sample one background, but a model that takes the mass as an
    input scores each background event at its own mass, and only the matched
    events were scored at the signal's mass.
    """
    mass = snap_masses(mass)
    background = labels == 0
    for point in np.unique(mass[labels == 1]):
        signal = (labels == 1) & (mass == point)
        if match_background_mass:
            mask = signal | (background & (mass == point))
        else:
            mask = signal | background
        if np.any(mask & background):
            yield float(point), mask


def rejection_curve(
    labels: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return signal efficiency and background rejection where it is finite."""
    curve = cut_curve(labels, scores)
    keep = curve.background_passed > 0
    return (
        curve.signal_efficiency[keep],
        1.0 / curve.background_efficiency[keep],
    )


def rejection_at_efficiencies(
    labels: np.ndarray,
    scores: np.ndarray,
    efficiencies: tuple[float, ...] = REPORTED_EFFICIENCIES,
) -> dict[str, float | None]:
    """Return the best rejection with at least each signal efficiency.

    ``None`` where no background event passes the cut: the rejection is then
    beyond what the test sample can measure.
    """
    curve = cut_curve(labels, scores)
    result: dict[str, float | None] = {}
    for efficiency in efficiencies:
        index = index_for_signal_efficiency(curve, efficiency)
        background = curve.background_efficiency[index]
        result[f"{efficiency:g}"] = float(1 / background) if background > 0 else None
    return result


def rejection_summary(
    labels: np.ndarray,
    scores: np.ndarray,
    mass: np.ndarray | None,
    match_background_mass: bool = False,
) -> dict[str, Any]:
    """Return rejections at :data:`REPORTED_EFFICIENCIES`, overall and per mass."""
    result: dict[str, Any] = {
        "overall": rejection_at_efficiencies(labels, scores),
        "per_mass": {},
    }
    if mass is not None:
        for point, mask in mass_subsets(labels, mass, match_background_mass):
            result["per_mass"][f"{point:g}"] = rejection_at_efficiencies(
                labels[mask], scores[mask]
            )
    return result
