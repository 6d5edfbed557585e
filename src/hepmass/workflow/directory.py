"""Layout of a run directory: the files a run writes and reads back."""

from __future__ import annotations

import atexit
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hepmass.errors import ConfigurationError, HepmassError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunDirectory:
    """Paths inside one run directory.

    The model files (``model.json`` and its weights) sit at the top level,
    beside ``run.json`` (data files, splits, seed, versions), ``history.json``
    (the training curve), ``metrics.json``, ``test_scores.parquet`` and the
    figures.
    """

    path: Path

    @classmethod
    def create(cls, out: Path | None, force: bool = False) -> RunDirectory:
        """Make a new run directory, by default ``runs/<timestamp>``."""
        if out is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            out = Path("runs") / stamp
            suffix = 1
            while out.exists():
                suffix += 1
                out = Path("runs") / f"{stamp}-{suffix}"
        out = Path(out)
        if out.exists() and any(out.iterdir()) and not force:
            raise ConfigurationError(
                f"output directory {out} exists and is not empty; choose another "
                "--out or pass --force to overwrite its files"
            )
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(
                f"cannot create the output directory {out} ({error.strerror}); "
                "choose an --out in a folder you can write to"
            ) from error
        _claim(out)
        if force:
            _remove_outputs(out)
        return cls(out)

    @classmethod
    def open(cls, path: Path) -> RunDirectory:
        """Open an existing run directory written by a training step."""
        path = Path(path)
        if not (path / "run.json").is_file():
            raise HepmassError(
                f"{path} is not a hepmass run directory (no run.json); pass a "
                "directory written by 'hepmass run' or 'hepmass train'"
            )
        return cls(path)

    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def record_path(self) -> Path:
        return self.path / "run.json"

    @property
    def metrics_path(self) -> Path:
        return self.path / "metrics.json"

    @property
    def history_path(self) -> Path:
        return self.path / "history.json"

    @property
    def scores_path(self) -> Path:
        return self.path / "test_scores.parquet"

    def write_json(self, name: str, content: dict[str, Any]) -> Path:
        path = self.path / name
        path.write_text(json.dumps(content, indent=2, default=_to_json) + "\n")
        log.debug("wrote %s", path)
        return path

    def read_json(self, name: str) -> dict[str, Any]:
        path = self.path / name
        if not path.is_file():
            raise HepmassError(f"{path} not found in the run directory")
        return json.loads(path.read_text())


_OUTPUT_PATTERNS = (
    "model.*",
    "run.json",
    "history.json",
    "metrics.json",
    "test_scores.parquet",
    "report.html",
    "*.png",
)
"""Files a run writes. ``--force`` removes them first, so that no file of an
older run (an ONNX export, a figure of another model) passes for the new one."""


def _remove_outputs(directory: Path) -> None:
    for pattern in _OUTPUT_PATTERNS:
        for path in directory.glob(pattern):
            if path.is_file():
                path.unlink()
                log.debug("removed %s from the earlier run", path)


def _to_json(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


LOCK_FILE = ".hepmass.lock"
"""Names the process ID of the process writing a run directory."""


def _owner(lock: Path) -> int | None:
    """Return the ID of the live process named in ``lock``, or ``None``."""
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0 or pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _claim(directory: Path) -> None:
    """Mark ``directory`` as written by this process until it exits.

    A second command pointed at the same directory, even with ``--force``,
    stops instead of mixing its files with the first one's. A lock left by a
    process that no longer runs is taken over.
    """
    lock = directory / LOCK_FILE
    for _ in range(2):
        try:
            handle = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            pid = _owner(lock)
            if pid is not None:
                raise ConfigurationError(
                    f"another hepmass process (pid {pid}) is writing into {directory}; "
                    "wait for it to finish or choose another --out"
                ) from None
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(handle, "w") as stream:
            stream.write(f"{os.getpid()}\n")
        atexit.register(_release, lock, os.getpid())
        return
    raise ConfigurationError(f"could not lock {directory}; try again")


def _release(lock: Path, pid: int) -> None:
    """Remove ``lock`` if it still names this process."""
    try:
        if lock.read_text().strip() == str(pid):
            lock.unlink()
    except OSError:
        pass
