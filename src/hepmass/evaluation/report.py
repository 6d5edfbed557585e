"""``report.html``: one self-contained page with a run's configuration and results.

Images are embedded as base64 PNG and the style sheet is inline, so the file
opens offline and can be sent on its own.
"""

from __future__ import annotations

import base64
import html
import json
import logging
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from hepmass.errors import HepmassError
from hepmass.evaluation.diagnostic_plots import plot_training

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"

SECTIONS: tuple[str, ...] = (
    "Configuration",
    "Data",
    "Training",
    "Test performance",
    "Thresholds",
    "Background rejection",
    "Overtraining",
    "Calibration",
    "Uncertainty",
    "Feature ranking",
)
"""Section headings, in page order."""

_METRIC_COLUMNS = (
    ("threshold", "threshold"),
    ("accuracy", "accuracy"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "F1"),
    ("signal_efficiency", "signal eff."),
    ("background_efficiency", "bkg. eff."),
    ("background_rejection", "bkg. rejection"),
    ("s_over_sqrt_b", "s/sqrt(b)"),
    ("asimov_z", "Z_A"),
)


def _format(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or isinstance(value, str):
        return html.escape(str(value))
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(json.dumps(value))


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_format(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


_WIDE_FIGURES = ("correlations.png", "training.png")


def _image(path: Path, caption: str) -> str:
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    wide = ' class="wide"' if path.name in _WIDE_FIGURES else ""
    return (
        f'<figure><img{wide} alt="{html.escape(path.name)}" '
        f'src="data:image/png;base64,{encoded}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _metric_rows(entries: dict[str, Any], keys: tuple = _METRIC_COLUMNS) -> list:
    rows = []
    for name, values in entries.items():
        if values is None:
            rows.append([name] + [None] * len(keys))
        else:
            rows.append([name] + [values.get(key) for key, _ in keys])
    return rows


class _Page:
    """Accumulates sections and records which figures were embedded."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.parts: list[str] = []
        self.embedded: set[str] = set()

    def section(self, title: str) -> None:
        anchor = title.lower().replace(" ", "-")
        self.parts.append(f'<h2 id="{anchor}">{html.escape(title)}</h2>')

    def add(self, text: str) -> None:
        self.parts.append(text)

    def figure(self, name: str, caption: str) -> None:
        path = self.run_dir / name
        if path.is_file():
            self.parts.append(_image(path, caption))
            self.embedded.add(name)
        else:
            self.parts.append(_note(f"{name} was not produced for this run."))


def write_report(run_dir: Path) -> Path:
    """Write ``report.html`` (and ``training.png``) from a run's JSON files."""
    run_dir = Path(run_dir)
    paths = {name: run_dir / f"{name}.json" for name in ("run", "metrics", "history")}
    for name in ("run", "metrics"):
        if not paths[name].is_file():
            raise HepmassError(
                f"{paths[name]} not found; evaluate the run before writing its report"
            )
    record = json.loads(paths["run"].read_text())
    metrics = json.loads(paths["metrics"].read_text())
    history = (
        json.loads(paths["history"].read_text()) if paths["history"].is_file() else None
    )
    if history and history.get("train_loss"):
        plot_training(history, run_dir / "training.png")

    page = _Page(run_dir)
    _configuration(page, record)
    _data(page, record, metrics)
    _training(page, history)
    _performance(page, metrics)
    _thresholds(page, metrics)
    _rejection(page, metrics)
    _overtraining(page, metrics)
    _calibration(page, metrics)
    _uncertainty(page, metrics)
    _features(page, metrics)
    others = sorted(
        p.name for p in run_dir.glob("*.png") if p.name not in page.embedded
    )
    if others:
        page.section("Other figures")
        for name in others:
            page.figure(name, name)

    template = Template(
        resources.files("hepmass.evaluation")
        .joinpath("report_template.html")
        .read_text(encoding="utf-8")
    )
    title = f"hepmass run: {record.get('model', 'model')} on {run_dir.name}"
    content = template.substitute(
        title=html.escape(title),
        subtitle=html.escape(f"Run directory {run_dir.resolve()}"),
        body="\n".join(page.parts),
    )
    path = run_dir / REPORT_FILE
    path.write_text(content, encoding="utf-8")
    log.info("wrote %s", path)
    return path


def _configuration(page: _Page, record: dict[str, Any]) -> None:
    page.section("Configuration")
    page.add(_note("The content of run.json."))
    page.add(f"<pre>{html.escape(json.dumps(record, indent=2))}</pre>")


def _data(page: _Page, record: dict[str, Any], metrics: dict[str, Any]) -> None:
    page.section("Data")
    data = record.get("data", {})
    rows = [[key, data.get(key)] for key in (
        "train_file", "test_file", "bundled_sample", "n_train", "n_valid", "n_test",
        "split_seed", "has_mass",
    )]
    rows += [
        ["test signal events", metrics.get("n_signal")],
        ["test background events", metrics.get("n_background")],
    ]
    page.add(_table(["quantity", "value"], rows))


def _training(page: _Page, history: dict[str, Any] | None) -> None:
    page.section("Training")
    if not history or not history.get("train_loss"):
        page.add(_note("history.json holds no training curve for this model."))
        return
    page.figure("training.png", "Losses and validation AUC per epoch.")
    page.add(_table(
        ["quantity", "value"],
        [["epochs", len(history["train_loss"])],
         ["best epoch", history.get("best_epoch")],
         ["training time (s)", history.get("seconds")]],
    ))


def _performance(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Test performance")
    page.add(_table(["quantity", "value"], [["ROC AUC", metrics.get("roc_auc")]]))
    rows = []
    for key, values in metrics.get("thresholds", {}).items():
        counts = values["confusion"]
        rows.append([key, values["accuracy"], values["precision"], values["recall"],
                     values["f1"], counts["tn"], counts["fp"], counts["fn"],
                     counts["tp"]])
    page.add(_table(["threshold", "accuracy", "precision", "recall", "F1", "TN",
                     "FP", "FN", "TP"], rows))
    page.figure("roc.png", "ROC curve on the test events.")
    page.figure("scores.png", "Score distributions of the test events.")
    for key in metrics.get("thresholds", {}):
        page.figure(f"confusion_{key}.png", f"Confusion matrix at threshold {key}.")


def _thresholds(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Thresholds")
    settings = metrics.get("significance_settings")
    if settings:
        page.add(_note(
            f"Expected yields before the cut: {settings['signal_yield']:g} signal, "
            f"{settings['background_yield']:g} background, relative background "
            f"uncertainty {settings['background_relative_uncertainty']:g}."
        ))
    else:
        page.add(_note("No expected yields were given, so no significance was "
                       "optimized (options --signal-yield and --background-yield)."))
    header = ["criterion"] + [label for _, label in _METRIC_COLUMNS]
    page.add(_table(header, _metric_rows(metrics.get("optimal_thresholds", {}))))
    if settings:
        caption = "Efficiencies and expected significance by threshold."
    else:
        caption = "Efficiencies, F1 and Youden J by threshold."
    page.figure("thresholds.png", caption)
    rows = []
    for mass, entries in metrics.get("optimal_thresholds_per_mass", {}).items():
        for name, row in zip(entries, _metric_rows(entries)):
            rows.append([f"{mass} GeV, {name}"] + row[1:])
    if rows:
        page.add("<h3>Per signal mass</h3>")
        page.add(_table(["mass, criterion"] + header[1:], rows))


def _rejection(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Background rejection")
    summary = metrics.get("background_rejection")
    if summary:
        efficiencies = list(summary["overall"])
        rows = [["all masses"] + list(summary["overall"].values())]
        rows += [[f"{m} GeV"] + list(v.values()) for m, v in summary["per_mass"].items()]
        page.add(_table(["signal"] + [f"rejection at eff. {e}" for e in efficiencies],
                        rows))
    page.figure("rejection.png", "Background rejection against signal efficiency.")


def _overtraining(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Overtraining")
    check = metrics.get("overtraining")
    if not check:
        page.add(_note("No training events were scored for this evaluation."))
        return
    page.add(_table(
        ["quantity", "value"],
        [["KS statistic, signal", check["ks_signal"]["statistic"]],
         ["KS p-value, signal", check["ks_signal"]["pvalue"]],
         ["KS statistic, background", check["ks_background"]["statistic"]],
         ["KS p-value, background", check["ks_background"]["pvalue"]],
         ["AUC, training events", check["auc_train"]],
         ["AUC, test events", check["auc_test"]],
         ["training events scored", check["n_train"]]],
    ))
    page.figure("overtraining.png", "Training (filled) and test (points) scores.")


def _calibration(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Calibration")
    summary = metrics.get("calibration")
    if not summary:
        page.add(_note("No calibration study was run."))
        return
    rows = [["Brier score, raw", summary["brier_score"]],
            ["calibration method", summary["method"]],
            ["Brier score, calibrated", summary.get("brier_score_calibrated")],
            ["training signal fraction (prior)", summary["training_signal_fraction"]]]
    page.add(_table(["quantity", "value"], rows))
    page.add(_note(
        "Probabilities hold for the training prior above. For a signal fraction "
        "pi, multiply the odds p / (1 - p) by (pi / (1 - pi)) / (prior / (1 - prior))."
    ))
    page.figure("calibration.png", "Reliability diagram of the test scores.")


def _uncertainty(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Uncertainty")
    boot = metrics.get("bootstrap")
    if not boot:
        page.add(_note("No bootstrap was run."))
        return
    level = round(100 * boot["confidence_level"])
    page.add(_note(
        f"{level}% percentile intervals from {boot['resamples']} Poisson bootstrap "
        f"resamples (seed {boot['seed']}); thresholds held fixed."
    ))
    rows = [["ROC AUC", "", metrics.get("roc_auc"), boot["roc_auc"]["low"],
             boot["roc_auc"]["high"]]]
    optimal = metrics.get("optimal_thresholds", {})
    for name, entry in boot["at_threshold"].items():
        for key, interval in entry.items():
            if key == "threshold":
                continue
            estimate = (optimal.get(name) or {}).get(key)
            rows.append([key, name, estimate, interval["low"], interval["high"]])
    page.add(_table(["metric", "threshold criterion", "estimate", "low", "high"],
                    rows))


def _features(page: _Page, metrics: dict[str, Any]) -> None:
    page.section("Feature ranking")
    ranking = metrics.get("permutation_importance") or []
    page.add(_table(
        ["rank", "feature", "column", "AUC drop", "std"],
        [[i + 1, e["name"], e["feature"], e["auc_drop"], e["auc_drop_std"]]
         for i, e in enumerate(ranking)],
    ))
    page.figure("importance.png", "Permutation importance on the test events.")
    page.figure("correlations.png", "Feature correlations in signal and background.")
