"""The steps of a run, from files to a run directory: the Python API.

``train_run`` fits a model and writes it to a run directory,
``evaluate_run`` scores test events and writes the analysis, ``run`` does
both, and ``predict_file`` scores new events with a saved model.
"""

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
