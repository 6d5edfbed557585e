"""The interpolation test: how well a model does at a mass it never saw.

The model is trained twice on the same splits: once as they are, once with
the signal at one mass removed from the training and validation events (the
dataset's ``not1000`` variant does this with 1000 GeV). Background has no
mass of its own. In ``not1000`` its random masses are drawn from the
remaining points, so background rows that carry the left-out mass here get
a new mass drawn at random from the remaining signal masses. No background
is dropped, and the mass column still does not separate the classes. Both
models are then evaluated on the full test events at the left-out mass.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.evaluation.metrics import DEFAULT_THRESHOLDS
from hepmass.features import snap_masses
from hepmass.workflow.datasets import DataSplits
from hepmass.workflow.directory import RunDirectory

log = logging.getLogger(__name__)

DEFAULT_LEFT_OUT_MASS = 1000.0
"""The mass the dataset's ``not1000`` variant leaves out, in GeV."""


def leave_out_mass(events: Events, mass: float, seed: int) -> Events:
    """Drop the signal at ``mass`` and move background off ``mass``.

    Background rows whose mass is ``mass`` get a mass drawn uniformly from
    the signal masses that remain, with a generator seeded by ``seed``.
    """
    if events.mass is None:
        raise ConfigurationError(
            "the interpolation test needs events with a mass column; use a "
            "file of the 'all' layout"
        )
    masses = snap_masses(events.mass)
    is_signal = events.labels == 1
    at_mass = masses == np.float32(mass)
    if not np.any(is_signal & at_mass):
        found = ", ".join(f"{m:g}" for m in np.unique(masses[is_signal]))
        raise ConfigurationError(
            f"no signal at {mass:g} GeV to leave out; the signal masses are {found}"
        )
    keep = np.flatnonzero(~(is_signal & at_mass))
    remaining = np.unique(masses[is_signal & ~at_mass])
    if len(remaining) == 0:
        raise ConfigurationError(
            f"leaving out {mass:g} GeV leaves no signal mass to train on"
        )
    kept = events.take(keep)
    new_mass = snap_masses(kept.mass).copy()
    moved = (kept.labels == 0) & (new_mass == np.float32(mass))
    rng = np.random.default_rng(seed)
    new_mass[moved] = rng.choice(remaining, size=int(moved.sum()))
    log.info(
        "left out %d signal events at %g GeV; moved %d background events to "
        "other masses",
        len(events) - len(kept), mass, int(moved.sum()),
    )
    return dataclasses.replace(kept, mass=new_mass.astype(np.float32))


def run_interpolation_test(
    splits: DataSplits,
    run_dir: RunDirectory,
    model_name: str,
    model_options: dict[str, Any] | None = None,
    mass: float = DEFAULT_LEFT_OUT_MASS,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> dict[str, Any]:
    """Train ``model_name`` without ``mass`` and compare with ``run_dir``.

    ``run_dir`` contains the model trained on every mass, already evaluated.
    The model trained without ``mass`` goes to ``run_dir/without_<mass>``
    with its own analysis. Adds ``interpolation`` to ``run_dir``'s
    metrics.json and returns that entry.
    """
    # The steps load the models and figures. They are imported here so that
    # the command line can read DEFAULT_LEFT_OUT_MASS without them.
    from hepmass.workflow.steps import evaluate_run, train_run

    if splits.test is None:
        raise ConfigurationError("the data splits hold no test events to evaluate")
    seed = int(splits.description.get("split_seed", 0))
    reduced = DataSplits(
        leave_out_mass(splits.train, mass, seed),
        leave_out_mass(splits.valid, mass, seed + 1),
        splits.test,
        {**splits.description, "left_out_mass": mass},
    )
    without_dir, _ = train_run(
        reduced,
        model_name,
        Path(run_dir.path) / f"without_{mass:g}",
        force=True,
        model_options=model_options,
    )
    without = evaluate_run(without_dir, splits.test, thresholds)
    with_mass = run_dir.read_json("metrics.json")
    key = f"{mass:g}"
    if key not in with_mass.get("per_mass", {}):
        raise ConfigurationError(
            f"the test events hold no signal at {key} GeV, so the interpolation "
            "test cannot be evaluated there"
        )
    entry = {
        "mass": mass,
        "trained_with_mass": with_mass["per_mass"][key],
        "trained_without_mass": without["per_mass"][key],
        "auc_with": with_mass["per_mass"][key]["auc"],
        "auc_without": without["per_mass"][key]["auc"],
        "without_run": str(without_dir.path),
    }
    with_mass["interpolation"] = entry
    run_dir.write_json("metrics.json", with_mass)
    return entry


def format_interpolation(entry: dict[str, Any]) -> str:
    """Return a two-line summary of an interpolation test."""
    return (
        f"interpolation test at {entry['mass']:g} GeV:\n"
        f"  AUC trained with it {entry['auc_with']:.4f}, "
        f"trained without it {entry['auc_without']:.4f} "
        f"(difference {entry['auc_without'] - entry['auc_with']:+.4f})"
    )
