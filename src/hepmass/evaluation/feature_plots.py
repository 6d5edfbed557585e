"""Figures of the feature ranking and of the feature correlations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from hepmass.evaluation.plots import save_figure, style
from hepmass.features import PHYSICAL_NAMES


def plot_importance(ranking: list[dict[str, Any]], path: Path) -> Path:
    """Draw the AUC drop of each feature as horizontal bars, largest on top."""
    names = [entry["name"] for entry in ranking][::-1]
    drops = [entry["auc_drop"] for entry in ranking][::-1]
    errors = [entry["auc_drop_std"] for entry in ranking][::-1]
    with style():
        figure, axes = plt.subplots(figsize=(7.5, 10))
        positions = np.arange(len(names))
        axes.barh(positions, drops, xerr=errors, color="#2ca02c", alpha=0.8)
        axes.set_yticks(positions, names, fontsize=11)
        axes.minorticks_off()
        axes.axvline(0, color="black", lw=1)
        axes.set_xlabel("Test AUC drop when the feature is shuffled")
        axes.set_title("Permutation importance", fontsize=16)
        return save_figure(figure, path)


def plot_correlations(matrices: dict[str, np.ndarray], path: Path) -> Path:
    """Draw the signal and background correlation matrices side by side."""
    with style():
        figure, panels = plt.subplots(1, 2, figsize=(20, 9.5))
        for axes, name in zip(panels, ("signal", "background")):
            image = axes.imshow(matrices[name], cmap="RdBu_r", vmin=-1, vmax=1)
            ticks = np.arange(len(PHYSICAL_NAMES))
            axes.set_xticks(ticks, PHYSICAL_NAMES, rotation=90, fontsize=9)
            axes.set_yticks(ticks, PHYSICAL_NAMES, fontsize=9)
            axes.minorticks_off()
            axes.set_title(f"{name} correlations", fontsize=16)
        colorbar = figure.colorbar(image, ax=panels, fraction=0.025, pad=0.02)
        colorbar.set_label("Pearson correlation coefficient")
        return save_figure(figure, path)
