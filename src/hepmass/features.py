"""Names, order and meaning of the HEPMASS columns.

A HEPMASS row is ``label, f0, ..., f26, mass``: the label (1 signal,
0 background), 27 z-scored features and the hypothesis mass in GeV. The 22
low-level features describe the lepton, the missing transverse momentum and
the four leading jets; the five high-level ones are reconstructed masses.
"""

from __future__ import annotations

import numpy as np

N_FEATURES = 27

FEATURE_COLUMNS: tuple[str, ...] = tuple(f"f{i}" for i in range(N_FEATURES))
"""Column names of the features, as in the UCI header."""

LABEL_COLUMN = "label"
MASS_COLUMN = "mass"

UCI_HEADER = "# label, " + ", ".join(FEATURE_COLUMNS) + ", mass"
"""Header line of the ``all`` and ``not1000`` files, without the newline."""

PHYSICAL_NAMES: tuple[str, ...] = (
    "lepton_pt",
    "lepton_eta",
    "lepton_phi",
    "missing_et",
    "missing_et_phi",
    "n_jets",
    "jet1_pt",
    "jet1_eta",
    "jet1_phi",
    "jet1_btag",
    "jet2_pt",
    "jet2_eta",
    "jet2_phi",
    "jet2_btag",
    "jet3_pt",
    "jet3_eta",
    "jet3_phi",
    "jet3_btag",
    "jet4_pt",
    "jet4_eta",
    "jet4_phi",
    "jet4_btag",
    "m_jj",
    "m_jjj",
    "m_lv",
    "m_jlv",
    "m_wwbb",
)
"""Physical meaning of f0 to f26, in column order."""

LOW_LEVEL = tuple(range(22))
HIGH_LEVEL = tuple(range(22, 27))
DISCRETE = (5, 9, 13, 17, 21)
"""Indices of the jet count and the four b-tags, which take few values."""

MASS_POINTS: tuple[float, ...] = (500.0, 750.0, 1000.0, 1250.0, 1500.0)
"""Signal masses of the published dataset, in GeV."""


SNAP_TOLERANCE = 1.0
"""GeV: a mass this close to a published mass point is read as that point."""


def snap_masses(
    mass: np.ndarray,
    points: tuple[float, ...] = MASS_POINTS,
    tolerance: float = SNAP_TOLERANCE,
) -> np.ndarray:
    """Round masses within ``tolerance`` GeV of a known point onto that point.

    The UCI files store 500 GeV as 499.999969 (a float32 rounding); this maps
    it back so that per-mass selections compare exactly. Masses far from every
    point (for example from a simulation at a new mass) are returned unchanged.
    """
    mass = np.asarray(mass, dtype=np.float32)
    snapped = mass.copy()
    distance = np.full(mass.shape, np.inf, np.float32)
    gap = np.empty_like(mass)
    # One pass per point instead of an (n, points) matrix of distances.
    for point in np.asarray(points, dtype=np.float32):
        np.abs(np.subtract(mass, point, out=gap), out=gap)
        closer = (gap <= tolerance) & (gap < distance)
        snapped[closer] = point
        distance[closer] = gap[closer]
    return snapped
