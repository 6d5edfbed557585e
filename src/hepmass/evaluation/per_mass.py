"""Metrics at each signal mass: ROC AUC and background rejection.

Each mass point is judged as a search for that mass would judge it: the
signal generated at that mass against ALL background. A model that takes
the mass as an input scores the background again with the hypothesis mass
set to the point under test, so background is never scored with a random
mass. Background rejection is 1 / (background efficiency) at a fixed signal
efficiency, read off the ROC curve by linear interpolation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import auc, roc_curve

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.evaluation.plots import save_figure, style
from hepmass.features import snap_masses
from hepmass.models.base import Classifier

log = logging.getLogger(__name__)

SIGNAL_EFFICIENCIES: tuple[float, ...] = (0.3, 0.5, 0.7)
"""Signal efficiencies at which the background rejection is reported."""


def mass_point_metrics(
    signal_scores: np.ndarray,
    background_scores: np.ndarray,
    efficiencies: Sequence[float] = SIGNAL_EFFICIENCIES,
) -> dict[str, Any]:
    """Return the AUC and the background rejection at each signal efficiency.

    The rejection is ``null`` where no background passes the cut (it would
    be infinite); ``background_efficiency`` then reads 0.
    """
    if len(signal_scores) == 0 or len(background_scores) == 0:
        raise ConfigurationError(
            f"a mass point needs signal and background, got {len(signal_scores)} "
            f"signal and {len(background_scores)} background events"
        )
    labels = np.concatenate(
        [np.ones(len(signal_scores)), np.zeros(len(background_scores))]
    )
    scores = np.concatenate([signal_scores, background_scores])
    fpr, tpr, _ = roc_curve(labels, scores)
    efficiency: dict[str, float] = {}
    rejection: dict[str, float | None] = {}
    for target in efficiencies:
        background_efficiency = float(np.interp(target, tpr, fpr))
        efficiency[f"{target:g}"] = background_efficiency
        rejection[f"{target:g}"] = (
            1.0 / background_efficiency if background_efficiency > 0 else None
        )
    return {
        "n_signal": int(len(signal_scores)),
        "n_background": int(len(background_scores)),
        "auc": float(auc(fpr, tpr)),
        "background_efficiency": efficiency,
        "background_rejection": rejection,
    }


def per_mass_metrics(
    model: Classifier,
    events: Events,
    scores: np.ndarray,
    efficiencies: Sequence[float] = SIGNAL_EFFICIENCIES,
) -> dict[str, dict[str, Any]]:
    """Return :func:`mass_point_metrics` for every signal mass in ``events``.

    ``scores`` are the model's scores of ``events`` as evaluated (each event
    with its own mass). Keys are the masses in GeV written as text ("1000").
    Returns an empty dict for events without a mass column.
    """
    if events.mass is None:
        return {}
    mass = snap_masses(events.mass)
    is_signal = events.labels == 1
    background = np.flatnonzero(~is_signal)
    results: dict[str, dict[str, Any]] = {}
    for point in np.unique(mass[is_signal]):
        signal_scores = scores[is_signal & (mass == point)]
        if model.uses_mass:
            background_scores = model.predict(
                _with_mass(events.take(background), float(point))
            )
        else:
            background_scores = scores[background]
        results[f"{point:g}"] = mass_point_metrics(
            signal_scores, background_scores, efficiencies
        )
        log.info(
            "mass %g GeV: AUC %.4f on %d signal events",
            point, results[f"{point:g}"]["auc"], len(signal_scores),
        )
    return results


def _with_mass(events: Events, mass: float) -> Events:
    hypothesis = np.full(len(events), mass, dtype=np.float32)
    return Events(events.features, events.labels, hypothesis, events.source)


def plot_per_mass(
    results: dict[str, dict[str, dict[str, Any]]],
    path: Path,
    efficiency: float = 0.5,
) -> Path:
    """Write AUC and background rejection against the mass, one curve per model.

    ``results`` maps a model label to its ``per_mass`` dict.
    """
    return save_figure(draw_per_mass(results, efficiency), path)


def draw_per_mass(
    results: dict[str, dict[str, dict[str, Any]]], efficiency: float = 0.5
) -> plt.Figure:
    """Draw the AUC (left) and rejection at ``efficiency`` (right, log scale)."""
    key = f"{efficiency:g}"
    with style():
        figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
        for label, per_mass in results.items():
            masses = sorted(per_mass, key=float)
            x = [float(m) for m in masses]
            left.plot(x, [per_mass[m]["auc"] for m in masses], "o-", lw=2, label=label)
            rejection = [
                per_mass[m]["background_rejection"].get(key) or np.nan for m in masses
            ]
            right.plot(x, rejection, "o-", lw=2, label=label)
        left.set_xlabel("Signal mass [GeV]")
        left.set_ylabel("ROC AUC")
        left.set_title("Signal at each mass vs all background", fontsize=16)
        left.legend(loc="lower right", fontsize=12)
        right.set_yscale("log")
        right.set_xlabel("Signal mass [GeV]")
        right.set_ylabel("Background rejection (1 / FPR)")
        right.set_title(f"At {efficiency:.0%} signal efficiency", fontsize=16)
        figure.tight_layout()
    return figure
