"""Unit checks of the simulation's parts: arguments, seeds, leptons, neutrino, merge."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import awkward as ak
import numpy as np
import pytest

from hepmass.errors import ConfigurationError, HepmassWarning, SimulationError
from hepmass.simulation.config import (
    PYTHIA_SEED_MAX,
    W_MASS,
    SimulationConfig,
    parse_shard,
    validate_config,
)
from hepmass.simulation.reconstruction import ASSIGNMENTS, mass, neutrino


def _config(tmp_path: Path, **changes) -> SimulationConfig:
    settings = dict(masses=(500.0, 1000.0), signal_events=10, background_events=10,
                    out=tmp_path / "out")
    settings.update(changes)
    return SimulationConfig(**settings)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"masses": (345.0,)}, "cannot decay to a top pair"),
        ({"masses": (200.0, 1000.0)}, "must exceed"),
        ({"masses": ()}, "at least one signal mass"),
        ({"masses": (500.0, 500.0)}, "lists a mass twice"),
        ({"masses": (13000.0,)}, "too close to the collision energy"),
        ({"signal_events": 0}, "--signal-events must be a positive"),
        ({"background_events": -5}, "--background-events must be a positive"),
        ({"workers": 0}, "--workers must be at least 1"),
        ({"seed": -1}, "--seed must be"),
        ({"energy": -14000.0}, "--energy must be a positive"),
        ({"test_fraction": 1.0}, "--test-fraction must be"),
        ({"test_fraction": 0.01}, "leaves the test file without events"),
        ({"shard": (3, 4), "signal_events": 2}, "4 shards need at least 4 events"),
    ],
)
def test_invalid_config_rejected(tmp_path, changes, message):
    with pytest.raises(ConfigurationError, match=message):
        validate_config(_config(tmp_path, **changes))


def test_low_energy_names_needed_energy(tmp_path):
    config = _config(tmp_path, masses=(500.0, 750.0, 1500.0), energy=100.0)
    with pytest.raises(ConfigurationError) as raised:
        validate_config(config)
    message = str(raised.value)
    assert message.startswith("signal masses 500, 750, 1500 GeV are too close")
    assert "Raise --energy above 1800 GeV." in message
    assert "Lowering the masses cannot help at 100 GeV" in message
    assert "above 414 GeV" in message
    assert "below 83" not in message


def test_energy_near_mass_names_both_fixes(tmp_path):
    config = _config(tmp_path, masses=(500.0, 1000.0), energy=1000.0)
    with pytest.raises(ConfigurationError) as raised:
        validate_config(config)
    message = str(raised.value)
    assert message.startswith("signal mass 1000 GeV is too close")
    assert "Raise --energy above 1200 GeV" in message
    assert "or use signal masses below 833.333 GeV" in message


def test_non_empty_out_needs_force(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("x")
    with pytest.raises(ConfigurationError, match="not empty; .* --force"):
        validate_config(_config(tmp_path))
    validate_config(_config(tmp_path, force=True))


def test_out_that_is_a_file_rejected(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(ConfigurationError, match="not a folder"):
        validate_config(_config(tmp_path))


@pytest.mark.parametrize("text", ["3", "a/4", "1/2/3", "", "-1/4", "1.5/4"])
def test_malformed_shard_rejected(text):
    with pytest.raises(ConfigurationError, match="must look like K/N"):
        parse_shard(text)


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0"])
def test_shard_out_of_range_rejected(text):
    with pytest.raises(ConfigurationError, match="must run from 1"):
        parse_shard(text)


def test_shard_parsed():
    assert parse_shard("3/10") == (3, 10)


def test_errors_before_generation(tmp_path):
    from hepmass.simulation.production import simulate

    with pytest.raises(ConfigurationError, match="cannot decay"):
        simulate(_config(tmp_path, masses=(300.0,)), progress=False)
    assert not (tmp_path / "out").exists()


def test_shard_shares_add_up(tmp_path):
    shares = [_config(tmp_path, shard=(k, 3)).shard_share(10) for k in (1, 2, 3)]
    assert shares == [4, 3, 3]


def test_chunk_seeds_disjoint_and_in_range():
    from hepmass.simulation.generator import Process
    from hepmass.simulation.workers import chunk_task

    seeds = set()
    for shard in [(1, 2), (2, 2)]:
        for process in (Process(None), Process(500.0), Process(1000.0)):
            for index in range(20):
                task = chunk_task(process, index, 7, shard, 100, 14000.0, True)
                assert 1 <= task.pythia_seed <= PYTHIA_SEED_MAX
                seeds.add(task.pythia_seed)
    assert len(seeds) == 2 * 3 * 20


def test_chunk_seed_reproducible():
    from hepmass.simulation.generator import Process
    from hepmass.simulation.workers import chunk_task

    first = chunk_task(Process(750.0), 3, 99, (1, 1), 100, 14000.0, True)
    second = chunk_task(Process(750.0), 3, 99, (1, 1), 100, 14000.0, True)
    assert first == second


def _particles(rows: list[list[tuple]]) -> ak.Array:
    """Build visible particles from (id, pt, eta, phi) tuples per event."""
    events = []
    for row in rows:
        events.append([
            {"id": pid, "pt": pt, "eta": eta, "phi": phi, "index": i,
             "px": pt * np.cos(phi), "py": pt * np.sin(phi),
             "pz": pt * np.sinh(eta), "e": pt * np.cosh(eta)}
            for i, (pid, pt, eta, phi) in enumerate(row)
        ])
    return ak.Array(events)


def test_lepton_selection_requires_exactly_one():
    from hepmass.simulation.leptons import select_lepton

    visible = _particles([
        [(11, 50.0, 0.1, 0.0), (211, 30.0, 2.0, 2.0)],            # one isolated
        [(11, 50.0, 0.1, 0.0), (-13, 40.0, -1.0, 2.0)],           # two isolated
        [(13, 50.0, 0.1, 0.0), (211, 30.0, 0.2, 0.1)],            # not isolated
        [(11, 50.0, 2.8, 0.0)],                                   # outside |eta|
        [(13, 8.0, 0.0, 0.0), (211, 30.0, 0.0, 3.0)],             # too soft
        [(13, 60.0, 0.0, 0.0), (11, 20.0, 0.1, 0.1), (22, 1.0, 2.0, 2.0)],
    ])
    passed, lepton, scale = select_lepton(visible, np.random.default_rng(0))
    assert passed.tolist() == [True, False, False, False, False, False]
    assert lepton.id.tolist() == [11]
    assert 0.9 < scale[0] < 1.1


def test_neutrino_solves_w_mass():
    rng = np.random.default_rng(3)
    n = 2000
    pt = rng.uniform(20, 200, n)
    eta = rng.uniform(-2.5, 2.5, n)
    phi = rng.uniform(-3, 3, n)
    lepton = np.stack([pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi),
                       pt * np.sinh(eta)], axis=-1)
    met_x, met_y = rng.normal(0, 80, n), rng.normal(0, 80, n)
    nu, real = neutrino(lepton, met_x, met_y)
    m_lv = mass(lepton + nu)
    assert 0.2 < real.mean() < 1.0
    np.testing.assert_allclose(m_lv[real], W_MASS, rtol=1e-9)
    assert np.all(m_lv[~real] > W_MASS - 1e-6)


def test_assignments_cover_all_readings():
    assert len(ASSIGNMENTS) == 12
    assert all(sorted(row) == [0, 1, 2, 3] for row in ASSIGNMENTS.tolist())


def test_assign_tops_finds_true_reading():
    from hepmass.simulation.reconstruction import assign_tops

    def vector(m, px, py, pz):
        return np.array([np.sqrt(m**2 + px**2 + py**2 + pz**2), px, py, pz])

    # Hadronic top at rest-ish: W from jets 2 and 3, b_had jet 0; b_lep jet 1.
    q1, q2 = vector(0, 40.0, 0, 0), vector(0, -40.0, 0.0, 5.0)
    w_mass_now = mass(q1 + q2)
    q2 = vector(0, -40.0, 0.0, 5.0 * W_MASS / w_mass_now)
    jets = np.stack([vector(5, 0, 60.0, 0), vector(5, 0, -50.0, 30.0), q1, q2])[None]
    w_lep = vector(W_MASS, 0, -20.0, 10.0)[None]
    best = assign_tops(jets, np.array([[1.0, 1.0, 0.0, 0.0]]), w_lep)
    assert ASSIGNMENTS[best[0]][:2].tolist() in ([1, 0], [0, 1])
    assert sorted(ASSIGNMENTS[best[0]][2:].tolist()) == [2, 3]


def test_hadron_flavour_codes():
    from hepmass.simulation.particles import hadron_flavour

    ids = ak.Array([[511, -521, 5122, 541, 4122, 421, -431, 211, 21, 5, 5101, 2212]])
    assert hadron_flavour(ids)[0].tolist() == [5, 5, 5, 5, 4, 4, 4, 0, 0, 0, 0, 0]


def test_btag_efficiency_near_working_point():
    from hepmass.simulation.detector import btag_efficiency

    pt = np.array([50.0, 100.0, 200.0])
    b = btag_efficiency(pt, np.full(3, 5))
    c = btag_efficiency(pt, np.full(3, 4))
    light = btag_efficiency(pt, np.zeros(3))
    assert np.all((b > 0.6) & (b < 0.8))
    assert np.all((c > 0.05) & (c < 0.2))
    assert np.all(light < 0.01)


@pytest.mark.parametrize("with_mpi", [False])
def test_shards_merge(tmp_path, with_mpi):
    pytest.importorskip("pythia8mc")
    from hepmass.data import read_events
    from hepmass.simulation.merge import merge_shards
    from hepmass.simulation.production import simulate

    folders = []
    for index in (1, 2):
        folder = tmp_path / f"shard{index}"
        simulate(_config(tmp_path, masses=(750.0,), signal_events=40,
                         background_events=40, out=folder, shard=(index, 2),
                         mpi=with_mpi, chunk_size=50), progress=False)
        folders.append(folder)
    merged = merge_shards(folders, tmp_path / "merged")
    events = read_events(tmp_path / "merged" / "events.csv.gz")
    assert len(events) == 80
    assert events.n_signal == 40
    np.testing.assert_allclose(events.features.mean(axis=0), 0.0, atol=1e-4)
    assert [p["events_written"] for p in merged["processes"]] == [40, 40]
    assert merged["missing_shards"] == []
    records = [json.loads((f / "manifest.json").read_text()) for f in folders]
    seeds = [record["processes"][0]["pythia_seeds"] for record in records]
    assert not set(seeds[0]) & set(seeds[1])

    with pytest.raises(ConfigurationError, match="same shard 1/2"):
        merge_shards([folders[0], folders[0]], tmp_path / "twice")
    with pytest.raises(ConfigurationError, match="not empty"):
        merge_shards(folders, tmp_path / "merged")


@pytest.fixture(scope="module")
def partial_shards(tmp_path_factory) -> list[Path]:
    """Shards 1/3 and 3/3 of one small production, without shard 2/3."""
    pytest.importorskip("pythia8mc")
    from hepmass.simulation.production import simulate

    root = tmp_path_factory.mktemp("partial")
    folders = []
    for index in (1, 3):
        folder = root / f"shard{index}"
        command = (
            "hepmass simulate --masses 750 --signal-events 30 --background-events "
            f"30 --no-mpi --chunk-size 50 --shard {index}/3 --out {folder}"
        )
        simulate(_config(root, masses=(750.0,), signal_events=30,
                         background_events=30, out=folder, shard=(index, 3),
                         mpi=False, chunk_size=50, command_line=command),
                 progress=False)
        folders.append(folder)
    return folders


def test_merge_missing_shard_rejected(partial_shards, tmp_path):
    from hepmass.simulation.merge import merge_shards

    out = tmp_path / "merged"
    with pytest.raises(SimulationError) as raised:
        merge_shards(partial_shards, out)
    message = str(raised.value)
    assert message.startswith("shard 2/3 missing")
    assert f"{partial_shards[0]} (1/3)" in message
    assert f"{partial_shards[1]} (3/3)" in message
    assert "--allow-partial" in message
    assert (
        "hepmass simulate --masses 750 --signal-events 30 --background-events 30 "
        "--no-mpi --chunk-size 50 --shard 2/3 --out NEW_FOLDER"
    ) in message
    assert not out.exists()


def test_merge_partial_set_when_allowed(partial_shards, tmp_path):
    from hepmass.data import read_events
    from hepmass.simulation.merge import merge_shards

    out = tmp_path / "merged"
    with pytest.warns(HepmassWarning, match="merging 2 of 3 shards without shard 2/3"):
        merged = merge_shards(partial_shards, out, allow_partial=True)
    assert merged["missing_shards"] == [2]
    record = json.loads((out / "manifest.json").read_text())
    assert record["missing_shards"] == [2]
    assert record["shard_count"] == 3
    events = read_events(out / "events.csv.gz")
    assert len(events) == 40
    assert events.n_signal == 20


def test_merge_cli_missing_shard(partial_shards, tmp_path):
    from click.testing import CliRunner

    from hepmass.cli.main import main

    folders = [str(folder) for folder in partial_shards]
    result = CliRunner().invoke(
        main, ["simulate", "merge", *folders, "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "shard 2/3 missing" in result.output
    assert not (tmp_path / "m").exists()

    with pytest.warns(HepmassWarning, match="without shard 2/3"):
        result = CliRunner().invoke(
            main, ["simulate", "merge", *folders, "--out", str(tmp_path / "m"),
                   "--allow-partial"]
        )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "events.csv.gz").is_file()


def test_merge_mixed_shard_counts_rejected(partial_shards, tmp_path):
    from hepmass.simulation.merge import merge_shards

    other = tmp_path / "other_count"
    shutil.copytree(partial_shards[1], other)
    record = json.loads((other / "manifest.json").read_text())
    record["shard"] = {"index": 2, "count": 4}
    (other / "manifest.json").write_text(json.dumps(record))
    with pytest.raises(ConfigurationError, match="is one of 4 shards but .* one of 3"):
        merge_shards([partial_shards[0], other], tmp_path / "merged")
