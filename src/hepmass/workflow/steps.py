"""Training, evaluation and prediction steps over run directories."""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from hepmass import __version__
from hepmass.data.events import Events
from hepmass.data.reader import read_events
from hepmass.errors import ConfigurationError, HepmassError
from hepmass.evaluation.analysis import analyse_scores
from hepmass.evaluation.metrics import DEFAULT_THRESHOLDS
from hepmass.evaluation.per_mass import per_mass_metrics, plot_per_mass
from hepmass.evaluation.report import write_report
from hepmass.evaluation.study import StudySettings, study_model
from hepmass.models import Classifier, create_model, load_model
from hepmass.models.base import PREDICT_CHUNK_ROWS
from hepmass.training import distributed
from hepmass.training.distributed import is_main_process
from hepmass.workflow.datasets import DataSplits, recreate_test, recreate_training
from hepmass.workflow.directory import RunDirectory

log = logging.getLogger(__name__)


def _versions() -> dict[str, str]:
    import sklearn
    import torch

    return {
        "hepmass": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }


def train_run(
    splits: DataSplits,
    model: str | Classifier = "baseline",
    out: Path | None = None,
    *,
    force: bool = False,
    model_options: dict[str, Any] | None = None,
) -> tuple[RunDirectory | None, Classifier]:
    """Fit a model on ``splits`` and write it, its history and ``run.json``.

    Under ``torchrun`` every rank trains, and only rank 0 writes: the other
    ranks return ``None`` for the run directory.
    """
    if isinstance(model, str):
        model = create_model(model, **(model_options or {}))
    writes = is_main_process()
    run_dir = RunDirectory.create(out, force=force) if writes else None
    if run_dir is not None:
        log.info("training model %r into %s", model.name, run_dir.path)

    try:
        history = model.fit(splits.train, splits.valid)
    finally:
        distributed.shutdown()
    if run_dir is None:
        return None, model
    model.save(run_dir.path)
    run_dir.write_json("history.json", history.to_dict())
    run_dir.write_json(
        "run.json",
        {
            "model": model.name,
            "model_options": model_options or {},
            "data": splits.description,
            "training_seconds": history.seconds,
            "training_rows_per_second": history.rows_per_second,
            "versions": _versions(),
            "machine": {"system": platform.platform(), "processor": platform.machine()},
        },
    )
    log.info(
        "trained in %.1f s (%.0f rows/s)", history.seconds, history.rows_per_second
    )
    return run_dir, model


def evaluate_run(
    run_dir: Path | RunDirectory,
    test: Events | Path | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    settings: StudySettings | None = None,
    *,
    train: Events | None = None,
    valid: Events | None = None,
) -> dict[str, Any]:
    """Score test events with a run's model and write the analysis.

    ``test`` may be events, a file, or ``None`` for the test events the run
    recorded (its test file, or the part of its training file held out).
    ``train`` and ``valid`` default to the splits the run recorded; they feed
    the overtraining check and the calibration. Writes ``metrics.json``,
    ``test_scores.parquet``, the figures and ``report.html``.
    """
    if not isinstance(run_dir, RunDirectory):
        run_dir = RunDirectory.open(run_dir)
    record = run_dir.read_json("run.json")
    if test is None:
        test = recreate_test(record["data"])
    elif not isinstance(test, Events):
        test = read_events(Path(test))
    model = load_model(run_dir.path)
    if train is None:
        train, valid = _recreate_training(record["data"])

    start = time.perf_counter()
    scores = model.predict(test)
    seconds = time.perf_counter() - start
    _write_scores(run_dir.scores_path, test, scores)
    # Confusion figures are named by threshold; drop those of an earlier
    # evaluation so that every figure left matches metrics.json.
    for stale in run_dir.path.glob("confusion_*.png"):
        stale.unlink()

    metrics = analyse_scores(
        test.labels, scores, run_dir.path, thresholds, model_label=model.name
    )
    per_mass = per_mass_metrics(model, test, scores)
    if per_mass:
        metrics["per_mass"] = per_mass
        plot_per_mass({model.name: per_mass}, run_dir.path / "per_mass.png")
    metrics["model"] = model.name
    metrics["test_file"] = str(test.source) if test.source else None
    metrics["inference_rows_per_second"] = len(test) / seconds if seconds else None
    metrics.update(study_model(
        model, test, scores, run_dir.path, settings, train=train, valid=valid
    ))
    run_dir.write_json("metrics.json", metrics)
    write_report(run_dir.path)
    return metrics


def _recreate_training(
    description: dict[str, Any],
) -> tuple[Events | None, Events | None]:
    try:
        return recreate_training(description)
    except (HepmassError, OSError) as error:
        log.warning(
            "cannot read the training events again (%s); the overtraining check "
            "and the calibration fit are skipped", error,
        )
        return None, None


def run(
    splits: DataSplits,
    model: str | Classifier = "baseline",
    out: Path | None = None,
    *,
    force: bool = False,
    model_options: dict[str, Any] | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    settings: StudySettings | None = None,
) -> tuple[RunDirectory | None, dict[str, Any]]:
    """Train on ``splits`` and evaluate on its test events.

    Under ``torchrun`` only rank 0 evaluates; the other ranks return
    ``(None, {})`` once training ends.
    """
    if splits.test is None:
        raise ConfigurationError("the data splits hold no test events to evaluate")
    run_dir, _ = train_run(
        splits, model, out, force=force, model_options=model_options
    )
    if run_dir is None:
        return None, {}
    metrics = evaluate_run(
        run_dir, splits.test, thresholds, settings,
        train=splits.train, valid=splits.valid,
    )
    return run_dir, metrics


def _score_table(events: Events, scores: np.ndarray) -> pa.Table:
    columns = {"label": events.labels}
    if events.mass is not None:
        columns["mass"] = events.mass
    columns["score"] = scores.astype(np.float32)
    return pa.table(columns)


def _write_scores(path: Path, events: Events, scores: np.ndarray) -> None:
    pq.write_table(_score_table(events, scores), path)
    log.debug("wrote %s", path)


def predict_file(
    run_dir: Path,
    input_path: Path,
    output_path: Path,
    chunk_rows: int = PREDICT_CHUNK_ROWS,
    onnx_path: Path | None = None,
) -> int:
    """Score every event of ``input_path`` and write the scores.

    With ``onnx_path`` the exported graph scores the events through ONNX
    Runtime instead of the model saved in ``run_dir``.

    The output format follows the suffix of ``output_path``: ``.parquet`` or
    ``.csv``. Columns: ``label`` and ``mass`` copied from the input where it
    has them, then ``score``, one row per input row in the input's order.
    Scores are computed and written chunk by chunk. Returns the row count.
    """
    output_path = Path(output_path)
    suffix = output_path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ConfigurationError(
            f"output file {output_path} must end in .parquet or .csv, got "
            f"{suffix or 'no suffix'!r}"
        )
    if chunk_rows < 1:
        raise ConfigurationError(f"chunk size must be at least 1, got {chunk_rows}")
    if onnx_path is not None:
        from hepmass.models.onnx_export import OnnxScorer

        model = OnnxScorer(Path(onnx_path))
    else:
        model = load_model(Path(run_dir))
    events = read_events(Path(input_path))
    model.check_events(events)
    output_path.parent.mkdir(parents=True, exist_ok=True)

    writer = None
    try:
        for start in range(0, len(events), chunk_rows):
            chunk = events.slice(start, start + chunk_rows)
            table = _score_table(chunk, model.predict(chunk))
            if writer is None:
                writer = (
                    pq.ParquetWriter(output_path, table.schema)
                    if suffix == ".parquet"
                    else pa_csv.CSVWriter(output_path, table.schema)
                )
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    log.info("wrote %d scores to %s", len(events), output_path)
    return len(events)
