"""Reconstructed masses: the neutrino, the top-pair assignment, m_jj to m_WWbb.

All inputs are numpy arrays of four-momenta ``(..., 4)`` ordered
``(E, px, py, pz)`` in GeV.
"""

from __future__ import annotations

import itertools
import logging

import numpy as np

from hepmass.simulation.config import TOP_MASS, W_MASS

log = logging.getLogger(__name__)

W_WIDTH_RECO = 10.0
TOP_WIDTH_RECO = 15.0
"""Mass resolutions (GeV) weighting the chi-square of the top assignment.

They are approximate widths of the reconstructed W and top peaks with this
detector model, not physical widths.
"""

ASSIGNMENTS = np.array(
    [
        (b_lep, b_had, *[j for j in range(4) if j not in (b_lep, b_had)])
        for b_lep, b_had in itertools.permutations(range(4), 2)
    ]
)
"""The 12 ways to read the four leading jets as (b_lep, b_had, q, q')."""


def mass(p: np.ndarray) -> np.ndarray:
    """Return the invariant mass, with negative m^2 (from rounding) set to 0."""
    m2 = p[..., 0] ** 2 - p[..., 1] ** 2 - p[..., 2] ** 2 - p[..., 3] ** 2
    return np.sqrt(np.maximum(m2, 0.0))


def neutrino(lepton: np.ndarray, met_x: np.ndarray, met_y: np.ndarray):
    """Solve the neutrino pz from m(l nu) = m_W, with the MET as its pT.

    With ``mu = (m_W^2 - m_l^2)/2 + pT_l . pT_nu`` and ``a = E_l^2 - pz_l^2``
    the solutions are ``pz = (mu pz_l +- E_l sqrt(mu^2 - a pT_nu^2)) / a``.
    Of two real solutions the one with smaller |pz| is taken. When the root
    is complex (the measured MET is inconsistent with an on-shell W) its real
    part ``mu pz_l / a`` is taken, so m(l nu) then differs from m_W.

    Returns ``(neutrino four-momenta, real)`` where ``real`` marks events
    with a real solution.
    """
    e, px, py, pz = lepton[:, 0], lepton[:, 1], lepton[:, 2], lepton[:, 3]
    m2_lepton = np.maximum(e**2 - px**2 - py**2 - pz**2, 0.0)
    mu = (W_MASS**2 - m2_lepton) / 2 + px * met_x + py * met_y
    a = e**2 - pz**2
    discriminant = mu**2 - a * (met_x**2 + met_y**2)
    real = discriminant >= 0
    root = e * np.sqrt(np.maximum(discriminant, 0.0))
    first = (mu * pz + root) / a
    second = (mu * pz - root) / a
    nu_z = np.where(np.abs(first) < np.abs(second), first, second)

    nu_e = np.sqrt(met_x**2 + met_y**2 + nu_z**2)
    return np.stack([nu_e, met_x, met_y, nu_z], axis=-1), real


def assign_tops(
    jets: np.ndarray, btags: np.ndarray, w_lep: np.ndarray
) -> np.ndarray:
    """Choose per event the assignment (row of :data:`ASSIGNMENTS`) of least chi-square.

    chi^2 = ((m_jj - m_W)/10)^2 + ((m_jjj - m_t)/15)^2 + ((m_jlv - m_t)/15)^2.
    b-tags restrict the choice: the two b positions must hold as many tagged
    jets as possible (both if two or more of the four jets are tagged, one
    if one is), so tagged jets are read as b quarks first.
    """
    b_lep, b_had = ASSIGNMENTS[:, 0], ASSIGNMENTS[:, 1]
    q1, q2 = ASSIGNMENTS[:, 2], ASSIGNMENTS[:, 3]
    w_had = jets[:, q1] + jets[:, q2]
    m_jj = mass(w_had)
    m_jjj = mass(w_had + jets[:, b_had])
    m_jlv = mass(w_lep[:, None, :] + jets[:, b_lep])
    chi2 = (
        ((m_jj - W_MASS) / W_WIDTH_RECO) ** 2
        + ((m_jjj - TOP_MASS) / TOP_WIDTH_RECO) ** 2
        + ((m_jlv - TOP_MASS) / TOP_WIDTH_RECO) ** 2
    )

    tags_on_b = btags[:, b_lep] + btags[:, b_had]
    wanted = np.minimum(btags.sum(axis=1), 2)[:, None]
    chi2 = np.where(tags_on_b >= wanted, chi2, np.inf)
    return np.argmin(chi2, axis=1)


def reconstruct(
    lepton: np.ndarray,
    met_x: np.ndarray,
    met_y: np.ndarray,
    jets: np.ndarray,
    btags: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return m_jj, m_jjj, m_lv, m_jlv, m_wwbb (GeV) and the ``real`` mask.

    ``jets`` are the four leading jets ``(n, 4, 4)`` and ``btags`` their 0/1
    tags ``(n, 4)``. m_WWbb is the mass of the lepton, the neutrino and the
    four jets, which does not depend on the assignment.
    """
    nu, real = neutrino(lepton, met_x, met_y)
    w_lep = lepton + nu
    best = ASSIGNMENTS[assign_tops(jets, btags, w_lep)]
    rows = np.arange(len(jets))

    w_had = jets[rows, best[:, 2]] + jets[rows, best[:, 3]]
    top_had = w_had + jets[rows, best[:, 1]]
    top_lep = w_lep + jets[rows, best[:, 0]]
    return {
        "m_jj": mass(w_had),
        "m_jjj": mass(top_had),
        "m_lv": mass(w_lep),
        "m_jlv": mass(top_lep),
        "m_wwbb": mass(top_had + top_lep),
        "real": real,
    }
