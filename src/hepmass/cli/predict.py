"""``hepmass predict``: write classifier scores for new events."""

from __future__ import annotations

from pathlib import Path

import click

from hepmass.workflow.steps import PREDICT_CHUNK_ROWS, predict_file


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--input", "input_file", required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="HEPMASS-layout file (.csv or .csv.gz) with the events to score.",
)
@click.option(
    "--output", "output_file", required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write: .parquet or .csv, chosen by the suffix.",
)
@click.option(
    "--chunk-rows", type=int, default=PREDICT_CHUNK_ROWS, show_default=True,
    help="Events scored and written per chunk.",
)
def predict(run_dir: Path, input_file: Path, output_file: Path, chunk_rows: int) -> None:
    """Score the events of --input with the model in RUN_DIR.

    The output has one row per input event, in order, with the columns label
    and mass when the input has them, and score.
    """
    rows = predict_file(run_dir, input_file, output_file, chunk_rows)
    click.echo(f"wrote {rows:,} scores to {output_file}")
