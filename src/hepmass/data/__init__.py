"""Reading HEPMASS files: the CSV reader, the columnar cache and the download."""

from hepmass.data.events import Events, stratified_split
from hepmass.data.reader import read_events

__all__ = ["Events", "read_events", "stratified_split"]
