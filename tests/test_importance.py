"""Permutation importance and correlations on constructed events."""

import numpy as np
import pytest

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError
from hepmass.evaluation.importance import correlations, permutation_importance
from hepmass.features import N_FEATURES, PHYSICAL_NAMES


def _events(n: int, seed: int) -> Events:
    """Events where only m_jjj (f23) and, weakly, lepton_pt (f0) carry the label."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0.0, 1.0], n // 2).astype(np.float32)
    features = rng.normal(size=(n, N_FEATURES)).astype(np.float32)
    features[:, 23] += 2.0 * labels
    features[:, 0] += 0.3 * labels
    return Events(features, labels)


def _predict(events: Events) -> np.ndarray:
    z = 2.0 * events.features[:, 23] + 0.3 * events.features[:, 0]
    return 1 / (1 + np.exp(-z))


def test_informative_feature_ranks_first():
    ranking = permutation_importance(_predict, _events(2000, 1), repeats=2, seed=0)
    assert ranking[0]["name"] == "m_jjj"
    assert ranking[0]["feature"] == "f23"
    assert ranking[1]["name"] == "lepton_pt"
    assert ranking[0]["auc_drop"] > 0.2
    unused = [entry for entry in ranking if entry["feature"] not in ("f0", "f23")]
    assert all(entry["auc_drop"] == 0.0 for entry in unused)


def test_correlations_find_constructed_pair():
    events = _events(4000, 2)
    events.features[:, 6] = events.features[:, 10] * 0.8 + 0.6 * events.features[:, 6]
    matrices = correlations(events)
    assert matrices["signal"].shape == (N_FEATURES, N_FEATURES)
    assert matrices["signal"][6, 10] == pytest.approx(0.8, abs=0.05)
    assert matrices["background"][6, 10] == pytest.approx(0.8, abs=0.05)
    assert matrices["signal"][1, 2] == pytest.approx(0.0, abs=0.1)
    assert len(PHYSICAL_NAMES) == N_FEATURES


def test_constant_feature_has_zero_correlation():
    events = _events(100, 3)
    events.features[:, 9] = 1.0
    assert np.all(correlations(events)["signal"][9, :] == 0.0)


def test_invalid_repeats_raise():
    with pytest.raises(ConfigurationError, match="repeats must be at least 1, got 0"):
        permutation_importance(_predict, _events(100, 4), repeats=0)
