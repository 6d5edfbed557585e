"""From a batch of Pythia events to selected events with the 27 physical features."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import awkward as ak
import numpy as np

from hepmass.features import PHYSICAL_NAMES
from hepmass.simulation import detector, jets, leptons, selection
from hepmass.simulation.particles import NEUTRINOS, hadron_flavour, kinematics
from hepmass.simulation.particles import particle_table
from hepmass.simulation.reconstruction import reconstruct

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    """Selected events of one batch.

    Attributes:
        features: ``(n, 27)`` float64 in physical units, columns as
            :data:`hepmass.features.PHYSICAL_NAMES`.
        real_neutrino: ``(n,)`` bool, whether the W-mass constraint had a
            real solution.
        n_lepton: events that passed the one-lepton requirement.
    """

    features: np.ndarray
    real_neutrino: np.ndarray
    n_lepton: int


def process_batch(batch: ak.Array, rng: np.random.Generator) -> BatchResult:
    """Apply the detector model and the selection, and compute the features."""
    particles = particle_table(batch.prt)
    final = particles[particles.status > 0]
    is_neutrino = np.isin(np.abs(ak.to_numpy(ak.flatten(final.id))), NEUTRINOS)
    visible = final[
        ~ak.unflatten(is_neutrino, ak.num(final))
        & (abs(final.eta) < detector.CALORIMETER_ETA)
    ]

    passed, lepton, lepton_scale = leptons.select_lepton(visible, rng)
    visible = visible[passed]
    hadrons = _heavy_hadrons(particles[passed])

    without_lepton = visible[visible.index != lepton.index]
    raw_jets = jets.cluster(without_lepton)
    features, real = _features(visible, lepton, lepton_scale, raw_jets, hadrons, rng)
    return BatchResult(features, real, int(passed.sum()))


def _heavy_hadrons(particles: ak.Array) -> ak.Array:
    """Return the B and C hadrons (any status) above the matching pT threshold."""
    flavour = hadron_flavour(particles.id)
    heavy = (flavour > 0) & (particles.pt > jets.HADRON_PT_MIN)
    return ak.with_field(particles[heavy], flavour[heavy], "flavour")


def _features(visible, lepton, lepton_scale, raw_jets, hadrons, rng):
    counts = ak.num(raw_jets)
    jet_scale = detector.smear_factor(
        rng,
        detector.jet_resolution(ak.to_numpy(ak.flatten(raw_jets.e))),
        int(ak.sum(counts)),
    )
    scale = ak.unflatten(jet_scale, counts)
    smeared = ak.zip(
        {
            "e": raw_jets.e * scale, "px": raw_jets.px * scale,
            "py": raw_jets.py * scale, "pz": raw_jets.pz * scale,
            "pt": raw_jets.pt * scale, "eta": raw_jets.eta, "phi": raw_jets.phi,
            "flavour": jets.jet_flavour(raw_jets, hadrons),
        }
    )
    met_x, met_y = _missing_pt(visible, lepton, lepton_scale, raw_jets, smeared, rng)

    good = smeared[
        (smeared.pt > selection.JET_PT_MIN) & (abs(smeared.eta) < selection.JET_ETA_MAX)
    ]
    good = good[ak.argsort(good.pt, axis=1, ascending=False)]
    n_jets = ak.to_numpy(ak.num(good))
    keep = n_jets >= selection.MIN_JETS

    good = good[keep]
    lead = {name: jets.leading_four(good[name]) for name in good.fields}
    tag_flat = detector.btag(rng, lead["pt"].ravel(), lead["flavour"].ravel())
    btags = tag_flat.reshape(-1, 4)

    lep = _lepton_vector(lepton[keep], lepton_scale[keep])
    jet_vectors = np.stack([lead["e"], lead["px"], lead["py"], lead["pz"]], axis=-1)
    masses = reconstruct(lep, met_x[keep], met_y[keep], jet_vectors, btags)

    lep_pt, lep_eta, lep_phi = kinematics(lep[:, 1], lep[:, 2], lep[:, 3])
    columns = {
        "lepton_pt": lep_pt, "lepton_eta": lep_eta, "lepton_phi": lep_phi,
        "missing_et": np.hypot(met_x[keep], met_y[keep]),
        "missing_et_phi": np.arctan2(met_y[keep], met_x[keep]),
        "n_jets": n_jets[keep].astype(np.float64),
    }
    for i in range(4):
        columns[f"jet{i + 1}_pt"] = lead["pt"][:, i]
        columns[f"jet{i + 1}_eta"] = lead["eta"][:, i]
        columns[f"jet{i + 1}_phi"] = lead["phi"][:, i]
        columns[f"jet{i + 1}_btag"] = btags[:, i]
    columns.update({k: v for k, v in masses.items() if k != "real"})
    features = np.stack([columns[name] for name in PHYSICAL_NAMES], axis=1)
    return features, masses["real"]


def _lepton_vector(lepton: ak.Array, scale: np.ndarray) -> np.ndarray:
    parts = [ak.to_numpy(lepton[name]) * scale for name in ("e", "px", "py", "pz")]
    return np.stack(parts, axis=-1)


def _missing_pt(visible, lepton, lepton_scale, raw_jets, smeared, rng):
    """Return the smeared missing pT (x, y) in GeV.

    It is minus the sum of the smeared lepton, the smeared jets and the
    unclustered part (every other visible particle), the last scaled by a
    factor drawn with :data:`detector.UNCLUSTERED_RESOLUTION`.
    """
    total_x = ak.to_numpy(ak.sum(visible.px, axis=1))
    total_y = ak.to_numpy(ak.sum(visible.py, axis=1))
    lep_x, lep_y = ak.to_numpy(lepton.px), ak.to_numpy(lepton.py)
    jet_x = ak.to_numpy(ak.sum(raw_jets.px, axis=1))
    jet_y = ak.to_numpy(ak.sum(raw_jets.py, axis=1))
    soft_x, soft_y = total_x - lep_x - jet_x, total_y - lep_y - jet_y

    soft_scale = detector.smear_factor(
        rng, detector.UNCLUSTERED_RESOLUTION, len(total_x)
    )
    met_x = -(lep_x * lepton_scale + ak.to_numpy(ak.sum(smeared.px, axis=1))
              + soft_x * soft_scale)
    met_y = -(lep_y * lepton_scale + ak.to_numpy(ak.sum(smeared.py, axis=1))
              + soft_y * soft_scale)
    return met_x, met_y
