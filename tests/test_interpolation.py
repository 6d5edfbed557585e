"""Leaving one mass out of training, and the parameterized network at new masses."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.features import snap_masses
from hepmass.models import create_model
from hepmass.training.config import TrainingConfig
from hepmass.workflow.datasets import load_splits
from hepmass.workflow.interpolation import leave_out_mass, run_interpolation_test
from hepmass.workflow.steps import run

FAST = TrainingConfig(epochs=8, batch_size=64, learning_rate=2e-3, seed=3)


@pytest.fixture(scope="module")
def splits():
    return load_splits(seed=0)


def test_leave_out_drops_signal_only(splits):
    events = splits.train
    reduced = leave_out_mass(events, 1000.0, seed=0)
    mass = snap_masses(reduced.mass)
    assert not np.any((reduced.labels == 1) & (mass == 1000.0))
    assert np.count_nonzero(reduced.labels == 0) == np.count_nonzero(events.labels == 0)
    n_signal_1000 = np.count_nonzero(
        (events.labels == 1) & (snap_masses(events.mass) == 1000.0)
    )
    assert reduced.n_signal == events.n_signal - n_signal_1000


def test_leave_out_moves_background_to_remaining_masses(splits):
    reduced = leave_out_mass(splits.train, 1000.0, seed=0)
    background_mass = snap_masses(reduced.mass[reduced.labels == 0])
    assert set(np.unique(background_mass)) == {500.0, 750.0, 1250.0, 1500.0}


def test_leave_out_unknown_mass_rejected(splits):
    with pytest.raises(ConfigurationError, match="no signal at 875 GeV"):
        leave_out_mass(splits.train, 875.0, seed=0)


def test_leave_out_needs_mass_column(splits):
    no_mass = Events(splits.train.features, splits.train.labels)
    with pytest.raises(ConfigurationError, match="needs events with a mass column"):
        leave_out_mass(no_mass, 1000.0, seed=0)


def test_interpolation_written_beside_full_model(splits, tmp_path):
    options = {"depth": 1, "width": 32, "training": FAST}
    run_dir, _ = run(splits, "parameterized", tmp_path / "run", model_options=options)
    entry = run_interpolation_test(splits, run_dir, "parameterized", options, 1000.0)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["interpolation"]["auc_without"] == entry["auc_without"]
    assert (tmp_path / "run" / "without_1000" / "metrics.json").is_file()
    # An unseen mass costs some AUC but keeps a useful classifier.
    assert entry["auc_without"] > 0.75
    assert entry["auc_with"] > 0.75


@pytest.fixture(scope="module")
def signal_875(tmp_path_factory):
    """Signal at 875 GeV, simulated and standardized like the bundled sample."""
    pytest.importorskip("pythia8mc")
    pytest.importorskip("fastjet")
    from hepmass.sample import SAMPLE_DIR
    from hepmass.simulation import writer
    from hepmass.simulation.config import SimulationConfig
    from hepmass.simulation.production import simulate

    out = tmp_path_factory.mktemp("sim875") / "run"
    config = SimulationConfig(
        masses=(875.0,), signal_events=150, background_events=1, out=out,
        seed=5, workers=1, chunk_size=100, test_fraction=0.0,
    )
    simulate(config, progress=False)
    features, labels, _ = writer.read_parquet(out / "events.parquet")
    constants = json.loads((SAMPLE_DIR / "standardization.json").read_text())
    return writer.zscore(features[labels == 1], constants)


def test_parameterized_scores_unseen_mass(splits, signal_875):
    model = create_model("parameterized", depth=2, width=64, training=FAST)
    model.fit(splits.train, splits.valid)
    background = splits.test.take(np.flatnonzero(splits.test.labels == 0))
    features = np.concatenate([signal_875, background.features])
    labels = np.r_[np.ones(len(signal_875)), np.zeros(len(background))]
    events = Events(features, labels.astype(np.float32),
                    np.full(len(labels), 875.0, np.float32))
    auc = roc_auc_score(labels, model.predict(events))
    # Published parameterized networks reach 0.93 at 750 and 0.98 at 1000 GeV
    # on millions of events; about 1,200 training events give less.
    assert auc > 0.75
