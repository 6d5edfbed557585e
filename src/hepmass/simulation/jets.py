"""Anti-kt jets with FastJet's batch interface, and their true flavour."""

from __future__ import annotations

import contextlib
import logging
import os
import sys

import awkward as ak
import numpy as np

from hepmass.simulation.particles import delta_r, kinematics

log = logging.getLogger(__name__)

JET_RADIUS = 0.4
CLUSTER_PT_MIN = 15.0
"""Jets below this raw pT (GeV) are left to the unclustered part of the MET."""

FLAVOUR_CONE = 0.4
"""A jet is b (c) if a B (C) hadron lies within this Delta R of its axis."""

HADRON_PT_MIN = 5.0
"""B and C hadrons below this pT (GeV) are ignored in flavour matching."""


@contextlib.contextmanager
def stdout_silenced():
    """Send file descriptor 1 to /dev/null, so FastJet's C++ banner stays off stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def cluster(particles: ak.Array) -> ak.Array:
    """Cluster each event's particles into anti-kt R = 0.4 jets, hardest first.

    Returns records with ``px, py, pz, e, pt, eta, phi`` (GeV, radians) for
    jets above :data:`CLUSTER_PT_MIN`.
    """
    import fastjet

    inputs = ak.zip(
        {"px": particles.px, "py": particles.py, "pz": particles.pz, "E": particles.e}
    )
    definition = fastjet.JetDefinition(fastjet.antikt_algorithm, JET_RADIUS)
    with stdout_silenced():
        sequence = fastjet.ClusterSequence(inputs, definition)
        jets = sequence.inclusive_jets(min_pt=CLUSTER_PT_MIN)

    pt, eta, phi = kinematics(jets.px, jets.py, jets.pz)
    table = ak.zip(
        {"px": jets.px, "py": jets.py, "pz": jets.pz, "e": jets.E,
         "pt": pt, "eta": eta, "phi": phi}
    )
    return table[ak.argsort(table.pt, axis=1, ascending=False)]


def jet_flavour(jets: ak.Array, hadrons: ak.Array) -> ak.Array:
    """Return 5, 4 or 0 per jet: B hadron within the cone, else C hadron, else light.

    ``hadrons`` holds the event's B and C hadrons with a ``flavour`` field.
    """
    pairs = ak.cartesian({"jet": jets, "had": hadrons}, nested=True)
    close = (
        delta_r(pairs.jet.eta, pairs.jet.phi, pairs.had.eta, pairs.had.phi)
        < FLAVOUR_CONE
    )
    has_b = ak.any(close & (pairs.had.flavour == 5), axis=-1)
    has_c = ak.any(close & (pairs.had.flavour == 4), axis=-1)
    return ak.where(has_b, 5, ak.where(has_c, 4, 0))


def leading_four(values: ak.Array) -> np.ndarray:
    """Return the first four entries per event as an ``(n, 4)`` array."""
    padded = ak.fill_none(ak.pad_none(values, 4, axis=1, clip=True), np.nan)
    return np.asarray(ak.to_numpy(padded), dtype=np.float64)
