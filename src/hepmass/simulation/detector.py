"""Fast detector model: resolutions, b-tagging and acceptance.

Numbers and their sources (the Delphes ATLAS card is
``cards/delphes_card_ATLAS.tcl`` of Delphes 3):

- Jet energy: sigma/E = 100%/sqrt(E/GeV) (+) 5%. This is an approximation,
  slightly broader than the Delphes ATLAS card's hadronic-calorimeter term
  for 1.7 < |eta| < 3.2 (70.6%/sqrt(E) (+) 5%), to cover jet-level effects
  the card models with towers.
- Lepton momentum: 2%. This approximates the Delphes ATLAS card, whose muon
  resolution is 1% to 2.5% at low pT and whose electron (ECAL) resolution
  is 10.1%/sqrt(E) (+) 0.17%, about 2% at 25 GeV.
- Unclustered missing-pT part: 30% on its magnitude. This is an assumption
  of this model, not a number from a card.
- b-tagging, per jet of true flavour b, c or light, from the Delphes ATLAS
  card (based there on ATL-PHYS-PUB-2015-022): b 0.80 tanh(0.003 pT)
  30/(1 + 0.086 pT), about 70% from 50 to 200 GeV; c 0.20 tanh(0.02 pT)
  /(1 + 0.0034 pT), about 10-15%; light 0.002 + 7.3e-6 pT, below 1%.
- Calorimeter acceptance |eta| < 4.9 (the card's forward calorimeter edge).
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

JET_STOCHASTIC = 1.00
JET_CONSTANT = 0.05
LEPTON_RESOLUTION = 0.02
UNCLUSTERED_RESOLUTION = 0.30
CALORIMETER_ETA = 4.9

FLAVOUR_LIGHT, FLAVOUR_C, FLAVOUR_B = 0, 4, 5


def jet_resolution(energy: np.ndarray) -> np.ndarray:
    """Return the relative jet energy resolution at ``energy`` GeV."""
    energy = np.maximum(energy, 1e-3)
    return np.hypot(JET_STOCHASTIC / np.sqrt(energy), JET_CONSTANT)


def smear_factor(rng: np.random.Generator, sigma: np.ndarray | float, n: int):
    """Draw multiplicative Gaussian factors ``1 + sigma N(0, 1)``, at least 0.01."""
    return np.maximum(1.0 + sigma * rng.standard_normal(n), 0.01)


def btag_efficiency(pt: np.ndarray, flavour: np.ndarray) -> np.ndarray:
    """Return the tagging probability of jets with ``pt`` GeV and true ``flavour``."""
    b = 0.80 * np.tanh(0.003 * pt) * (30.0 / (1.0 + 0.086 * pt))
    c = 0.20 * np.tanh(0.02 * pt) * (1.0 / (1.0 + 0.0034 * pt))
    light = 0.002 + 7.3e-6 * pt
    return np.where(flavour == FLAVOUR_B, b, np.where(flavour == FLAVOUR_C, c, light))


def btag(rng: np.random.Generator, pt: np.ndarray, flavour: np.ndarray) -> np.ndarray:
    """Return 0/1 b-tags drawn with :func:`btag_efficiency`."""
    return (rng.random(len(pt)) < btag_efficiency(pt, flavour)).astype(np.float64)
