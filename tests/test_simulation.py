"""Physics and output checks of the simulation on real Pythia runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pythia8mc")
pytest.importorskip("fastjet")

from hepmass.features import PHYSICAL_NAMES, UCI_HEADER  # noqa: E402
from hepmass.simulation import writer  # noqa: E402
from hepmass.simulation.config import W_MASS, SimulationConfig  # noqa: E402
from hepmass.simulation.production import simulate  # noqa: E402

MASSES = (500.0, 1000.0, 1500.0)


def _config(out: Path, **changes) -> SimulationConfig:
    settings = dict(masses=MASSES, signal_events=150, background_events=300, out=out,
                    seed=11, workers=2, chunk_size=100, test_fraction=0.25)
    settings.update(changes)
    return SimulationConfig(**settings)


@pytest.fixture(scope="session")
def run(tmp_path_factory) -> Path:
    """A small run with MPI on, shared by the tests below."""
    out = tmp_path_factory.mktemp("simulation") / "run"
    simulate(_config(out), progress=False)
    return out


@pytest.fixture(scope="session")
def physics(run: Path) -> dict[str, np.ndarray]:
    parts = [writer.read_parquet(run / f"{name}.parquet") for name in ("train", "test")]
    features, labels, mass = (np.concatenate(c) for c in zip(*parts))
    columns = {name: features[:, i] for i, name in enumerate(PHYSICAL_NAMES)}
    return {**columns, "label": labels, "mass": mass}


def _peak(values: np.ndarray, width: float) -> float:
    """Return the centre of the window of ``width`` that holds the most values."""
    values = np.sort(values)
    ends = np.searchsorted(values, values + width)
    start = int(np.argmax(ends - np.arange(len(values))))
    return float(values[start] + width / 2)


@pytest.mark.parametrize("mass", [500.0, 1000.0])
def test_signal_m_wwbb_peaks_at_mass(physics, mass):
    signal = (physics["label"] == 1) & (physics["mass"] == mass)
    peak = _peak(physics["m_wwbb"][signal], 0.1 * mass)
    assert abs(peak - mass) < 0.1 * mass


def test_m_jjj_peaks_at_top_mass(physics):
    background = physics["label"] == 0
    assert abs(_peak(physics["m_jjj"][background], 30.0) - 172.5) < 25.0


def test_m_jj_peaks_at_w_mass(physics):
    background = physics["label"] == 0
    assert abs(_peak(physics["m_jj"][background], 20.0) - W_MASS) < 15.0


def test_m_lv_is_w_mass_or_above(physics):
    on_shell = np.isclose(physics["m_lv"], W_MASS, atol=1e-3)
    assert on_shell.mean() > 0.6
    assert np.all(physics["m_lv"][~on_shell] > W_MASS)


def test_background_m_wwbb_falls(physics):
    background = physics["m_wwbb"][physics["label"] == 0]
    counts, _ = np.histogram(background, bins=[400, 650, 900, 1400])
    assert counts[0] > counts[1] > counts[2]


def test_one_lepton_in_acceptance(physics):
    assert np.all(physics["lepton_pt"] > 15.0)
    assert np.all(np.abs(physics["lepton_eta"]) < 2.5)


def test_jets_pass_selection(physics):
    assert np.all(physics["n_jets"] >= 4)
    assert np.all(physics["jet4_pt"] > 20.0)
    assert np.all(physics["jet1_pt"] >= physics["jet2_pt"])
    assert np.all(np.abs(physics["jet4_eta"]) < 3.0)


def test_btags_are_binary_and_frequent(physics):
    tags = np.stack([physics[f"jet{i}_btag"] for i in range(1, 5)], axis=1)
    assert set(np.unique(tags)) <= {0.0, 1.0}
    assert 0.3 < tags.sum(axis=1).mean() < 2.0


def test_background_masses_drawn_from_signal(physics):
    background_mass = physics["mass"][physics["label"] == 0]
    assert set(np.unique(background_mass)) == set(MASSES)


def test_counts_and_balance(run):
    record = json.loads((run / "manifest.json").read_text())
    written = {p["process"]: p["events_written"] for p in record["processes"]}
    assert written == {"signal_500": 150, "signal_1000": 150, "signal_1500": 150,
                       "background": 300}
    assert record["mpi"] is True
    assert record["files"]["test"]["events"] == 38 * 3 + 75


def test_manifest_records_physics(run):
    record = json.loads((run / "manifest.json").read_text())
    background = record["processes"][-1]
    assert "Top:gg2ttbar = on" in background["pythia_settings"]
    assert 0.3 < background["filter_fraction"] < 0.4
    assert 50 < background["cross_section_pb"] < 400
    assert 0.2 < background["selection_efficiency"] < 0.8
    assert record["versions"]["pythia8mc"].startswith("8.3")


def test_uci_file_layout(run):
    import gzip

    with gzip.open(run / "train.csv.gz", "rt") as stream:
        header = stream.readline().rstrip("\n")
        row = stream.readline().rstrip("\n").split(",")
    assert header == UCI_HEADER
    assert len(row) == 29
    assert row[0] in ("1.000000", "0.000000")
    assert float(row[-1]) in MASSES
    assert np.float32(float(row[1])) == float(row[1])


def test_uci_round_trip_through_reader(run):
    from hepmass.data import read_events

    events = read_events(run / "train.csv.gz")
    features, labels, mass = writer.read_parquet(run / "train.parquet")
    constants = json.loads((run / "standardization.json").read_text())
    assert len(events) == len(labels)
    np.testing.assert_array_equal(events.labels, labels)
    np.testing.assert_array_equal(events.mass, mass)
    np.testing.assert_array_equal(events.features, writer.zscore(features, constants))


def test_standardization_zero_mean_unit_std(physics, run):
    constants = json.loads((run / "standardization.json").read_text())
    features = np.stack([physics[name] for name in PHYSICAL_NAMES], axis=1)
    scores = writer.zscore(features, constants)
    np.testing.assert_allclose(scores.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(scores.std(axis=0), 1.0, atol=1e-3)


def test_validation_figure_written(run):
    figure = run / "validation.png"
    assert figure.stat().st_size > 20_000
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_bytes(run, tmp_path):
    simulate(_config(tmp_path / "again", workers=1), progress=False)
    for name in ("train.csv.gz", "test.csv.gz", "standardization.json"):
        assert (tmp_path / "again" / name).read_bytes() == (run / name).read_bytes()


def test_other_seed_other_events(tmp_path):
    config = dict(masses=(750.0,), signal_events=20, background_events=20, mpi=False)
    simulate(_config(tmp_path / "a", seed=1, **config), progress=False)
    simulate(_config(tmp_path / "b", seed=2, **config), progress=False)
    first = (tmp_path / "a" / "train.csv.gz").read_bytes()
    assert first != (tmp_path / "b" / "train.csv.gz").read_bytes()
