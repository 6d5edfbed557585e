"""The validation figure: key distributions per signal mass and background."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from hepmass.features import PHYSICAL_NAMES

log = logging.getLogger(__name__)

PANELS = (
    ("m_wwbb", r"$m_{WWbb}$ [GeV]", (0, 2500)),
    ("m_jjj", r"$m_{jjj}$ [GeV]", (0, 600)),
    ("m_jj", r"$m_{jj}$ [GeV]", (0, 300)),
    ("m_lv", r"$m_{\ell\nu}$ [GeV]", (50, 150)),
    ("m_jlv", r"$m_{j\ell\nu}$ [GeV]", (0, 600)),
    ("lepton_pt", r"lepton $p_T$ [GeV]", (0, 500)),
    ("missing_et", r"missing $p_T$ [GeV]", (0, 500)),
    ("jet1_pt", r"leading-jet $p_T$ [GeV]", (0, 800)),
    ("n_jets", "jets", (3.5, 12.5)),
)


def plot_validation(
    path: Path, features: np.ndarray, labels: np.ndarray, mass: np.ndarray,
    title: str,
) -> None:
    """Draw normalized histograms of each panel variable, one line per mass."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(3, 3, figsize=(13, 11))
    groups = [("background (t tbar)", labels == 0, "black")]
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(np.unique(mass[labels == 1]))))
    for colour, m in zip(colours, np.unique(mass[labels == 1])):
        groups.append((f"X({m:g} GeV)", (labels == 1) & (mass == m), colour))

    for axis, (name, label, limits) in zip(axes.flat, PANELS):
        column = features[:, PHYSICAL_NAMES.index(name)]
        bins = (np.arange(4, 14) - 0.5 if name == "n_jets"
                else np.linspace(*limits, 51))
        for text, mask, colour in groups:
            if mask.any():
                axis.hist(np.clip(column[mask], bins[0], bins[-1]), bins=bins,
                          density=True, histtype="step", color=colour, label=text)
        axis.set_xlabel(label)
        axis.set_ylabel("normalized")
    axes.flat[0].legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    log.debug("wrote %s", path)
