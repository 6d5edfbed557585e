"""Options shared by the commands that train a model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from hepmass.evaluation.metrics import DEFAULT_THRESHOLDS
from hepmass.models import MODEL_NAMES
from hepmass.training.config import DEFAULT_BATCH_SIZE, TrainingConfig
from hepmass.workflow.datasets import DEFAULT_TEST_FRACTION, DEFAULT_VALID_FRACTION

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def data_options(function: Callable) -> Callable:
    """Add --train, --test and the split fractions."""
    decorators = [
        click.option(
            "--train", "train_file", type=_existing_file, default=None,
            help="HEPMASS training file (.csv or .csv.gz). Default: the sample "
            "bundled with hepmass.",
        ),
        click.option(
            "--test", "test_file", type=_existing_file, default=None,
            help="HEPMASS test file. Default: the bundled sample's test file, or "
            "a stratified part of --train held out.",
        ),
        click.option(
            "--test-fraction", type=float, default=DEFAULT_TEST_FRACTION,
            show_default="1/3",
            help="Share of the training file held out for testing when --test is "
            "not given.",
        ),
        click.option(
            "--valid-fraction", type=float, default=DEFAULT_VALID_FRACTION,
            show_default=True,
            help="Share of the training events held out to monitor each epoch.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def model_options(function: Callable) -> Callable:
    """Add the model choice and its training settings."""
    decorators = [
        click.option(
            "--model", "model_name", type=click.Choice(MODEL_NAMES),
            default="baseline", show_default=True,
            help="Model to train.",
        ),
        click.option(
            "--epochs", type=int, default=10, show_default=True,
            help="Passes over the training events.",
        ),
        click.option(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, show_default=True,
            help="Rows per optimizer step.",
        ),
        click.option(
            "--learning-rate", type=float, default=1e-3, show_default=True,
            help="Adam learning rate.",
        ),
        click.option(
            "--use-mass/--no-mass", default=False, show_default=True,
            help="Give the network the hypothesis mass as a 28th input.",
        ),
        click.option(
            "--seed", type=int, default=0, show_default=True,
            help="Seed of the splits, the weight initialization and the shuffling.",
        ),
        click.option(
            "--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu",
            show_default=True,
            help="Where to train: cpu, cuda, or auto (cuda when available).",
        ),
        click.option(
            "--threads", type=int, default=None,
            help="CPU threads for PyTorch. Default: PyTorch's choice.",
        ),
        click.option(
            "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
            help="Run directory to write. Default: a new time-stamped folder "
            "under runs/.",
        ),
        click.option(
            "--force", is_flag=True,
            help="Write into --out even if it already holds files.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def threshold_option(function: Callable) -> Callable:
    """Add the repeatable --threshold option."""
    return click.option(
        "--threshold", "thresholds", type=float, multiple=True,
        default=DEFAULT_THRESHOLDS, show_default=True,
        help="Score threshold for the metrics and a confusion matrix; repeat "
        "the option for several.",
    )(function)


def training_config(
    epochs: int, batch_size: int, learning_rate: float, seed: int,
    device: str, threads: int | None,
) -> TrainingConfig:
    """Build the training settings from the command-line values."""
    return TrainingConfig(
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
        seed=seed, device=device, threads=threads,
    )
