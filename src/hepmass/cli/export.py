"""``hepmass export``: write a run's model as an ONNX graph."""

from __future__ import annotations

from pathlib import Path

import click

from hepmass.models.base import ONNX_FILE


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--output", "output_file", type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"ONNX file to write. Default: {ONNX_FILE} inside RUN_DIR, where "
    "'hepmass predict --onnx' looks for it.",
)
def export(run_dir: Path, output_file: Path | None) -> None:
    """Export the model in RUN_DIR to ONNX (networks and gbdt).

    The graph takes float32 inputs of shape (n, 27), or (n, 28) with the
    hypothesis mass last for models that use the mass, and returns the
    score, float32 of shape (n,), the same number hepmass predict writes.
    """
    from hepmass.models import load_model
    from hepmass.models.onnx_export import export_onnx

    path = export_onnx(load_model(run_dir), output_file or run_dir / ONNX_FILE)
    click.echo(f"wrote {path}")
