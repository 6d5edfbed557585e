"""Options shared by the commands that train a model."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from pathlib import Path

import click
from click.core import ParameterSource

from hepmass.errors import HepmassWarning
from hepmass.evaluation.metrics import DEFAULT_THRESHOLDS
from hepmass.models import MODEL_NAMES
from hepmass.models.registry import model_class
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
            "--use-mass/--no-mass", default=None,
            help="Give the model the hypothesis mass as a 28th input. Default: "
            "the model's own choice (on for parameterized, off for the others).",
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
            "--precision", type=click.Choice(["fp32", "bf16"]), default="fp32",
            show_default=True,
            help="Arithmetic of the forward pass: float32, or bfloat16 autocast "
            "(useful on GPUs; weights stay float32).",
        ),
        click.option(
            "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
            help="Run directory to write. Default: a new time-stamped folder "
            "under runs/.",
        ),
        click.option(
            "--force", is_flag=True,
            help="Write into --out even if it already contains files; the "
            "outputs of an earlier run there are removed first.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _check_thresholds(
    context: click.Context, parameter: click.Parameter, values: tuple[float, ...]
) -> tuple[float, ...]:
    """Reject thresholds outside [0, 1] (NaN included) before any training."""
    bad = [value for value in values if not 0.0 <= value <= 1.0]
    if bad:
        raise click.BadParameter(
            f"thresholds are cuts on a score in [0, 1]; got {', '.join(map(str, bad))}"
        )
    return values


def threshold_option(function: Callable) -> Callable:
    """Add the repeatable --threshold option."""
    return click.option(
        "--threshold", "thresholds", type=float, multiple=True,
        default=DEFAULT_THRESHOLDS, show_default=True, callback=_check_thresholds,
        help="Score threshold for the metrics and a confusion matrix; repeat "
        "the option for several.",
    )(function)


def training_config(
    epochs: int, batch_size: int, learning_rate: float, seed: int,
    device: str, threads: int | None, precision: str = "fp32",
) -> TrainingConfig:
    """Build the training settings from the command-line values."""
    return TrainingConfig(
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
        seed=seed, device=device, threads=threads, precision=precision,
    )


def architecture_options(function: Callable) -> Callable:
    """Add the options of single models; each is passed only when given."""
    decorators = [
        click.option(
            "--depth", type=int, default=None,
            help="deep, parameterized: residual blocks. Default: 4.",
        ),
        click.option(
            "--width", type=int, default=None,
            help="deep, parameterized: units per block. Default: 256.",
        ),
        click.option(
            "--dropout", type=float, default=None,
            help="deep, parameterized: dropout probability. Default: 0.1.",
        ),
        click.option(
            "--weight-decay", type=float, default=None,
            help="deep, parameterized: AdamW weight decay. Default: 0.01.",
        ),
        click.option(
            "--patience", type=int, default=None,
            help="deep, parameterized, gbdt: epochs (boosting rounds for gbdt) "
            "without a lower validation loss before training stops. "
            "Default: 4 epochs, 50 rounds.",
        ),
        click.option(
            "--components", type=int, default=None,
            help="svm: Nystroem landmarks of the kernel approximation. "
            "Default: 1000.",
        ),
        click.option(
            "--background-only", is_flag=True, default=None,
            help="autoencoder: train on background events only (the anomaly-"
            "detection set-up). Default: every training event, labels unused.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def build_model_options(
    config: TrainingConfig, use_mass: bool | None, **given: object
) -> dict[str, object]:
    """Return the model's keyword options: the training settings and every
    option given on the command line (a ``None`` value means not given)."""
    options: dict[str, object] = {"training": config}
    if use_mass is not None:
        options["use_mass"] = use_mass
    options.update({key: value for key, value in given.items() if value is not None})
    return options


_IGNORED_OPTION_ADVICE = {
    ("gbdt", "epochs"): "Boosting stops when the validation loss has not "
    "improved for --patience rounds, so set --patience instead",
    ("autoencoder", "device"): "The autoencoder always trains on the CPU",
}
"""Extra advice for a training option that a model ignores, by (model, option)."""


def _option_flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _join(words: list[str]) -> str:
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _given_on_command_line(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


def warn_ignored_options(
    ctx: click.Context,
    model_name: str,
    train_file: Path | None,
    test_file: Path | None,
) -> None:
    """Warn about each option given on the command line that has no effect.

    These are the training options that ``model_name`` never reads, and
    --test-fraction when a test file supplies the test events. Options left
    at their defaults are not reported.
    """
    ignored = model_class(model_name).ignored_training_settings
    used = [
        _option_flag(field.name)
        for field in dataclasses.fields(TrainingConfig)
        if field.name not in ignored
    ]
    for name in ignored:
        if not _given_on_command_line(ctx, name):
            continue
        message = (
            f"{_option_flag(name)} has no effect on the {model_name} model, which "
            f"uses only {_join(used)} of the training options"
        )
        advice = _IGNORED_OPTION_ADVICE.get((model_name, name))
        if advice:
            message += f". {advice}"
        warnings.warn(message, HepmassWarning, stacklevel=2)

    if _given_on_command_line(ctx, "test_fraction"):
        if test_file is not None:
            warnings.warn(
                f"--test-fraction has no effect with --test: the test events are "
                f"read from {test_file}; drop --test to hold out a share of "
                "--train instead",
                HepmassWarning,
                stacklevel=2,
            )
        elif train_file is None:
            warnings.warn(
                "--test-fraction has no effect without --train: the bundled "
                "sample has its own test file; pass --train FILE to hold out a "
                "share of your own events",
                HepmassWarning,
                stacklevel=2,
            )
