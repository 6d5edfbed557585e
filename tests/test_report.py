"""report.html for a tiny run on the bundled sample: sections and images."""

import base64
import json
import shutil
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from hepmass.cli.main import main
from hepmass.errors import HepmassError
from hepmass.evaluation.report import SECTIONS, write_report
from hepmass.evaluation.study import StudySettings
from hepmass.evaluation.thresholds import Yields
from hepmass.training.config import TrainingConfig
from hepmass.workflow.datasets import load_splits
from hepmass.workflow.steps import run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.images: list[str] = []
        self.external: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self._in_heading = True
        if tag == "img":
            self.images.append(attrs["src"])
        if tag in ("script", "link", "iframe") or attrs.get("href", "").startswith(
            "http"
        ):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.headings.append(data.strip())


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    splits = load_splits()
    settings = StudySettings(
        yields=Yields(50.0, 2000.0, 0.1), target_signal_efficiency=0.5,
        bootstrap_resamples=10, calibration="platt", importance_repeats=1,
    )
    run(
        splits, "baseline", out, force=True,
        model_options={"training": TrainingConfig(epochs=1)}, settings=settings,
    )
    return out


def test_report_has_every_section(tiny_run):
    page = _Page()
    page.feed((tiny_run / "report.html").read_text())
    for section in SECTIONS:
        assert section in page.headings
    assert page.external == []


def test_report_images_decode_as_png(tiny_run):
    page = _Page()
    page.feed((tiny_run / "report.html").read_text())
    names = {"training", "roc", "thresholds", "rejection", "overtraining",
             "calibration", "importance", "correlations"}
    assert len(page.images) >= len(names)
    for source in page.images:
        prefix, _, data = source.partition(",")
        assert prefix == "data:image/png;base64"
        assert base64.b64decode(data).startswith(PNG_SIGNATURE)
    for name in names:
        assert (tiny_run / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)


def test_metrics_hold_study_keys(tiny_run):
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    for key in ("optimal_thresholds", "optimal_thresholds_per_mass",
                "significance_settings", "background_rejection", "overtraining",
                "calibration", "bootstrap", "permutation_importance"):
        assert key in metrics
    best = metrics["optimal_thresholds"]["max_asimov_z"]
    assert best["asimov_z"] > 0
    assert metrics["calibration"]["method"] == "platt"
    assert len(metrics["permutation_importance"]) == 27
    interval = metrics["bootstrap"]["roc_auc"]
    assert interval["low"] <= metrics["roc_auc"] <= interval["high"]


def test_report_needs_metrics(tmp_path):
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(HepmassError, match="metrics.json not found"):
        write_report(tmp_path)


def test_cli_rejects_lone_signal_yield(tiny_run):
    result = CliRunner().invoke(
        main, ["evaluate", str(tiny_run), "--signal-yield", "10"]
    )
    assert result.exit_code != 0
    assert "--signal-yield and --background-yield go together" in result.output


def test_threshold_caption_follows_yields(tiny_run, tmp_path):
    report = (tiny_run / "report.html").read_text()
    assert "Efficiencies and expected significance by threshold." in report

    copy = tmp_path / "no_yields"
    shutil.copytree(tiny_run, copy)
    metrics = json.loads((copy / "metrics.json").read_text())
    metrics["significance_settings"] = None
    (copy / "metrics.json").write_text(json.dumps(metrics))
    report = write_report(copy).read_text()
    assert "Efficiencies, F1 and Youden J by threshold." in report
    assert "significance by threshold" not in report
