"""``hepmass train``: fit a model and save it in a run directory."""

from __future__ import annotations

import click

from hepmass.cli.options import (
    architecture_options,
    build_model_options,
    data_options,
    model_options,
    training_config,
    warn_ignored_options,
)
from hepmass.workflow.datasets import load_splits


@click.command()
@data_options
@model_options
@architecture_options
def train(
    train_file, test_file, test_fraction, valid_fraction, model_name, epochs,
    batch_size, learning_rate, use_mass, seed, device, threads, precision, out,
    force,
    **architecture,
) -> None:
    """Train a model and save it, with its settings, in a run directory.

    The test events are not read here; "hepmass evaluate RUN_DIR" scores
    them later, using the test file or the held-out part recorded in the run.
    """
    from hepmass.workflow.steps import train_run

    warn_ignored_options(
        click.get_current_context(), model_name, train_file, test_file
    )
    config = training_config(
        epochs, batch_size, learning_rate, seed, device, threads, precision
    )
    splits = load_splits(
        train_file, test_file, test_fraction=test_fraction,
        valid_fraction=valid_fraction, seed=seed, need_test=False,
    )
    run_dir, _ = train_run(
        splits, model_name, out, force=force,
        model_options=build_model_options(config, use_mass, **architecture),
    )
    if run_dir is not None:
        click.echo(f"model saved in {run_dir.path}")
