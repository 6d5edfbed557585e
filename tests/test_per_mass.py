"""Per-mass AUC and background rejection against direct sklearn computations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.evaluation.per_mass import (
    SIGNAL_EFFICIENCIES,
    mass_point_metrics,
    per_mass_metrics,
    plot_per_mass,
)
from hepmass.features import snap_masses
from hepmass.models import create_model
from hepmass.workflow.datasets import load_splits


@pytest.fixture(scope="module")
def splits():
    return load_splits(seed=0)


def _rejection_by_counting(signal: np.ndarray, background: np.ndarray, eff: float):
    """Cut where a fraction ``eff`` of the signal passes; count passing background."""
    cut = np.quantile(signal, 1.0 - eff)
    return np.mean(background >= cut)


def test_mass_point_matches_sklearn_on_gaussians():
    rng = np.random.default_rng(1)
    signal = rng.normal(1.0, 1.0, 20000)
    background = rng.normal(0.0, 1.0, 20000)
    result = mass_point_metrics(signal, background)
    labels = np.r_[np.ones(20000), np.zeros(20000)]
    assert result["auc"] == pytest.approx(
        roc_auc_score(labels, np.r_[signal, background]), abs=1e-9
    )
    for eff in SIGNAL_EFFICIENCIES:
        expected = _rejection_by_counting(signal, background, eff)
        assert result["background_efficiency"][f"{eff:g}"] == pytest.approx(
            expected, abs=2e-3
        )
        assert result["background_rejection"][f"{eff:g}"] == pytest.approx(
            1 / expected, rel=0.03
        )


def test_perfect_separation_has_no_finite_rejection():
    result = mass_point_metrics(np.array([2.0, 3.0]), np.array([0.0, 1.0]))
    assert result["auc"] == 1.0
    assert result["background_rejection"]["0.5"] is None
    assert result["background_efficiency"]["0.5"] == 0.0


def test_empty_signal_rejected():
    with pytest.raises(ConfigurationError, match="got 0 signal"):
        mass_point_metrics(np.array([]), np.array([0.1]))


def test_per_mass_matches_sklearn_without_mass_input(splits):
    model = create_model("logistic")
    model.fit(splits.train, splits.valid)
    test = splits.test
    scores = model.predict(test)
    results = per_mass_metrics(model, test, scores)
    mass = snap_masses(test.mass)
    assert sorted(results, key=float) == ["500", "750", "1000", "1250", "1500"]
    background = test.labels == 0
    for key, values in results.items():
        signal = (test.labels == 1) & (mass == float(key))
        chosen = signal | background
        expected = roc_auc_score(test.labels[chosen], scores[chosen])
        assert values["auc"] == pytest.approx(expected, abs=1e-9)
        assert values["n_signal"] == int(signal.sum())
        assert values["n_background"] == int(background.sum())


def test_mass_input_model_rescores_background(splits):
    model = create_model("gbdt", use_mass=True, max_trees=100)
    model.fit(splits.train, splits.valid)
    test = splits.test
    scores = model.predict(test)
    results = per_mass_metrics(model, test, scores)
    background = test.take(np.flatnonzero(test.labels == 0))
    mass = snap_masses(test.mass)
    for key in ("500", "1500"):
        hypothesis = np.full(len(background), float(key), np.float32)
        rescored = model.predict(
            Events(background.features, background.labels, hypothesis)
        )
        signal = scores[(test.labels == 1) & (mass == float(key))]
        labels = np.r_[np.ones(len(signal)), np.zeros(len(rescored))]
        expected = roc_auc_score(labels, np.r_[signal, rescored])
        assert results[key]["auc"] == pytest.approx(expected, abs=1e-9)


def test_no_mass_column_gives_nothing(splits):
    model = create_model("logistic")
    model.fit(splits.train, splits.valid)
    no_mass = Events(splits.test.features, splits.test.labels)
    assert per_mass_metrics(model, no_mass, model.predict(no_mass)) == {}


def test_per_mass_plot_written(splits, tmp_path):
    model = create_model("logistic")
    model.fit(splits.train, splits.valid)
    results = per_mass_metrics(model, splits.test, model.predict(splits.test))
    path = plot_per_mass({"logistic": results, "copy": results}, tmp_path / "pm.png")
    assert path.stat().st_size > 10_000
