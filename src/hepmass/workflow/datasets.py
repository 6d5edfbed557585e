"""Choice of the training, validation and test events of a run."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hepmass.data.events import Events, stratified_split
from hepmass import data
from hepmass.errors import ConfigurationError, HepmassWarning
from hepmass.sample import default_paths

log = logging.getLogger(__name__)

DEFAULT_TEST_FRACTION = 1 / 3
"""Held-out share when no test file is given: the dataset's own 2:1 split."""

DEFAULT_VALID_FRACTION = 0.1


@dataclass(frozen=True)
class DataSplits:
    """The events of one run and where they came from."""

    train: Events
    valid: Events
    test: Events | None
    description: dict[str, Any]


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ConfigurationError(
            f"{name} must lie strictly between 0 and 1, got {value}"
        )


def _check_classes(events: Events, part: str, source: Path) -> None:
    """Raise unless ``events`` hold both signal and background."""
    n_signal = events.n_signal
    if n_signal == 0 or n_signal == len(events):
        found = "signal" if n_signal else "background"
        raise ConfigurationError(
            f"the {part} events from {source} are all {found}; a classifier "
            "needs both signal (label 1) and background (label 0) events, so "
            "use a file that holds both"
        )


def resolve_files(
    train: Path | None, test: Path | None
) -> tuple[Path, Path | None, bool]:
    """Return the training and test files, using the bundled sample by default."""
    if train is None:
        if test is not None:
            raise ConfigurationError(
                "--test was given without --train; pass both, or neither to use "
                "the bundled sample"
            )
        train, test = default_paths()
        return train, test, True
    return Path(train), Path(test) if test is not None else None, False


def load_splits(
    train: Path | None = None,
    test: Path | None = None,
    *,
    test_fraction: float = DEFAULT_TEST_FRACTION,
    valid_fraction: float = DEFAULT_VALID_FRACTION,
    seed: int = 0,
    need_test: bool = True,
) -> DataSplits:
    """Read the files of a run and split them.

    Without files the bundled sample is used. Without a test file, a
    stratified ``test_fraction`` of the training file is held out; the
    validation split is always a stratified ``valid_fraction`` of what
    remains for training. Splits depend only on the files and ``seed``.
    """
    _check_fraction("the test fraction", test_fraction)
    _check_fraction("the validation fraction", valid_fraction)
    train_path, test_path, bundled = resolve_files(train, test)
    if test_path is not None and test_path.resolve() == train_path.resolve():
        warnings.warn(
            f"the test file is the training file ({train_path}); the test metrics "
            "will measure how well the model remembers its training events, not "
            "how it does on new ones. Pass a separate --test file, or leave --test "
            "out to hold out part of the training file",
            HepmassWarning,
            stacklevel=2,
        )

    events = data.read_events(train_path)
    test_events = None
    if test_path is not None:
        test_events = data.read_events(test_path) if need_test else None
    else:
        events, held_out = stratified_split(events, test_fraction, seed)
        test_events = held_out if need_test else None
    train_events, valid_events = stratified_split(events, valid_fraction, seed + 1)

    _check_classes(train_events, "training", train_path)
    _check_classes(valid_events, "validation", train_path)
    if test_events is not None:
        _check_classes(test_events, "test", test_path or train_path)

    description = {
        "train_file": str(train_path.resolve()),
        "train_file_state": file_state(train_path),
        "test_file": str(test_path.resolve()) if test_path is not None else None,
        "test_file_state": file_state(test_path) if test_path is not None else None,
        "bundled_sample": bundled,
        "test_fraction": None if test_path is not None else test_fraction,
        "valid_fraction": valid_fraction,
        "split_seed": seed,
        "n_train": len(train_events),
        "n_valid": len(valid_events),
        "n_test": len(test_events) if test_events is not None else None,
        "has_mass": train_events.has_mass,
    }
    log.info(
        "events: %d train, %d validation, %s test",
        len(train_events),
        len(valid_events),
        description["n_test"],
    )
    return DataSplits(train_events, valid_events, test_events, description)


def file_state(path: Path) -> dict[str, int]:
    """Return the size and modification time that identify a file's content."""
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_unchanged(description: dict[str, Any], role: str) -> Events:
    """Read the ``role`` file ("train" or "test") of a run, refusing a file
    that changed since the run recorded it."""
    path = Path(description[f"{role}_file"])
    recorded = description.get(f"{role}_file_state")
    if recorded is not None and path.exists() and file_state(path) != recorded:
        raise ConfigurationError(
            f"{path} changed since the run recorded it (size or modification time "
            "differ from run.json), so the run's splits cannot be rebuilt: events "
            "used in training could land in the test events. Restore the file, "
            "or pass the events to evaluate explicitly with --test FILE"
        )
    return data.read_events(path)


def recreate_test(description: dict[str, Any]) -> Events:
    """Rebuild the test events a training run recorded in its ``run.json``."""
    if description.get("test_file"):
        return _read_unchanged(description, "test")
    events = _read_unchanged(description, "train")
    _, held_out = stratified_split(
        events, description["test_fraction"], description["split_seed"]
    )
    return held_out


def recreate_training(description: dict[str, Any]) -> tuple[Events, Events]:
    """Rebuild the training and validation events recorded in ``run.json``.

    Repeats the splits of :func:`load_splits` with the recorded seed.
    """
    events = _read_unchanged(description, "train")
    if not description.get("test_file"):
        events, _ = stratified_split(
            events, description["test_fraction"], description["split_seed"]
        )
    return stratified_split(
        events, description["valid_fraction"], description["split_seed"] + 1
    )
