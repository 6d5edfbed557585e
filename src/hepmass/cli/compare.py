"""``hepmass compare``: one table and one ROC figure for several runs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import click
import numpy as np

from hepmass.errors import ConfigurationError


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigurationError(
            f"{path} not found; compare takes run directories evaluated by "
            "'hepmass run' or 'hepmass evaluate'"
        )
    return json.loads(path.read_text())


def run_row(run_dir: Path) -> dict[str, Any]:
    """Return one table row: AUC overall and per mass, training and inference speed."""
    metrics = _read_json(run_dir / "metrics.json")
    record = _read_json(run_dir / "run.json")
    row: dict[str, Any] = {
        "run": run_dir.name,
        "model": metrics.get("model", record.get("model")),
        "auc": metrics["roc_auc"],
    }
    for mass, values in metrics.get("per_mass", {}).items():
        row[f"auc_{mass}"] = values["auc"]
    row["training_seconds"] = record.get("training_seconds")
    row["inference_events_per_second"] = metrics.get("inference_rows_per_second")
    return row


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    masses = sorted(
        {key for row in rows for key in row if key.startswith("auc_")},
        key=lambda key: float(key.removeprefix("auc_")),
    )
    return ["run", "model", "auc", *masses, "training_seconds",
            "inference_events_per_second"]


def _text(value: Any, column: str) -> str:
    if value is None:
        return "-"
    if column.startswith("auc"):
        return f"{value:.4f}"
    if column == "training_seconds":
        return f"{value:.1f}"
    if column == "inference_events_per_second":
        return f"{value:,.0f}"
    return str(value)


def format_table(rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """Return the rows as an aligned text table or a Markdown table."""
    columns = _columns(rows)
    cells = [[_text(row.get(column), column) for column in columns] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(columns) + " |",
                 "|" + "|".join("---" for _ in columns) + "|"]
        lines += ["| " + " | ".join(line) + " |" for line in cells]
        return "\n".join(lines)
    widths = [max(len(c), *(len(line[i]) for line in cells))
              for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(line, widths)) for line in cells]
    return "\n".join(lines)


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """Write the rows as CSV with full-precision numbers."""
    columns = _columns(rows)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


def roc_curves(run_dirs: list[Path]) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Return each run's ROC curve from its test_scores.parquet."""
    import pyarrow.parquet as pq
    from sklearn.metrics import roc_curve

    curves = {}
    for run_dir in run_dirs:
        path = run_dir / "test_scores.parquet"
        if not path.is_file():
            raise ConfigurationError(f"{path} not found; evaluate the run first")
        table = pq.read_table(path, columns=["label", "score"])
        labels = table["label"].to_numpy()
        scores = table["score"].to_numpy()
        fpr, tpr, _ = roc_curve(labels, scores)
        auc = _read_json(run_dir / "metrics.json")["roc_auc"]
        curves[_label(run_dir)] = (fpr, tpr, auc)
    return curves


FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
"""File types matplotlib writes for the comparison figures."""


def _label(run_dir: Path) -> str:
    model = _read_json(run_dir / "metrics.json").get("model", "?")
    return f"{run_dir.name} ({model})" if run_dir.name != model else model


@click.command()
@click.argument(
    "run_dirs", nargs=-1, required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option("--markdown", "markdown_file", type=click.Path(path_type=Path),
              default=None, help="Also write the table as Markdown to this file.")
@click.option("--csv", "csv_file", type=click.Path(path_type=Path), default=None,
              help="Also write the table as CSV to this file.")
@click.option("--plot", "plot_file", type=click.Path(path_type=Path), default=None,
              help="Write the ROC curves of every run into one PNG.")
@click.option("--per-mass-plot", "per_mass_file", type=click.Path(path_type=Path),
              default=None,
              help="Write AUC and background rejection against the mass, one "
              "curve per run, into one PNG (runs with a mass column only).")
def compare(
    run_dirs: tuple[Path, ...], markdown_file: Path | None, csv_file: Path | None,
    plot_file: Path | None, per_mass_file: Path | None,
) -> None:
    """Compare evaluated runs: AUC overall and per mass, training time and
    inference events per second, as a table and optionally figures."""
    from hepmass.evaluation.per_mass import plot_per_mass
    from hepmass.evaluation.plots import plot_roc

    for option, path in (("--plot", plot_file), ("--per-mass-plot", per_mass_file)):
        if path is not None and path.suffix.lower() not in FIGURE_SUFFIXES:
            raise ConfigurationError(
                f"{option} {path}: a figure file must end in "
                f"{', '.join(FIGURE_SUFFIXES)}"
            )
    for path in (markdown_file, csv_file, plot_file, per_mass_file):
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    runs = list(run_dirs)
    rows = [run_row(run_dir) for run_dir in runs]
    click.echo(format_table(rows))
    if markdown_file is not None:
        Path(markdown_file).write_text(format_table(rows, markdown=True) + "\n")
    if csv_file is not None:
        write_csv(rows, Path(csv_file))
    if plot_file is not None:
        plot_roc(roc_curves(runs), Path(plot_file))
    if per_mass_file is not None:
        per_mass = {
            _label(run_dir): _read_json(run_dir / "metrics.json").get("per_mass", {})
            for run_dir in runs
        }
        per_mass = {label: values for label, values in per_mass.items() if values}
        if not per_mass:
            raise ConfigurationError("none of the runs has per-mass metrics to plot")
        plot_per_mass(per_mass, Path(per_mass_file))
