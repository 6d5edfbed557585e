"""Data-parallel training: two real processes on loopback against one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hepmass.sample import TRAIN_FILE

TRAIN_ARGS = ["--train", str(TRAIN_FILE), "--epochs", "4", "--threads", "1",
              "--seed", "5"]


def _run(command: list[str], cwd) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=environment,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Train once in one process and once with torchrun on two processes."""
    base = tmp_path_factory.mktemp("distributed")
    single, parallel = base / "single", base / "parallel"
    _run([sys.executable, "-m", "hepmass", "--quiet", "run", *TRAIN_ARGS,
          "--out", str(single)], base)
    torchrun = _run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone",
         "--nproc-per-node", "2", "-m", "hepmass", "run", *TRAIN_ARGS,
         "--out", str(parallel)],
        base,
    )
    return single, parallel, torchrun


def test_two_ranks_match_one_process(runs):
    single, parallel, _ = runs
    auc_single = json.loads((single / "metrics.json").read_text())["roc_auc"]
    auc_parallel = json.loads((parallel / "metrics.json").read_text())["roc_auc"]
    assert abs(auc_parallel - auc_single) < 0.002


def test_two_ranks_used_gloo(runs):
    _, _, torchrun = runs
    assert "rank 0 of 2 joined the process group (gloo)" in torchrun.stderr
    assert "rank 1 of 2 joined the process group (gloo)" in torchrun.stderr


def test_only_rank_zero_writes(runs):
    _, parallel, torchrun = runs
    assert torchrun.stdout.count("run directory:") == 1
    assert (parallel / "metrics.json").is_file()
    assert sorted(p.name for p in parallel.parent.iterdir()) == ["parallel", "single"]


def test_each_rank_trains_on_half(runs):
    single, _, torchrun = runs
    n_train = json.loads((single / "run.json").read_text())["data"]["n_train"]
    for rank in (0, 1):
        expected = f"rank {rank} trains on {n_train // 2} of {n_train} rows"
        assert expected in torchrun.stderr
