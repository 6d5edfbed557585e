"""Options of the studies that ``hepmass run`` and ``hepmass evaluate`` write.

The options arrive in the command as one :class:`StudySettings` argument
named ``study``, so commands that forward their other options in bulk do
not receive them one by one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from hepmass.errors import ConfigurationError
from hepmass.evaluation.bootstrap import DEFAULT_RESAMPLES
from hepmass.evaluation.calibration import CALIBRATION_METHODS
from hepmass.evaluation.importance import DEFAULT_REPEATS
from hepmass.evaluation.thresholds import DEFAULT_MIN_BACKGROUND_EVENTS, Yields

if TYPE_CHECKING:
    from hepmass.evaluation.study import StudySettings

_OPTIONS = [
    click.option(
        "--signal-yield", type=float, default=None,
        help="Expected signal events before the cut, for the significance "
        "optimization. Needs --background-yield. Default: no significance.",
    ),
    click.option(
        "--background-yield", type=float, default=None,
        help="Expected background events before the cut. Needs --signal-yield.",
    ),
    click.option(
        "--background-uncertainty", type=float, default=0.0, show_default=True,
        help="Relative uncertainty of the expected background (0.1 for 10%), "
        "used in the Asimov significance.",
    ),
    click.option(
        "--min-background-events", type=int,
        default=DEFAULT_MIN_BACKGROUND_EVENTS, show_default=True,
        help="Background test events that must pass a threshold chosen for its "
        "significance.",
    ),
    click.option(
        "--target-signal-efficiency", type=float, default=None,
        help="Also report the highest threshold keeping this signal efficiency "
        "(a fraction in (0, 1]).",
    ),
    click.option(
        "--target-background-rejection", type=float, default=None,
        help="Also report the lowest threshold reaching this background "
        "rejection (1 / background efficiency, above 1).",
    ),
    click.option(
        "--bootstrap-resamples", type=int, default=DEFAULT_RESAMPLES,
        show_default=True,
        help="Bootstrap resamples for the 95% intervals of the AUC and of the "
        "metrics at the chosen thresholds.",
    ),
    click.option(
        "--calibration", type=click.Choice(CALIBRATION_METHODS), default="none",
        show_default=True,
        help="Calibration map fitted on the validation scores; its reliability "
        "and Brier score on the test events are reported beside the raw ones.",
    ),
    click.option(
        "--importance-repeats", type=int, default=DEFAULT_REPEATS,
        show_default=True,
        help="Shuffles per feature for the permutation importance.",
    ),
    click.option(
        "--study-seed", type=int, default=0, show_default=True,
        help="Seed of the bootstrap, the shuffles and the event subsets.",
    ),
]


def study_settings(
    signal_yield: float | None,
    background_yield: float | None,
    background_uncertainty: float,
    min_background_events: int,
    target_signal_efficiency: float | None,
    target_background_rejection: float | None,
    bootstrap_resamples: int,
    calibration: str,
    importance_repeats: int,
    study_seed: int,
) -> StudySettings:
    """Build the study settings from the command-line values."""
    from hepmass.evaluation.study import StudySettings

    if (signal_yield is None) != (background_yield is None):
        raise ConfigurationError(
            "--signal-yield and --background-yield go together, got only "
            f"{'--signal-yield' if signal_yield is not None else '--background-yield'}"
            "; pass both or neither"
        )
    yields = None
    if signal_yield is not None:
        yields = Yields(signal_yield, background_yield, background_uncertainty)
    return StudySettings(
        yields=yields,
        target_signal_efficiency=target_signal_efficiency,
        target_background_rejection=target_background_rejection,
        min_background_events=min_background_events,
        bootstrap_resamples=bootstrap_resamples,
        calibration=calibration,
        importance_repeats=importance_repeats,
        seed=study_seed,
    )


def study_options(function: Callable) -> Callable:
    """Add the study options, passed to ``function`` as ``study``."""
    names = [
        "signal_yield", "background_yield", "background_uncertainty",
        "min_background_events", "target_signal_efficiency",
        "target_background_rejection", "bootstrap_resamples", "calibration",
        "importance_repeats", "study_seed",
    ]

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        values = {name: kwargs.pop(name) for name in names}
        return function(*args, study=study_settings(**values), **kwargs)

    for decorator in reversed(_OPTIONS):
        wrapper = decorator(wrapper)
    return wrapper
