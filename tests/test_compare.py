"""hepmass compare: the table, its Markdown and CSV files, the figures."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from hepmass.cli.main import main


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    runner = CliRunner()
    for name, extra in (("logistic", []), ("gbdt", ["--use-mass"])):
        result = runner.invoke(main, ["-q", "run", "--model", name, *extra,
                                      "--out", str(root / name)])
        assert result.exit_code == 0, result.output
    return root


def test_compare_prints_row_per_run(runs, tmp_path):
    result = CliRunner().invoke(
        main, ["compare", str(runs / "logistic"), str(runs / "gbdt")]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:3] == ["run", "model", "auc"]
    assert "auc_1000" in lines[0]
    assert lines[1].split()[0] == "logistic"
    assert lines[2].split()[0] == "gbdt"


def test_compare_markdown_csv_and_figures(runs, tmp_path):
    markdown, table, roc, per_mass = (
        tmp_path / "t.md", tmp_path / "t.csv", tmp_path / "roc.png",
        tmp_path / "pm.png",
    )
    result = CliRunner().invoke(main, [
        "compare", str(runs / "logistic"), str(runs / "gbdt"),
        "--markdown", str(markdown), "--csv", str(table), "--plot", str(roc),
        "--per-mass-plot", str(per_mass),
    ])
    assert result.exit_code == 0, result.output
    assert markdown.read_text().startswith("| run | model | auc |")
    with open(table) as handle:
        rows = list(csv.DictReader(handle))
    metrics = json.loads((runs / "gbdt" / "metrics.json").read_text())
    assert float(rows[1]["auc"]) == pytest.approx(metrics["roc_auc"])
    assert float(rows[1]["auc_500"]) == pytest.approx(
        metrics["per_mass"]["500"]["auc"]
    )
    assert float(rows[0]["inference_events_per_second"]) > 0
    assert float(rows[0]["training_seconds"]) >= 0
    assert roc.stat().st_size > 10_000
    assert per_mass.stat().st_size > 10_000


def test_compare_rejects_unevaluated_directory(tmp_path):
    result = CliRunner().invoke(main, ["compare", str(tmp_path)])
    assert result.exit_code != 0
    assert "metrics.json not found" in result.output


def test_run_writes_per_mass(runs):
    metrics = json.loads((runs / "logistic" / "metrics.json").read_text())
    assert sorted(metrics["per_mass"], key=float) == [
        "500", "750", "1000", "1250", "1500",
    ]
    assert (runs / "logistic" / "per_mass.png").is_file()


def test_compare_rejects_a_plot_file_of_another_type(tmp_path):
    from click.testing import CliRunner

    from hepmass.cli import main

    run = tmp_path / "run"
    run.mkdir()
    result = CliRunner().invoke(main, ["compare", str(run), "--plot", "out.txt"])
    assert result.exit_code == 1
    assert "--plot out.txt: a figure file must end in .png, .pdf, .svg" in result.output
