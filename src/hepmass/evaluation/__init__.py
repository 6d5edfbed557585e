"""Analysis of classifier scores: metrics, plots and the printed summary."""

from hepmass.evaluation.metrics import (
    DEFAULT_THRESHOLDS,
    roc_summary,
    threshold_metrics,
)

__all__ = ["DEFAULT_THRESHOLDS", "roc_summary", "threshold_metrics"]
