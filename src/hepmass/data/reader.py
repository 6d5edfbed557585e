"""Reading HEPMASS files into ``Events``, through the columnar cache."""

from __future__ import annotations

import logging
from pathlib import Path

from hepmass.data import cache as event_cache
from hepmass.data.events import Events
from hepmass.data.layout import warn_if_header_disagrees
from hepmass.data.parse import parse_file
from hepmass.errors import ConfigurationError

log = logging.getLogger(__name__)


def _check_path(path: Path) -> None:
    if not path.exists():
        raise ConfigurationError(
            f"data file not found: {path}; pass the path of a HEPMASS .csv or "
            ".csv.gz file, or fetch the UCI files with 'hepmass download'"
        )
    if not path.is_file():
        raise ConfigurationError(
            f"{path} is not a file; pass the path of a HEPMASS .csv or .csv.gz file"
        )


def read_events(
    path: str | Path, *, cache: bool = True, cache_dir: str | Path | None = None
) -> Events:
    """Read a HEPMASS ``.csv`` or ``.csv.gz`` file as float32 events.

    Accepts the ``all``, ``not1000`` and ``1000`` files of the UCI dataset and
    files written in the same layout. The layout comes from the rows: 28 values
    are the label and f0..f26, 29 values add the mass (snapped onto the
    published mass points, so 499.999969 reads as 500).

    Args:
        path: the file to read.
        cache: keep a float32 copy of the parsed file and use it on later
            reads while the file's size and modification time are unchanged.
        cache_dir: folder of the cache; defaults to ``$HEPMASS_CACHE_DIR``,
            else ``~/.cache/hepmass``.

    Raises:
        ConfigurationError: the file does not exist.
        DataFormatError: the file is empty, damaged or contains an invalid value.
            The error names the line (the header is line 1), the column and
            the value.
    """
    path = Path(path).expanduser()
    _check_path(path)
    stat = path.stat()

    directory = event_cache.cache_dir(cache_dir) if cache else None
    cached = event_cache.load(path, stat, directory) if directory else None
    if cached is not None:
        events, layout = cached
        # The warning came with the first read; repeating it on every read
        # of the UCI 1000 files would bury other warnings.
        if layout.header_columns not in (None, layout.width):
            log.info("%s: the header names %d columns, the rows have %d values",
                     path, layout.header_columns, layout.width)
        return events

    writer = (
        (lambda layout: event_cache.CacheWriter(path, stat, directory, layout))
        if directory is not None
        else None
    )
    events, layout = parse_file(path, writer)
    warn_if_header_disagrees(layout, path)
    return events
