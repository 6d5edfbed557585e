"""Figures of the baseline analysis: ROC curve, confusion matrices, scores.

Every figure uses mplhep's ROOT-like style, is written as PNG and closed, so
a long run does not accumulate open figures.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mplhep  # noqa: E402
import numpy as np  # noqa: E402

log = logging.getLogger(__name__)

SIGNAL_COLOR = "#d62728"
BACKGROUND_COLOR = "#1f77b4"


_READABLE_SIZES = {
    "axes.labelsize": 18,
    "axes.titlesize": 16,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 13,
}
"""Smaller text than the ROOT style's, so long axis labels fit the figure."""


def style():
    """Return the matplotlib style context used by every hepmass figure."""
    return plt.style.context([mplhep.style.ROOT, _READABLE_SIZES])


def save_figure(figure: plt.Figure, path: Path) -> Path:
    """Write ``figure`` to ``path`` as PNG and close it."""
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    log.debug("wrote %s", path)
    return path


def plot_roc(
    curves: dict[str, tuple[np.ndarray, np.ndarray, float]], path: Path
) -> Path:
    """Write the ROC figure of :func:`draw_roc` to ``path``."""
    return save_figure(draw_roc(curves), path)


def draw_roc(curves: dict[str, tuple[np.ndarray, np.ndarray, float]]) -> plt.Figure:
    """Draw ROC curves, one per entry ``label: (fpr, tpr, auc)``."""
    with style():
        figure, axes = plt.subplots(figsize=(7, 6.5))
        for label, (fpr, tpr, auc) in curves.items():
            axes.plot(fpr, tpr, lw=2, label=f"{label} (AUC = {auc:.4f})")
        axes.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="random guess")
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1.02)
        axes.set_xlabel("False positive rate (background efficiency)")
        axes.set_ylabel("True positive rate (signal efficiency)")
        axes.set_title("ROC curve", fontsize=16)
        axes.legend(loc="lower right", fontsize=13)
    return figure


def plot_confusion(confusion: dict[str, int], threshold: float, path: Path) -> Path:
    """Write the confusion-matrix figure of :func:`draw_confusion` to ``path``."""
    return save_figure(draw_confusion(confusion, threshold), path)


def draw_confusion(confusion: dict[str, int], threshold: float) -> plt.Figure:
    """Draw the 2x2 confusion matrix with counts and rates per true class."""
    counts = np.array(
        [[confusion["tn"], confusion["fp"]], [confusion["fn"], confusion["tp"]]]
    )
    row_totals = counts.sum(axis=1, keepdims=True)
    rates = counts / np.maximum(row_totals, 1)
    with style():
        figure, axes = plt.subplots(figsize=(6.5, 6))
        image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
        for row in range(2):
            for col in range(2):
                dark = rates[row, col] > 0.5
                axes.text(
                    col,
                    row,
                    f"{counts[row, col]:,}\n{rates[row, col]:.1%}",
                    ha="center",
                    va="center",
                    fontsize=15,
                    color="white" if dark else "black",
                )
        names = ["background", "signal"]
        axes.set_xticks([0, 1], [f"predicted\n{n}" for n in names], fontsize=13)
        axes.set_yticks([0, 1], [f"true\n{n}" for n in names], fontsize=13)
        axes.minorticks_off()
        axes.set_title(f"Confusion matrix at threshold {threshold:g}", fontsize=16)
        colorbar = figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
        colorbar.set_label("rate within the true class")
    return figure


def plot_scores(
    labels: np.ndarray, scores: np.ndarray, path: Path, bins: int = 50
) -> Path:
    """Write the score histograms of :func:`draw_scores` to ``path``."""
    return save_figure(draw_scores(labels, scores, bins), path)


def draw_scores(labels: np.ndarray, scores: np.ndarray, bins: int = 50) -> plt.Figure:
    """Draw normalized score histograms of signal and background on one axis."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    signal, _ = np.histogram(scores[labels == 1], bins=edges, density=True)
    background, _ = np.histogram(scores[labels == 0], bins=edges, density=True)
    with style():
        figure, axes = plt.subplots(figsize=(7.5, 6))
        mplhep.histplot(
            background, edges, ax=axes, label="background (SM t tbar)",
            color=BACKGROUND_COLOR, histtype="fill", alpha=0.45,
        )
        mplhep.histplot(
            signal, edges, ax=axes, label="signal (X -> t tbar)",
            color=SIGNAL_COLOR, histtype="step", lw=2,
        )
        axes.set_yscale("log")
        axes.set_xlim(0, 1)
        axes.set_xlabel("Classifier score")
        axes.set_ylabel("Normalized events / bin")
        axes.set_title("Score distributions", fontsize=16)
        axes.legend(loc="upper center", fontsize=13)
    return figure
