"""Every model on a small real sample: quality floors, save/load, options."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from hepmass.errors import ConfigurationError, ModelError
from hepmass.models import MODEL_NAMES, create_model, load_model
from hepmass.models.registry import model_class, model_option_names
from hepmass.training.config import TrainingConfig
from hepmass.workflow.datasets import load_splits

TRAIN_ROWS = 3000
"""Training events at most, so the file runs in about a minute on 2 cores."""

FAST = TrainingConfig(epochs=8, batch_size=64, learning_rate=2e-3, seed=3)

# (model, options, AUC floor on the bundled sample's test events). Logistic
# regression reaches about 0.83 there; the floors leave room for seed noise
# on about 1,200 training events. The unsupervised autoencoder never sees a
# label, so its floor is only clearly above chance.
CASES = [
    ("logistic", {}, 0.78),
    ("baseline", {"training": FAST}, 0.75),
    ("deep", {"depth": 2, "width": 64, "training": FAST}, 0.75),
    ("parameterized", {"depth": 2, "width": 64, "training": FAST}, 0.78),
    ("gbdt", {"max_trees": 300}, 0.75),
    ("gbdt", {"max_trees": 300, "use_mass": True}, 0.80),
    ("svm", {"components": 300}, 0.75),
    ("autoencoder", {"training": FAST}, 0.55),
    ("autoencoder", {"background_only": True, "training": FAST}, 0.62),
]


def _case_id(case) -> str:
    name, options, _ = case
    flags = [key for key in ("use_mass", "background_only") if options.get(key)]
    return "-".join([name, *flags])


@pytest.fixture(scope="module")
def splits():
    data = load_splits(seed=0)
    if len(data.train) > TRAIN_ROWS:
        keep = np.random.default_rng(0).choice(len(data.train), TRAIN_ROWS, False)
        data = type(data)(data.train.take(keep), data.valid, data.test,
                          data.description)
    return data


@pytest.fixture(scope="module", params=CASES, ids=_case_id)
def trained(request, splits, tmp_path_factory):
    name, options, floor = request.param
    model = create_model(name, **options)
    history = model.fit(splits.train, splits.valid)
    directory = tmp_path_factory.mktemp(_case_id(request.param))
    model.save(directory)
    return model, history, directory, floor


def test_model_beats_floor(trained, splits):
    model, _, _, floor = trained
    auc = roc_auc_score(splits.test.labels, model.predict(splits.test))
    assert auc > floor, f"{model.name}: test AUC {auc:.4f} below {floor}"


def test_scores_are_float32_in_unit_interval(trained, splits):
    model, _, _, _ = trained
    scores = model.predict(splits.test)
    assert scores.dtype == np.float32
    assert scores.shape == (len(splits.test),)
    assert scores.min() >= 0.0
    assert scores.max() <= 1.0


def test_save_load_identical_scores(trained, splits):
    model, _, directory, _ = trained
    loaded = load_model(directory)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.predict(splits.test), model.predict(splits.test))


def test_history_records_training(trained):
    _, history, _, _ = trained
    assert history.valid_loss
    assert history.seconds > 0


def test_supervised_models_beat_autoencoder(splits):
    logistic = create_model("logistic")
    logistic.fit(splits.train, splits.valid)
    autoencoder = create_model("autoencoder", training=FAST)
    autoencoder.fit(splits.train, splits.valid)
    truth = splits.test.labels
    assert roc_auc_score(truth, logistic.predict(splits.test)) > roc_auc_score(
        truth, autoencoder.predict(splits.test)
    )


def test_deep_stops_early_and_keeps_best_epoch(splits):
    config = TrainingConfig(epochs=30, batch_size=32, learning_rate=1e-2, seed=0)
    model = create_model("deep", depth=2, width=128, dropout=0.0, patience=2,
                         training=config)
    history = model.fit(splits.train, splits.valid)
    assert len(history.valid_loss) < 30
    assert history.best_epoch == int(np.argmin(history.valid_loss)) + 1


def test_parameterized_score_depends_on_mass(splits):
    model = create_model("parameterized", depth=1, width=32, training=FAST)
    model.fit(splits.train, splits.valid)
    events = splits.test.take(np.flatnonzero(splits.test.labels == 1)[:50])
    low = type(events)(events.features, events.labels,
                       np.full(len(events), 500.0, np.float32))
    high = type(events)(events.features, events.labels,
                        np.full(len(events), 1500.0, np.float32))
    assert not np.allclose(model.predict(low), model.predict(high))


def test_unknown_option_rejected():
    with pytest.raises(ConfigurationError, match="takes no option depth"):
        create_model("logistic", depth=3)


def test_unknown_model_rejected():
    with pytest.raises(ConfigurationError, match="unknown model 'forest'"):
        create_model("forest")


def test_parameterized_requires_mass_input():
    with pytest.raises(ConfigurationError, match="always takes the mass"):
        create_model("parameterized", use_mass=False)


def test_mass_model_rejects_events_without_mass(splits):
    model = create_model("gbdt", use_mass=True, max_trees=5)
    no_mass = type(splits.train)(splits.train.features, splits.train.labels)
    with pytest.raises(ModelError, match="no mass column"):
        model.fit(no_mass, splits.valid)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("deep", {"depth": 0}, "depth must be at least 1"),
        ("deep", {"dropout": 1.0}, r"dropout must lie in \[0, 1\)"),
        ("gbdt", {"num_leaves": 1}, "num_leaves must be at least 2"),
        ("svm", {"components": 1}, "components must be at least 2"),
        ("autoencoder", {"bottleneck": 40}, "bottleneck must lie between 1 and 27"),
        ("logistic", {"regularization": 0.0}, "regularization C must be positive"),
    ],
)
def test_invalid_option_rejected(name, options, message):
    with pytest.raises(ConfigurationError, match=message):
        create_model(name, **options)


def test_svm_rejects_more_components_than_events(splits):
    model = create_model("svm", components=len(splits.train) + 1)
    with pytest.raises(ConfigurationError, match="exceed the"):
        model.fit(splits.train, splits.valid)


def test_unfitted_model_cannot_predict(splits):
    for name in ("gbdt", "svm", "logistic", "autoencoder"):
        with pytest.raises(ModelError, match="not been fitted"):
            create_model(name).predict(splits.test)


def test_option_names_listed():
    assert "depth" in model_option_names("parameterized")
    assert "background_only" in model_option_names("autoencoder")


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("logistic", {}),
        ("svm", {"components": 100}),
        ("gbdt", {"max_trees": 20}),
        ("autoencoder", {}),
    ],
)
def test_ignored_training_settings_change_nothing(splits, name, options):
    ignored = model_class(name).ignored_training_settings
    assert ignored
    assert set(ignored) <= {field.name for field in dataclasses.fields(TrainingConfig)}
    changed = {"epochs": 3, "batch_size": 32, "learning_rate": 0.5,
               "device": "cuda", "threads": 1, "precision": "bf16"}
    base = TrainingConfig(epochs=1, seed=3)
    other = dataclasses.replace(base, **{key: changed[key] for key in ignored})
    scores = []
    for training in (base, other):
        model = create_model(name, training=training, **options)
        model.fit(splits.train, splits.valid)
        scores.append(model.predict(splits.test))
    np.testing.assert_array_equal(scores[0], scores[1])


def test_networks_read_every_training_setting():
    for name in ("baseline", "deep", "parameterized"):
        assert model_class(name).ignored_training_settings == ()


def test_registry_names_match_classes():
    for name in MODEL_NAMES:
        assert model_class(name).name == name
