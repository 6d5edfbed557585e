"""``hepmass evaluate``: score test events with a saved model."""

from __future__ import annotations

from pathlib import Path

import click

from hepmass.cli.options import threshold_option
from hepmass.cli.study_options import study_options
from hepmass.evaluation.summary import format_summary


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--test", "test_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="HEPMASS file to evaluate on. Default: the test events recorded in the "
    "run (its test file, or the part of its training file held out).",
)
@threshold_option
@study_options
def evaluate(run_dir: Path, test_file: Path | None, thresholds, study) -> None:
    """Evaluate the model in RUN_DIR and write metrics.json, the figures and
    report.html."""
    from hepmass.workflow.steps import evaluate_run

    metrics = evaluate_run(run_dir, test_file, thresholds, study)
    click.echo(format_summary(metrics))
