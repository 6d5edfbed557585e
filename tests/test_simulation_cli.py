"""The ``hepmass simulate`` command line: parsing, errors and a real small run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from hepmass.cli.main import main


def _invoke(*args: str):
    return CliRunner().invoke(main, ["simulate", *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--masses", "300", "1000"], "signal mass 300.0 GeV cannot decay"),
        (["--signal-events", "0"], "--signal-events must be a positive"),
        (["--shard", "5/4"], "must run from 1 to the shard count 4"),
        (["--shard", "two"], "must look like K/N"),
        (["--masses", "abc"], "masses must be numbers in GeV"),
        (["--energy", "100"], "Raise --energy above 1800 GeV. Lowering the masses"),
    ],
)
def test_bad_arguments_rejected(tmp_path, args, message):
    base = {"--signal-events": "10", "--background-events": "10",
            "--out": str(tmp_path / "out")}
    for flag in args[::2]:
        base.pop(flag, None)
    flat = [x for pair in base.items() for x in pair]
    result = _invoke(*flat, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_missing_counts_rejected(tmp_path):
    result = _invoke("--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "--signal-events is required" in result.output


def test_non_empty_out_rejected(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    result = _invoke("--signal-events", "5", "--background-events", "5",
                     "--out", str(tmp_path))
    assert result.exit_code != 0
    assert "pass --force" in result.output


def test_merge_needs_shards(tmp_path):
    result = _invoke("merge", "--out", str(tmp_path / "m"))
    assert result.exit_code != 0
    assert "Missing argument" in result.output


def test_merge_rejects_non_simulation_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = _invoke("merge", str(tmp_path / "empty"), "--out", str(tmp_path / "m"))
    assert result.exit_code != 0
    assert "manifest.json not found" in result.output


def test_command_as_written_keeps_stdout_clean(tmp_path):
    pytest.importorskip("pythia8mc")
    out = tmp_path / "sim"
    command = [sys.executable, "-m", "hepmass", "simulate", "--masses", "600", "900",
               "--signal-events", "10", "--background-events", "10", "--no-mpi",
               "--chunk-size", "50", "--out", str(out), "--seed", "3"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    record = json.loads((out / "manifest.json").read_text())
    assert record["masses_gev"] == [600.0, 900.0]
    assert record["mpi"] is False
    assert "--no-mpi" in record["command_line"]
    assert (out / "events.csv.gz").is_file()
