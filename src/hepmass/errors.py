"""Exception and warning types raised by hepmass.

Callers can catch :class:`HepmassError` for every failure the package reports
on purpose; the subclasses tell which part failed.
"""

from __future__ import annotations

from pathlib import Path


class HepmassError(Exception):
    """Base class of every error that hepmass raises on purpose."""


class ConfigurationError(HepmassError, ValueError):
    """An argument or setting is invalid; raised before any work starts."""


class DataFormatError(HepmassError):
    """A data file is not in the HEPMASS layout or holds an invalid value.

    The message names the file and, where they are known, the line number
    (the header is line 1), the column and the value found.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.value = value
        super().__init__(message)


class DownloadError(HepmassError):
    """Fetching or verifying a dataset file failed."""


class ModelError(HepmassError):
    """A model cannot be built, trained, saved or loaded as requested."""


class SimulationError(HepmassError):
    """Event generation failed or was configured inconsistently."""


class HepmassWarning(UserWarning):
    """Base class of the warnings that hepmass emits."""


class LayoutWarning(HepmassWarning):
    """A file's header disagrees with its rows; the rows decide the layout."""
