"""The train, evaluate, run and predict commands, end to end on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from hepmass.cli import main
from hepmass.data import read_events
from hepmass.errors import HepmassWarning
from hepmass.sample import TEST_FILE, TRAIN_FILE

FIGURES = ("roc.png", "confusion_0.1.png", "confusion_0.5.png",
           "confusion_0.9.png", "scores.png")


def invoke(*args: str):
    result = CliRunner().invoke(main, ["--quiet", *args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    """A real ``hepmass run`` process on the bundled sample, 2 epochs."""
    out = tmp_path_factory.mktemp("runs") / "bundled"
    completed = subprocess.run(
        [sys.executable, "-m", "hepmass", "run", "--epochs", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    return out, completed


def test_run_writes_every_output(bundled_run):
    out, _ = bundled_run
    for name in FIGURES + ("metrics.json", "model.json", "model.safetensors",
                           "run.json", "history.json", "test_scores.parquet"):
        assert (out / name).is_file(), name


def test_run_figures_are_png(bundled_run):
    out, _ = bundled_run
    for name in FIGURES:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_run_metrics_content(bundled_run):
    out, _ = bundled_run
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.5 < metrics["roc_auc"] <= 1.0
    assert sorted(metrics["thresholds"]) == ["0.1", "0.5", "0.9"]
    at_half = metrics["thresholds"]["0.5"]
    assert set(at_half) >= {"accuracy", "precision", "recall", "f1", "confusion"}
    counts = at_half["confusion"]
    assert sum(counts.values()) == metrics["n_events"]
    assert metrics["n_events"] == len(read_events(TEST_FILE))


def test_run_prints_summary_table(bundled_run):
    _, completed = bundled_run
    assert "ROC AUC:" in completed.stdout
    assert "threshold  accuracy  precision" in completed.stdout
    assert "run directory:" in completed.stdout


def test_run_logs_each_epoch(bundled_run):
    _, completed = bundled_run
    assert "epoch 1/2: train loss" in completed.stderr
    assert "validation AUC" in completed.stderr


def test_run_records_data_and_settings(bundled_run):
    out, _ = bundled_run
    record = json.loads((out / "run.json").read_text())
    assert record["data"]["bundled_sample"] is True
    assert record["data"]["train_file"] == str(TRAIN_FILE)
    model = json.loads((out / "model.json").read_text())
    assert model["training"]["epochs"] == 2
    assert model["training"]["learning_rate"] == 1e-3


def test_evaluate_reproduces_run(bundled_run, tmp_path):
    out, _ = bundled_run
    first = json.loads((out / "metrics.json").read_text())
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in out.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    invoke("evaluate", str(copy))
    second = json.loads((copy / "metrics.json").read_text())
    assert second["roc_auc"] == first["roc_auc"]
    assert second["thresholds"] == first["thresholds"]


def test_train_then_evaluate_matches_run(bundled_run, tmp_path):
    out, _ = bundled_run
    trained = tmp_path / "trained"
    invoke("train", "--epochs", "2", "--out", str(trained))
    assert not (trained / "metrics.json").exists()
    invoke("evaluate", str(trained))
    from_steps = json.loads((trained / "metrics.json").read_text())
    from_run = json.loads((out / "metrics.json").read_text())
    assert from_steps["roc_auc"] == from_run["roc_auc"]


def test_held_out_test_split_is_rebuilt(tmp_path):
    run_dir = tmp_path / "held"
    invoke("train", "--train", str(TRAIN_FILE), "--epochs", "1", "--out", str(run_dir))
    record = json.loads((run_dir / "run.json").read_text())
    assert record["data"]["test_file"] is None
    n_train = len(read_events(TRAIN_FILE))
    invoke("evaluate", str(run_dir))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["n_events"] == pytest.approx(n_train / 3, abs=2)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_predict_writes_one_score_per_event(bundled_run, tmp_path, suffix):
    out, _ = bundled_run
    output = tmp_path / f"scores{suffix}"
    invoke("predict", str(out), "--input", str(TEST_FILE), "--output", str(output),
           "--chunk-rows", "1000")
    table = pq.read_table(output) if suffix == ".parquet" else pa_csv.read_csv(output)
    events = read_events(TEST_FILE)
    assert table.column_names == ["label", "mass", "score"]
    assert table.num_rows == len(events)
    np.testing.assert_array_equal(table["label"].to_numpy(), events.labels)
    saved = pq.read_table(out / "test_scores.parquet")["score"].to_numpy()
    np.testing.assert_allclose(table["score"].to_numpy(), saved, atol=1e-6)


def test_predict_rejects_unknown_suffix(bundled_run, tmp_path):
    out, _ = bundled_run
    result = CliRunner().invoke(
        main, ["predict", str(out), "--input", str(TEST_FILE),
               "--output", str(tmp_path / "scores.txt")],
    )
    assert result.exit_code == 1
    assert "must end in .parquet or .csv" in result.output


def test_run_refuses_non_empty_out(tmp_path):
    (tmp_path / "keep.txt").write_text("data")
    result = CliRunner().invoke(main, ["run", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert "--force" in result.output
    assert (tmp_path / "keep.txt").read_text() == "data"


def test_test_without_train_rejected(tmp_path):
    result = CliRunner().invoke(
        main, ["run", "--test", str(TEST_FILE), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "--test was given without --train" in result.output


def test_invalid_fraction_rejected(tmp_path):
    result = CliRunner().invoke(
        main, ["train", "--valid-fraction", "1.5", "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "validation fraction must lie strictly between 0 and 1, got 1.5" in (
        result.output
    )


def test_evaluate_rejects_folder_without_run(tmp_path):
    result = CliRunner().invoke(main, ["evaluate", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a hepmass run directory" in result.output


@pytest.mark.parametrize(
    "command", ["run", "train", "evaluate", "predict", "download", "simulate"]
)
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert "." in result.output.splitlines()[2]


def test_force_removes_earlier_outputs(tmp_path):
    out = tmp_path / "reused"
    out.mkdir()
    (out / "model.onnx").write_bytes(b"old graph")
    (out / "roc.png").write_bytes(b"old figure")
    (out / "notes.md").write_text("mine")
    invoke("train", "--epochs", "1", "--out", str(out), "--force")
    assert not (out / "model.onnx").exists()
    assert not (out / "roc.png").exists()
    assert (out / "notes.md").read_text() == "mine"
    assert (out / "model.json").is_file()


def test_run_records_absolute_paths(tmp_path, monkeypatch):
    local = tmp_path / "train.csv.gz"
    local.write_bytes(TRAIN_FILE.read_bytes())
    monkeypatch.chdir(tmp_path)
    invoke("train", "--train", "train.csv.gz", "--epochs", "1", "--out", "r")
    record = json.loads((tmp_path / "r" / "run.json").read_text())
    assert record["data"]["train_file"] == str(local.resolve())


def test_single_class_file_rejected_before_training(tmp_path):
    import gzip

    rows = gzip.open(TRAIN_FILE, "rt").read().splitlines()
    signal_only = [rows[0]] + [r for r in rows[1:] if r.startswith("1")]
    path = tmp_path / "signal.csv"
    path.write_text("\n".join(signal_only) + "\n")
    out = tmp_path / "never"
    result = CliRunner().invoke(
        main, ["run", "--train", str(path), "--epochs", "1", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "are all signal" in result.output
    assert str(path) in result.output
    assert not out.exists()


def test_interpolation_mass_checked_before_training(tmp_path):
    out = tmp_path / "never"
    result = CliRunner().invoke(
        main, ["run", "--interpolation-test", "--leave-out-mass", "875",
               "--epochs", "1", "--out", str(out)],
    )
    assert result.exit_code == 1
    assert "no signal at 875 GeV to leave out" in result.output
    assert not out.exists()


def _hepmass_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, HepmassWarning)]


def test_option_ignored_by_model_warns(tmp_path):
    with pytest.warns(HepmassWarning) as record:
        result = invoke("train", "--model", "logistic", "--epochs", "3",
                        "--batch-size", "64", "--seed", "2",
                        "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    messages = _hepmass_warnings(record)
    assert len(messages) == 2
    assert messages[0].startswith("--epochs has no effect on the logistic model")
    assert "uses only --seed of the training options" in messages[0]
    assert messages[1].startswith("--batch-size has no effect on the logistic model")
    assert (tmp_path / "r" / "model.json").is_file()


def test_gbdt_epochs_warning_names_patience(tmp_path):
    # The invalid --valid-fraction stops the command after the option checks,
    # before any data is read or trained on.
    with pytest.warns(HepmassWarning) as record:
        result = invoke("train", "--model", "gbdt", "--epochs", "5",
                        "--learning-rate", "0.01", "--threads", "1",
                        "--valid-fraction", "1.5", "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    messages = _hepmass_warnings(record)
    assert len(messages) == 2
    assert messages[0].startswith("--epochs has no effect on the gbdt model")
    assert "uses only --seed and --threads" in messages[0]
    assert "set --patience instead" in messages[0]
    assert messages[1].startswith("--learning-rate has no effect on the gbdt model")


def test_options_used_by_model_do_not_warn(tmp_path):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = invoke("train", "--model", "autoencoder", "--epochs", "1",
                        "--batch-size", "256", "--learning-rate", "0.002",
                        "--valid-fraction", "1.5", "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert _hepmass_warnings(record) == []


def test_test_fraction_with_test_file_warns(tmp_path):
    with pytest.warns(HepmassWarning) as record:
        result = invoke("run", "--train", str(TRAIN_FILE), "--test", str(TEST_FILE),
                        "--test-fraction", "0.2", "--valid-fraction", "1.5",
                        "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    messages = _hepmass_warnings(record)
    assert len(messages) == 1
    assert messages[0].startswith("--test-fraction has no effect with --test")
    assert str(TEST_FILE) in messages[0]


def test_test_fraction_with_bundled_sample_warns(tmp_path):
    with pytest.warns(HepmassWarning) as record:
        result = invoke("train", "--test-fraction", "0.2", "--valid-fraction", "1.5",
                        "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    messages = _hepmass_warnings(record)
    assert len(messages) == 1
    assert messages[0].startswith("--test-fraction has no effect without --train")


def test_test_fraction_with_train_only_does_not_warn(tmp_path):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = invoke("train", "--train", str(TRAIN_FILE), "--test-fraction", "0.2",
                        "--valid-fraction", "1.5", "--out", str(tmp_path / "r"))
    assert result.exit_code == 1
    assert _hepmass_warnings(record) == []


HEAVY_MODULES = ("torch", "sklearn", "matplotlib", "lightgbm")
"""Libraries that only training, evaluation and figures need, not the help."""


@pytest.mark.parametrize(
    "args",
    [["--help"]]
    + [[command, "--help"] for command in
       ("run", "train", "evaluate", "predict", "export", "compare", "download",
        "simulate")]
    + [["simulate", "merge", "--help"]],
    ids=lambda args: " ".join(args),
)
def test_help_skips_heavy_imports(args):
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "hepmass", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Usage: ")
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in completed.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "hepmass.cli.main" in imported
    for module in HEAVY_MODULES:
        assert module not in imported, f"{' '.join(args)} imported {module}"


def test_evaluate_refuses_a_changed_training_file(tmp_path):
    import shutil

    train = tmp_path / "mytrain.csv.gz"
    shutil.copy(TRAIN_FILE, train)
    out = tmp_path / "run"
    result = invoke("train", "--model", "logistic", "--train", str(train),
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    record = json.loads((out / "run.json").read_text())
    assert record["data"]["train_file_state"]["size"] == train.stat().st_size

    # Same content, new modification time: the splits can no longer be trusted.
    os.utime(train, ns=(train.stat().st_atime_ns, train.stat().st_mtime_ns + 10**9))
    result = CliRunner().invoke(main, ["--quiet", "evaluate", str(out)])
    assert result.exit_code == 1
    assert "changed since the run recorded it" in result.output
    assert "--test FILE" in result.output


def test_run_warns_when_test_file_is_training_file(tmp_path):
    with pytest.warns(HepmassWarning, match="the test file is the training file"):
        invoke("run", "--model", "logistic", "--train", str(TEST_FILE),
               "--test", str(TEST_FILE), "--out", str(tmp_path / "same"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--threshold", "1.5"], "thresholds are cuts on a score in [0, 1]"),
        (["--threshold", "nan"], "thresholds are cuts on a score in [0, 1]"),
        (["--bootstrap-resamples", "1"], "at least 2 resamples"),
        (["--importance-repeats", "0"], "importance repeats must be at least 1"),
        (["--target-signal-efficiency", "1.5"], "must lie in (0, 1]"),
        (["--target-background-rejection", "1"], "finite number above 1"),
        (["--learning-rate", "inf"], "positive finite number"),
        (["--seed", "-1"], "seed must be between 0 and 4294967295"),
        (["--study-seed", "-5"], "study seed must be between 0"),
    ],
)
def test_run_rejects_bad_options_before_training(tmp_path, options, message):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["--quiet", "run", "--out", str(out), *options])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_run_directory_locked_while_written(tmp_path):
    from hepmass.workflow.directory import LOCK_FILE, RunDirectory

    out = tmp_path / "busy"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / LOCK_FILE).write_text(f"{sleeper.pid}\n")
        for force in (False, True):
            with pytest.raises(Exception, match="not empty|is writing into"):
                RunDirectory.create(out, force=force)
        result = CliRunner().invoke(
            main, ["--quiet", "run", "--out", str(out), "--force", "--epochs", "1"]
        )
        assert result.exit_code == 1
        assert f"another hepmass process (pid {sleeper.pid}) is writing" in result.output
    finally:
        sleeper.kill()
        sleeper.wait()
    # The holder is gone: its lock is stale and is taken over.
    RunDirectory.create(out, force=True)
    assert (out / LOCK_FILE).read_text().strip() == str(os.getpid())


def test_evaluate_with_new_thresholds_drops_old_confusion_figures(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "--model", "logistic", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "confusion_0.1.png").is_file()
    result = invoke("evaluate", str(out), "--threshold", "0.3")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.glob("confusion_*.png")) == [
        "confusion_0.3.png"
    ]


def test_evaluate_reports_damaged_model_files(tmp_path):
    out = tmp_path / "run"
    assert invoke("train", "--model", "baseline", "--epochs", "1",
                  "--out", str(out)).exit_code == 0
    weights = out / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    result = CliRunner().invoke(main, ["--quiet", "evaluate", str(out)])
    assert result.exit_code == 1
    assert "cannot be loaded" in result.output
    assert "Traceback" not in result.output


def test_run_reports_an_output_folder_it_cannot_create(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(
        main, ["--quiet", "run", "--out", str(blocker / "run"), "--epochs", "1"]
    )
    assert result.exit_code == 1
    assert "cannot create the output directory" in result.output


def test_run_with_a_batch_larger_than_the_data(tmp_path):
    result = invoke("train", "--epochs", "1", "--batch-size", "100000000",
                    "--out", str(tmp_path / "big"))
    assert result.exit_code == 0, result.output
