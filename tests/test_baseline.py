"""The study's network: shape, standardization, reproducibility, saving."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.torch import load_file
from torch import nn

from hepmass.data.events import Events
from hepmass.errors import ConfigurationError, ModelError
from hepmass.models import create_model, load_model
from hepmass.models.baseline import BaselineClassifier
from hepmass.training.config import TrainingConfig


def make_events(n: int, seed: int, with_mass: bool = True) -> Events:
    """Events whose label depends on a few features, so a network can learn it."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 27)).astype(np.float32)
    signal = features[:, 0] + features[:, 22] ** 2 + 0.5 * rng.normal(size=n) > 1.0
    mass = rng.choice([500.0, 1000.0, 1500.0], size=n).astype(np.float32)
    return Events(features, signal.astype(np.float32), mass if with_mass else None)


def quick_config(**changes) -> TrainingConfig:
    settings = {"epochs": 2, "batch_size": 256, "seed": 3, "threads": 1}
    settings.update(changes)
    return TrainingConfig(**settings)


def test_network_layers_match_study():
    model = BaselineClassifier()
    linear = [m for m in model.module if isinstance(m, nn.Linear)]
    shapes = [(layer.in_features, layer.out_features) for layer in linear]
    assert shapes == [(27, 128), (128, 64), (64, 32), (32, 1)]
    activations = [m for m in model.module if isinstance(m, nn.ReLU)]
    assert len(activations) == 3


def test_network_takes_mass_as_28th_input():
    model = BaselineClassifier(use_mass=True)
    assert model.module[0].in_features == 28
    assert model.uses_mass


def test_defaults_follow_study():
    config = TrainingConfig()
    assert config.epochs == 10
    assert config.learning_rate == 1e-3


def test_standardization_fitted_on_train_only():
    train, valid = make_events(2000, 1), make_events(500, 2)
    valid.features[:] += 100.0
    model = BaselineClassifier(training=quick_config(epochs=1))
    model.fit(train, valid)
    np.testing.assert_allclose(
        model.standardizer.mean, train.features.mean(axis=0), atol=1e-4
    )


def test_same_seed_gives_identical_scores():
    train, valid = make_events(3000, 1), make_events(1000, 2)
    scores = []
    for _ in range(2):
        model = BaselineClassifier(training=quick_config())
        model.fit(train, valid)
        scores.append(model.predict(valid))
    np.testing.assert_array_equal(scores[0], scores[1])


def test_other_seed_gives_other_scores():
    train, valid = make_events(3000, 1), make_events(1000, 2)
    first = BaselineClassifier(training=quick_config(seed=1))
    second = BaselineClassifier(training=quick_config(seed=2))
    first.fit(train, valid)
    second.fit(train, valid)
    assert not np.array_equal(first.predict(valid), second.predict(valid))


def test_learns_constructed_signal():
    train, valid = make_events(6000, 1), make_events(2000, 2)
    model = BaselineClassifier(training=quick_config(epochs=5))
    history = model.fit(train, valid)
    assert len(history.valid_auc) == 5
    assert history.valid_auc[-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0]


def test_scores_lie_in_unit_interval():
    train, valid = make_events(2000, 1), make_events(500, 2)
    model = BaselineClassifier(training=quick_config(epochs=1))
    model.fit(train, valid)
    scores = model.predict(valid)
    assert scores.dtype == np.float32
    assert scores.shape == (500,)
    assert np.all((scores >= 0) & (scores <= 1))


def test_save_load_round_trip(tmp_path):
    train, valid = make_events(2000, 1), make_events(500, 2)
    model = BaselineClassifier(use_mass=True, training=quick_config(epochs=1))
    model.fit(train, valid)
    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, BaselineClassifier)
    assert loaded.use_mass
    np.testing.assert_array_equal(loaded.predict(valid), model.predict(valid))


def test_saved_files_need_no_pickle(tmp_path):
    train, valid = make_events(1000, 1), make_events(300, 2)
    model = BaselineClassifier(training=quick_config(epochs=1))
    model.fit(train, valid)
    model.save(tmp_path)
    record = json.loads((tmp_path / "model.json").read_text())
    assert record["model"] == "baseline"
    assert record["hidden"] == [128, 64, 32]
    tensors = load_file(str(tmp_path / "model.safetensors"))
    assert tensors["standardizer.mean"].shape == (27,)
    assert tensors["network.0.weight"].shape == (128, 27)


def test_mass_model_rejects_events_without_mass():
    model = BaselineClassifier(use_mass=True, training=quick_config(epochs=1))
    with pytest.raises(ModelError, match="no mass column"):
        model.fit(make_events(100, 1, with_mass=False), make_events(50, 2))


def test_predict_before_fit_fails():
    with pytest.raises(ModelError, match="not been fitted"):
        BaselineClassifier().predict(make_events(10, 1))


def test_unknown_model_name():
    with pytest.raises(ConfigurationError, match="unknown model 'forest'"):
        create_model("forest")


def test_load_from_folder_without_model(tmp_path):
    with pytest.raises(ModelError, match="contains no saved model"):
        load_model(tmp_path)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("epochs", 0, "epochs must be at least 1"),
        ("batch_size", 0, "batch size must be at least 1"),
        ("learning_rate", -1.0, "learning rate must be a positive finite number"),
        ("device", "tpu", "device must be"),
        ("threads", 0, "threads must be at least 1"),
    ],
)
def test_training_config_rejects(setting, value, message):
    with pytest.raises(ConfigurationError, match=message):
        TrainingConfig(**{setting: value})
