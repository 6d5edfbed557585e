"""Figures of the threshold, rejection, overtraining, calibration and training studies.

Every figure uses the style of :mod:`hepmass.evaluation.plots` and is closed
after writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import mplhep
import numpy as np

from hepmass.evaluation.plots import BACKGROUND_COLOR, SIGNAL_COLOR, save_figure, style
from hepmass.evaluation.thresholds import CutCurve

_CRITERION_LABELS = {
    "max_f1": "max F1",
    "max_youden": "max Youden J",
    "target_signal_efficiency": "target signal eff.",
    "target_background_rejection": "target bkg. rejection",
    "max_s_over_sqrt_b": "max s/sqrt(b)",
    "max_asimov_z": "max Z_A",
}


def plot_thresholds(
    curve: CutCurve,
    significance: dict[str, np.ndarray] | None,
    chosen: dict[str, float],
    path: Path,
) -> Path:
    """Write the figure of :func:`draw_thresholds` to ``path``."""
    return save_figure(draw_thresholds(curve, significance, chosen), path)


_THRESHOLD_COLOURS = [plt.cm.tab10.colors[index] for index in (2, 4, 5, 6, 8, 9)]
"""Colours of the chosen-threshold lines: tab10 without the blue and red of
the background and signal curves."""


def draw_thresholds(
    curve: CutCurve,
    significance: dict[str, np.ndarray] | None,
    chosen: dict[str, float],
) -> plt.Figure:
    """Draw the efficiencies against the threshold, with the expected
    significance when yields were given, and F1 and Youden's J otherwise."""
    with style():
        figure, axes = plt.subplots(figsize=(8.5, 6))
        x = curve.thresholds
        axes.plot(x, curve.signal_efficiency, color=SIGNAL_COLOR, lw=2,
                  label="signal efficiency")
        axes.plot(x, curve.background_efficiency, color=BACKGROUND_COLOR, lw=2,
                  label="background efficiency")
        # The scores of a briefly trained model span a narrow range.
        axes.set_xlim(x.min(), x.max())
        axes.set_ylim(0, 1.05)
        axes.set_xlabel("Threshold on the classifier score")
        axes.set_ylabel("Efficiency (fraction passing)")

        right = axes.twinx()
        if significance is not None:
            right.plot(x, significance["asimov_z"], color="black", lw=2,
                       label="Asimov Z_A")
            right.plot(x, significance["s_over_sqrt_b"], color="black", lw=1.5,
                       ls="--", label="s / sqrt(b)")
            right.set_ylabel("Expected significance (sigma)")
            title = "Efficiencies and expected significance by threshold"
        else:
            right.plot(x, curve.f1(), color="black", lw=2, label="F1")
            right.plot(x, curve.youden(), color="black", lw=1.5, ls="--",
                       label="Youden J")
            right.set_ylabel("F1 and Youden J")
            title = "Efficiencies, F1 and Youden J by threshold"
        lowest = min((line.get_ydata().min() for line in right.get_lines()
                      if len(line.get_ydata())), default=0.0)
        # Youden's J is negative where the score separates the classes the
        # wrong way round; keep such a stretch in view.
        right.set_ylim(bottom=min(0.0, 1.05 * float(lowest)))
        for (name, threshold), colour in zip(chosen.items(), _THRESHOLD_COLOURS):
            axes.axvline(threshold, color=colour, ls=":", lw=2,
                         label=f"{_CRITERION_LABELS.get(name, name)}: {threshold:.3f}")
        lines = axes.get_legend_handles_labels()
        more = right.get_legend_handles_labels()
        axes.legend(lines[0] + more[0], lines[1] + more[1], fontsize=10,
                    loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
        axes.set_title(title, fontsize=16)
        return figure


def plot_rejection(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path
) -> Path:
    """Draw background rejection (log scale) against signal efficiency."""
    with style():
        figure, axes = plt.subplots(figsize=(7.5, 6))
        for label, (efficiency, rejection) in curves.items():
            width = 2.5 if label == "all masses" else 1.5
            axes.plot(efficiency, rejection, lw=width, label=label)
        axes.set_yscale("log")
        axes.set_xlim(0, 1)
        axes.set_xlabel("Signal efficiency")
        axes.set_ylabel("Background rejection (1 / background efficiency)")
        axes.set_title("Background rejection", fontsize=16)
        axes.legend(loc="upper right", fontsize=12)
        return save_figure(figure, path)


def _density(scores: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts, _ = np.histogram(scores, bins=edges)
    scale = 1.0 / (max(len(scores), 1) * np.diff(edges))
    return counts * scale, np.sqrt(counts) * scale


def plot_overtraining(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    check: dict[str, Any],
    path: Path,
    bins: int = 40,
) -> Path:
    """Draw training scores as filled histograms and test scores as points."""
    low = min(train[1].min(), test[1].min())
    high = max(train[1].max(), test[1].max())
    edges = np.linspace(low, high if high > low else low + 1e-6, bins + 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    with style():
        figure, axes = plt.subplots(figsize=(8, 6))
        for name, label, colour in (("signal", 1, SIGNAL_COLOR),
                                    ("background", 0, BACKGROUND_COLOR)):
            density, _ = _density(train[1][train[0] == label], edges)
            mplhep.histplot(density, edges, ax=axes, histtype="fill", alpha=0.35,
                            color=colour, label=f"{name}, training")
            density, error = _density(test[1][test[0] == label], edges)
            ks = check[f"ks_{name}"]
            axes.errorbar(centres, density, yerr=error, fmt="o", ms=4, color=colour,
                          label=f"{name}, test (KS p = {ks['pvalue']:.3g})")
        axes.set_yscale("log")
        axes.set_xlim(edges[0], edges[-1])
        axes.set_xlabel("Classifier score")
        axes.set_ylabel("Normalized events / bin")
        axes.set_title(
            f"Overtraining check: AUC {check['auc_train']:.4f} train, "
            f"{check['auc_test']:.4f} test", fontsize=14,
        )
        # Headroom above the tallest bin keeps the legend off the histograms.
        bottom, top = axes.get_ylim()
        axes.set_ylim(bottom, top * 20)
        axes.legend(loc="upper center", fontsize=11, ncol=2)
        return save_figure(figure, path)


def plot_calibration(summary: dict[str, Any], path: Path) -> Path:
    """Draw the reliability diagram, raw and calibrated, over the bin counts."""
    with style():
        figure, (axes, counts) = plt.subplots(
            2, 1, figsize=(7, 8), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        axes.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="calibrated")
        curves = [("raw scores", summary["reliability"], summary["brier_score"])]
        if "reliability_calibrated" in summary:
            curves.append((
                f"{summary['method']} calibrated",
                summary["reliability_calibrated"],
                summary["brier_score_calibrated"],
            ))
        for (label, curve, brier), colour in zip(curves, ("black", SIGNAL_COLOR)):
            axes.errorbar(
                curve["mean_score"], curve["signal_fraction"],
                yerr=curve["signal_fraction_error"], fmt="o-", ms=5, color=colour,
                label=f"{label} (Brier {brier:.4f})",
            )
            counts.step(curve["bin_low"], curve["events"], where="post", color=colour)
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1)
        axes.set_ylabel("Signal fraction in bin")
        axes.set_title("Reliability diagram", fontsize=16)
        axes.legend(loc="upper left", fontsize=12)
        counts.set_yscale("log")
        counts.set_xlabel("Mean score in bin")
        counts.set_ylabel("Events")
        return save_figure(figure, path)


def plot_training(history: dict[str, Any], path: Path) -> Path:
    """Draw the losses and the validation AUC per epoch."""
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    with style():
        figure, (loss, auc) = plt.subplots(1, 2, figsize=(13, 5))
        figure.subplots_adjust(wspace=0.4)
        loss.plot(epochs, history["train_loss"], "o-", label="training loss")
        loss.plot(epochs, history["valid_loss"], "s-", label="validation loss")
        loss.set_xlabel("Epoch")
        loss.set_ylabel("Binary cross-entropy")
        loss.legend(fontsize=12)
        auc.plot(epochs, history["valid_auc"], "o-", color=SIGNAL_COLOR)
        auc.set_xlabel("Epoch")
        auc.set_ylabel("Validation ROC AUC")
        if history.get("best_epoch"):
            auc.axvline(history["best_epoch"], ls=":", color="grey",
                        label=f"best epoch {history['best_epoch']}")
            auc.legend(fontsize=12)
        for axes in (loss, auc):
            axes.xaxis.get_major_locator().set_params(integer=True)
        figure.suptitle("Training curve", fontsize=16)
        return save_figure(figure, path)
