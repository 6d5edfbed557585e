"""Layout of a run directory: the files a run writes and reads back."""

from __future__ import annotations

import json
import logging
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
        out.mkdir(parents=True, exist_ok=True)
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
