"""``hepmass run``: train a model and write its full analysis."""

from __future__ import annotations

import click

from hepmass.cli.options import (
    data_options,
    model_options,
    threshold_option,
    training_config,
)
from hepmass.evaluation.summary import format_summary
from hepmass.workflow.datasets import load_splits
from hepmass.workflow.steps import run as run_steps


@click.command()
@data_options
@model_options
@threshold_option
def run(
    train_file, test_file, test_fraction, valid_fraction, model_name, epochs,
    batch_size, learning_rate, use_mass, seed, device, threads, out, force,
    thresholds,
) -> None:
    """Train a model, evaluate it on test events and write the analysis.

    With no data options it uses the sample bundled with hepmass (events
    simulated with Pythia 8). The run directory receives the model,
    metrics.json, the ROC curve, confusion matrices and score histograms.
    """
    config = training_config(epochs, batch_size, learning_rate, seed, device, threads)
    splits = load_splits(
        train_file, test_file, test_fraction=test_fraction,
        valid_fraction=valid_fraction, seed=seed,
    )
    run_dir, metrics = run_steps(
        splits, model_name, out, force=force,
        model_options={"use_mass": use_mass, "training": config},
        thresholds=thresholds,
    )
    click.echo(format_summary(metrics))
    click.echo(f"\nrun directory: {run_dir.path}")
