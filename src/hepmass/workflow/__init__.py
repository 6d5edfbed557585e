"""The steps of a run, from files to a run directory: the Python API.

``train_run`` fits a model and writes it to a run directory,
``evaluate_run`` scores test events and writes the analysis, ``run`` does
both, and ``predict_file`` scores new events with a saved model. The names
are imported on first use, so the light modules of this package (such as
``datasets``) can be imported without the models and figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hepmass.lazy import export_lazily

if TYPE_CHECKING:
    from hepmass.workflow.datasets import DataSplits, load_splits
    from hepmass.workflow.directory import RunDirectory
    from hepmass.workflow.steps import evaluate_run, predict_file, run, train_run

__all__ = [
    "DataSplits",
    "RunDirectory",
    "evaluate_run",
    "load_splits",
    "predict_file",
    "run",
    "train_run",
]

__getattr__ = export_lazily(
    __name__,
    {
        "DataSplits": "hepmass.workflow.datasets",
        "load_splits": "hepmass.workflow.datasets",
        "RunDirectory": "hepmass.workflow.directory",
        "evaluate_run": "hepmass.workflow.steps",
        "predict_file": "hepmass.workflow.steps",
        "run": "hepmass.workflow.steps",
        "train_run": "hepmass.workflow.steps",
    },
)
