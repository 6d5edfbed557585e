"""``hepmass run``: train a model and write its full analysis."""

from __future__ import annotations

import click

from hepmass.cli.options import (
    architecture_options,
    build_model_options,
    data_options,
    model_options,
    threshold_option,
    training_config,
    warn_ignored_options,
)
from hepmass.cli.study_options import study_options
from hepmass.evaluation.summary import format_summary
from hepmass.workflow.datasets import load_splits
from hepmass.workflow.interpolation import leave_out_mass as drop_mass_point
from hepmass.workflow.interpolation import (
    DEFAULT_LEFT_OUT_MASS,
    format_interpolation,
    run_interpolation_test,
)


@click.command()
@data_options
@model_options
@threshold_option
@study_options
@architecture_options
@click.option(
    "--interpolation-test", is_flag=True,
    help="Also train the model without the signal at --leave-out-mass and "
    "compare both at that mass (written to metrics.json under interpolation).",
)
@click.option(
    "--leave-out-mass", type=float, default=DEFAULT_LEFT_OUT_MASS,
    show_default=True,
    help="Signal mass in GeV left out by --interpolation-test.",
)
def run(
    train_file, test_file, test_fraction, valid_fraction, model_name, epochs,
    batch_size, learning_rate, use_mass, seed, device, threads, precision, out,
    force,
    thresholds, interpolation_test, leave_out_mass, study, **architecture,
) -> None:
    """Train a model, evaluate it on test events and write the analysis.

    With no data options it uses the sample bundled with hepmass (events
    simulated with Pythia 8). The run directory receives the model,
    metrics.json, the ROC curve, confusion matrices and score histograms.
    """
    from hepmass.workflow.steps import run as run_steps

    warn_ignored_options(
        click.get_current_context(), model_name, train_file, test_file
    )
    config = training_config(
        epochs, batch_size, learning_rate, seed, device, threads, precision
    )
    splits = load_splits(
        train_file, test_file, test_fraction=test_fraction,
        valid_fraction=valid_fraction, seed=seed,
    )
    options = build_model_options(config, use_mass, **architecture)
    if interpolation_test:
        # Raises before any training when the mass cannot be left out.
        drop_mass_point(splits.train, leave_out_mass, seed)
    run_dir, metrics = run_steps(
        splits, model_name, out, force=force,
        model_options=options, thresholds=thresholds, settings=study,
    )
    if run_dir is None:
        return
    click.echo(format_summary(metrics))
    if interpolation_test:
        entry = run_interpolation_test(
            splits, run_dir, model_name, options, leave_out_mass, thresholds
        )
        click.echo("\n" + format_interpolation(entry))
    click.echo(f"\nrun directory: {run_dir.path}")
