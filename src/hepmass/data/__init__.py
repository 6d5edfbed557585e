"""Reading HEPMASS files: the CSV reader, the columnar cache and the download.

The names below are imported on first use, so that ``hepmass.data.download``
and the command line's option defaults load without the compiled reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hepmass.lazy import export_lazily

if TYPE_CHECKING:
    from hepmass.data.events import Events, stratified_split
    from hepmass.data.reader import read_events

__all__ = ["Events", "read_events", "stratified_split"]

__getattr__ = export_lazily(
    __name__,
    {
        "Events": "hepmass.data.events",
        "stratified_split": "hepmass.data.events",
        "read_events": "hepmass.data.reader",
    },
)
