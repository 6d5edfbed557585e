"""The analysis of a run's test scores: metrics.json and its figures."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hepmass.evaluation.metrics import (
    DEFAULT_THRESHOLDS,
    check_scores,
    check_thresholds,
    roc_summary,
    threshold_metrics,
)
from hepmass.evaluation.plots import plot_confusion, plot_roc, plot_scores

log = logging.getLogger(__name__)


def analyse_scores(
    labels: np.ndarray,
    scores: np.ndarray,
    out_dir: Path,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    model_label: str = "classifier",
) -> dict[str, Any]:
    """Compute the study's metrics and write its figures into ``out_dir``.

    Returns the content of ``metrics.json``: event counts, ``roc_auc`` and,
    under ``thresholds``, one entry per threshold (keyed by the threshold
    written as text) with accuracy, precision, recall, F1 and the confusion
    counts. Figures: ``roc.png``, ``confusion_<t>.png`` per threshold and
    ``scores.png``.
    """
    check_scores(labels, scores)
    thresholds = check_thresholds(thresholds)
    out_dir = Path(out_dir)

    roc = roc_summary(labels, scores)
    per_threshold = {f"{t:g}": threshold_metrics(labels, scores, t) for t in thresholds}
    metrics: dict[str, Any] = {
        "n_events": int(len(labels)),
        "n_signal": int(np.count_nonzero(labels == 1)),
        "n_background": int(np.count_nonzero(labels == 0)),
        "roc_auc": roc["auc"],
        "thresholds": per_threshold,
    }
    log.info("test ROC AUC %.4f on %d events", roc["auc"], len(labels))

    plot_roc({model_label: (roc["fpr"], roc["tpr"], roc["auc"])}, out_dir / "roc.png")
    for key, values in per_threshold.items():
        plot_confusion(values["confusion"], values["threshold"],
                       out_dir / f"confusion_{key}.png")
    plot_scores(labels, scores, out_dir / "scores.png")
    return metrics
