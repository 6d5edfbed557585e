"""The short table of results printed at the end of a run."""

from __future__ import annotations

from typing import Any


def format_summary(metrics: dict[str, Any]) -> str:
    """Return a plain-text table of the AUC and the metrics per threshold."""
    lines = [
        f"test events: {metrics['n_events']:,} "
        f"({metrics['n_signal']:,} signal, {metrics['n_background']:,} background)",
        f"ROC AUC: {metrics['roc_auc']:.4f}",
        "",
        f"{'threshold':>9}  {'accuracy':>8}  {'precision':>9}  {'recall':>6}  "
        f"{'F1':>6}  {'TN':>9}  {'FP':>9}  {'FN':>9}  {'TP':>9}",
    ]
    for values in metrics["thresholds"].values():
        counts = values["confusion"]
        lines.append(
            f"{values['threshold']:>9g}  {values['accuracy']:>8.4f}  "
            f"{values['precision']:>9.4f}  {values['recall']:>6.4f}  "
            f"{values['f1']:>6.4f}  {counts['tn']:>9,}  {counts['fp']:>9,}  "
            f"{counts['fn']:>9,}  {counts['tp']:>9,}"
        )
    return "\n".join(lines)
