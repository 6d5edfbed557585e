"""``hepmass predict``: write classifier scores for new events."""

from __future__ import annotations

from pathlib import Path

import click

from hepmass.models.base import ONNX_FILE, PREDICT_CHUNK_ROWS


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
@click.option(
    "--onnx", "use_onnx", is_flag=True,
    help="Score with the exported ONNX graph (RUN_DIR/model.onnx, written by "
    "'hepmass export') through ONNX Runtime instead of the native model.",
)
def predict(
    run_dir: Path, input_file: Path, output_file: Path, chunk_rows: int,
    use_onnx: bool,
) -> None:
    """Score the events of --input with the model in RUN_DIR.

    The output has one row per input event, in order, with the columns label
    and mass when the input has them, and score.
    """
    from hepmass.workflow.steps import predict_file

    onnx_path = run_dir / ONNX_FILE if use_onnx else None
    rows = predict_file(run_dir, input_file, output_file, chunk_rows, onnx_path)
    click.echo(f"wrote {rows:,} scores to {output_file}")
