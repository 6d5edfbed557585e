"""Metrics at thresholds, the ROC summary and the figures' content."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import pyplot as plt

from hepmass.errors import ConfigurationError
from hepmass.evaluation.metrics import (
    check_scores,
    check_thresholds,
    roc_summary,
    threshold_metrics,
)
from hepmass.evaluation.plots import draw_confusion, draw_roc, draw_scores
from hepmass.evaluation.summary import format_summary

LABELS = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=np.float32)
SCORES = np.array([0.1, 0.4, 0.6, 0.2, 0.8, 0.7, 0.3, 0.9], dtype=np.float32)


def test_metrics_at_half():
    result = threshold_metrics(LABELS, SCORES, 0.5)
    # Called signal: 0.6 (background), 0.8, 0.7, 0.9 (signal).
    assert result["confusion"] == {"tn": 3, "fp": 1, "fn": 1, "tp": 3}
    assert result["accuracy"] == pytest.approx(6 / 8)
    assert result["precision"] == pytest.approx(3 / 4)
    assert result["recall"] == pytest.approx(3 / 4)
    assert result["f1"] == pytest.approx(3 / 4)


def test_score_equal_to_threshold_counts_as_signal():
    result = threshold_metrics(LABELS, SCORES, 0.9)
    assert result["confusion"]["tp"] == 1
    assert result["precision"] == pytest.approx(1.0)


def test_threshold_above_every_score():
    result = threshold_metrics(LABELS, SCORES, 1.0)
    assert result["confusion"] == {"tn": 4, "fp": 0, "fn": 4, "tp": 0}
    assert result["precision"] == 0.0
    assert result["recall"] == 0.0


def test_auc_counts_ordered_pairs():
    # Of the 16 signal-background pairs, only signal 0.3 against
    # backgrounds 0.4 and 0.6 are misordered.
    assert roc_summary(LABELS, SCORES)["auc"] == pytest.approx(14 / 16)


def test_roc_curve_spans_unit_square():
    roc = roc_summary(LABELS, SCORES)
    assert roc["fpr"][0] == 0.0
    assert roc["tpr"][-1] == 1.0


def test_single_class_rejected():
    with pytest.raises(ConfigurationError, match="both signal and background"):
        check_scores(np.ones(4), np.full(4, 0.5))


def test_length_mismatch_rejected():
    with pytest.raises(ConfigurationError, match="4 labels but 3 scores"):
        check_scores(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.3]))


def test_nan_scores_rejected():
    with pytest.raises(ConfigurationError, match="NaN"):
        check_scores(np.array([0, 1]), np.array([0.1, np.nan]))


def test_thresholds_outside_unit_interval_rejected():
    with pytest.raises(ConfigurationError, match=r"in \[0, 1\], got \[0.5, 1.5\]"):
        check_thresholds([0.5, 1.5])


def test_thresholds_sorted_and_unique():
    assert check_thresholds([0.9, 0.1, 0.5, 0.1]) == (0.1, 0.5, 0.9)


def test_roc_figure_shows_auc_and_diagonal():
    roc = roc_summary(LABELS, SCORES)
    figure = draw_roc({"baseline": (roc["fpr"], roc["tpr"], roc["auc"])})
    axes = figure.axes[0]
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == ["baseline (AUC = 0.8750)", "random guess"]
    diagonal = axes.get_lines()[1]
    assert list(diagonal.get_xdata()) == [0, 1]
    assert list(diagonal.get_ydata()) == [0, 1]
    plt.close(figure)


def test_confusion_figure_shows_threshold_counts_and_rates():
    figure = draw_confusion({"tn": 3, "fp": 1, "fn": 2, "tp": 6}, 0.9)
    axes = figure.axes[0]
    assert axes.get_title() == "Confusion matrix at threshold 0.9"
    cells = sorted(text.get_text() for text in axes.texts)
    assert cells == ["1\n25.0%", "2\n25.0%", "3\n75.0%", "6\n75.0%"]
    plt.close(figure)


def test_score_figure_normalizes_both_classes():
    rng = np.random.default_rng(0)
    labels = np.repeat([0.0, 1.0], [3000, 1000])
    scores = np.concatenate([rng.uniform(0, 0.6, 3000), rng.uniform(0.4, 1, 1000)])
    figure = draw_scores(labels, scores, bins=20)
    axes = figure.axes[0]
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert any("background" in entry for entry in legend)
    assert any("signal" in entry for entry in legend)
    assert axes.get_xlabel() == "Classifier score"
    plt.close(figure)


def test_summary_table_lists_each_threshold():
    metrics = {
        "n_events": 8,
        "n_signal": 4,
        "n_background": 4,
        "roc_auc": 0.8125,
        "thresholds": {
            f"{t:g}": threshold_metrics(LABELS, SCORES, t) for t in (0.1, 0.5, 0.9)
        },
    }
    table = format_summary(metrics)
    assert "ROC AUC: 0.8125" in table
    rows = [line.split() for line in table.splitlines() if line[:9].strip() in
            ("0.1", "0.5", "0.9")]
    assert [row[0] for row in rows] == ["0.1", "0.5", "0.9"]
    assert rows[1][1] == "0.7500"
