"""Vectorized views of Pythia event batches (awkward arrays from ``nextBatch``)."""

from __future__ import annotations

import logging

import awkward as ak
import numpy as np

log = logging.getLogger(__name__)

NEUTRINOS = (12, 14, 16)


def kinematics(px, py, pz) -> tuple:
    """Return ``(pt, eta, phi)`` of momenta (eta is +-inf along the beam)."""
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(pz / pt)
    return pt, eta, np.arctan2(py, px)


def delta_r(eta1, phi1, eta2, phi2):
    """Return Delta R = sqrt(Delta eta^2 + Delta phi^2), with Delta phi in [-pi, pi]."""
    dphi = (phi1 - phi2 + np.pi) % (2 * np.pi) - np.pi
    return np.hypot(eta1 - eta2, dphi)


def particle_table(prt: ak.Array) -> ak.Array:
    """Flatten Pythia's particle records to plain fields with kinematics.

    Adds ``index`` (position in the event record) so that a particle can be
    told apart from copies of itself after selections.
    """
    px, py, pz = prt.p.px, prt.p.py, prt.p.pz
    pt, eta, phi = kinematics(px, py, pz)
    return ak.zip(
        {
            "id": prt.id,
            "status": prt.status,
            "px": px,
            "py": py,
            "pz": pz,
            "e": prt.p.e,
            "pt": pt,
            "eta": eta,
            "phi": phi,
            "index": ak.local_index(prt.id),
        },
        with_name=None,
    )


def hadron_flavour(pid: ak.Array) -> ak.Array:
    """Return 5 for hadrons with a b quark, 4 for those with c (no b), else 0.

    Reads the quark digits of the PDG code, which list the heaviest quark
    first: the thousands digit of a baryon, the hundreds digit of a meson.
    Diquarks (tens digit 0 above 1000), quarks and codes from 1,000,000 on
    (new-physics states) get 0.
    """
    flat = np.abs(ak.to_numpy(ak.flatten(pid)))
    code = flat % 10000
    baryon = (code >= 1000) & ((code // 10) % 10 != 0)
    meson = (code >= 100) & (code < 1000)
    meson_quark = np.where(meson, (code // 100) % 10, 0)
    heaviest = np.where(baryon, (code // 1000) % 10, meson_quark)
    heaviest = np.where((flat < 1_000_000) & ((heaviest == 5) | (heaviest == 4)),
                        heaviest, 0)
    return ak.unflatten(heaviest, ak.num(pid))
