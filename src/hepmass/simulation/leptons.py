"""Lepton candidates, their isolation and the one-lepton requirement."""

from __future__ import annotations

import logging

import awkward as ak
import numpy as np

from hepmass.simulation import detector, selection
from hepmass.simulation.particles import delta_r

log = logging.getLogger(__name__)


def isolation_ratio(candidates: ak.Array, visible: ak.Array) -> ak.Array:
    """Return each candidate's isolation ratio (see :data:`selection.ISOLATION_MAX`)."""
    pool = visible[visible.pt > selection.ISOLATION_PT_MIN]
    pairs = ak.cartesian({"lep": candidates, "other": pool}, nested=True)
    distance = delta_r(pairs.lep.eta, pairs.lep.phi, pairs.other.eta, pairs.other.phi)
    inside = (distance < selection.ISOLATION_CONE) & (
        pairs.other.index != pairs.lep.index
    )
    cone_pt = ak.sum(ak.where(inside, pairs.other.pt, 0.0), axis=-1)
    return cone_pt / candidates.pt


def select_lepton(
    visible: ak.Array, rng: np.random.Generator
) -> tuple[np.ndarray, ak.Array, np.ndarray]:
    """Find events with exactly one isolated e or mu passing the lepton cuts.

    Returns ``(passed, lepton, scale)``: a boolean mask over events, the
    selected lepton of each passing event (true kinematics) and the factor
    by which the detector model scales its momentum.
    """
    flavour = abs(visible.id)
    is_candidate = ((flavour == 11) | (flavour == 13)) & (
        visible.pt > selection.CANDIDATE_PT_MIN
    )
    candidates = visible[is_candidate]

    counts = ak.num(candidates)
    scale = ak.unflatten(
        detector.smear_factor(rng, detector.LEPTON_RESOLUTION, int(ak.sum(counts))),
        counts,
    )
    ratio = isolation_ratio(candidates, visible)
    ratio_max = ak.where(
        abs(candidates.id) == 11,
        selection.ISOLATION_MAX[11],
        selection.ISOLATION_MAX[13],
    )
    good = (
        (candidates.pt * scale > selection.LEPTON_PT_MIN)
        & (abs(candidates.eta) < selection.LEPTON_ETA_MAX)
        & (ratio < ratio_max)
    )

    passed = ak.to_numpy(ak.sum(good, axis=1) == 1)
    lepton = candidates[good][passed][:, 0]
    lepton_scale = ak.to_numpy(scale[good][passed][:, 0])
    return passed, lepton, lepton_scale
