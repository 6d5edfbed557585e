"""Columnar float32 cache of parsed HEPMASS files.

Format: an uncompressed Arrow IPC file (Feather v2) holding one record batch
with ``label``, ``features`` (fixed-size lists of 27 float32) and, for files
with a mass column, ``mass``. Uncompressed IPC stores each column as one raw
float32 buffer at a known offset, so a cached read is one ``readinto`` per
column straight into the output arrays: no decoding, no second copy, and the
result is ordinary writable memory. Compressed Parquet or IPC would save disk
space but must be decoded, which caps re-reads well below disk speed.

Each source file gets one cache file, named by a hash of its resolved path.
The file's size and modification time (ns) are stored in the cache metadata;
when they differ, the cache is rebuilt. Writes go to a temporary file that is
renamed into place, so an interrupted write leaves no partial cache behind.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from hepmass.data.events import Events
from hepmass.data.layout import Layout
from hepmass.features import N_FEATURES

log = logging.getLogger(__name__)

FORMAT_VERSION = "2"
HEADER_KEY = "hepmass.header_columns"
HEADER_LINES_KEY = "hepmass.header_lines"
ENV_VARIABLE = "HEPMASS_CACHE_DIR"
DEFAULT_DIR = Path("~/.cache/hepmass")


def cache_dir(explicit: str | Path | None = None) -> Path:
    """Return the cache folder: ``explicit``, else ``$HEPMASS_CACHE_DIR``, else
    ``~/.cache/hepmass``."""
    if explicit is not None:
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_VARIABLE)
    if from_env:
        return Path(from_env).expanduser()
    return DEFAULT_DIR.expanduser()


def cache_path(source: Path, directory: Path) -> Path:
    """Return the cache file of ``source``: ``<name>-<hash of path>.arrow``."""
    resolved = source.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    return directory / f"{resolved.name}-{digest}.arrow"


def _metadata(source: Path, stat: os.stat_result, has_mass: bool) -> dict[str, str]:
    """Return the metadata that must match for a cache to be used."""
    return {
        "hepmass.cache_version": FORMAT_VERSION,
        "hepmass.source": str(source.resolve()),
        "hepmass.size": str(stat.st_size),
        "hepmass.mtime_ns": str(stat.st_mtime_ns),
        "hepmass.has_mass": "1" if has_mass else "0",
    }


def _float32_array(values: np.ndarray) -> pa.Array:
    """Wrap a float32 numpy array as an Arrow array without copying it.

    ``pa.array`` would do the same, but first asks whether the values are a
    pandas object, which imports pandas where it is installed (0.3 s).
    """
    values = np.ascontiguousarray(values, dtype=np.float32)
    return pa.Array.from_buffers(pa.float32(), len(values), [None, pa.py_buffer(values)])


def store(
    events: Events,
    layout: Layout,
    source: Path,
    stat: os.stat_result,
    directory: Path,
) -> None:
    """Write the cache of ``source``; log and carry on if the folder is not
    writable, since the cache only saves time."""
    target = cache_path(source, directory)
    flat = np.ascontiguousarray(events.features).reshape(-1)
    arrays = {
        "label": _float32_array(events.labels),
        "features": pa.FixedSizeListArray.from_arrays(_float32_array(flat), N_FEATURES),
    }
    if events.mass is not None:
        arrays["mass"] = _float32_array(events.mass)
    batch = pa.RecordBatch.from_pydict(arrays)
    metadata = _metadata(source, stat, events.has_mass)
    metadata[HEADER_KEY] = str(layout.header_columns or "")
    metadata[HEADER_LINES_KEY] = str(layout.header_lines)
    schema = batch.schema.with_metadata(metadata)

    temporary = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
        with os.fdopen(handle, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            writer.write_batch(batch)
        os.replace(temporary, target)
    except OSError as error:
        log.warning("could not write the cache %s (%s); reads stay uncached",
                    target, error)
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        return
    log.debug("wrote cache %s for %s (%d rows)", target, source, len(events))


ColumnOffsets = dict[str, tuple[int, int]]


def _column_offsets(path: Path) -> tuple[dict[bytes, bytes], ColumnOffsets, int]:
    """Return the metadata, ``{column: (file offset, bytes)}`` and row count.

    The file is memory-mapped only to find where each float32 buffer lies;
    the data pages are not touched.
    """
    with pa.memory_map(str(path)) as mapped:
        start = mapped.read_buffer(1).address
        mapped.seek(0)
        reader = pa.ipc.open_file(mapped)
        if reader.num_record_batches != 1:
            count = reader.num_record_batches
            raise ValueError(f"expected 1 record batch, found {count}")
        batch = reader.get_batch(0)
        offsets = {}
        for name in batch.schema.names:
            column = batch.column(name)
            values = column.values if name == "features" else column
            if values.type != pa.float32() or values.null_count or values.offset:
                raise ValueError(f"column {name!r} is not a plain float32 column")
            data = values.buffers()[1]
            offsets[name] = (data.address - start, len(values) * 4)
        metadata = dict(reader.schema.metadata or {})
        rows = batch.num_rows
    return metadata, offsets, rows


def _read_into(handle: BinaryIO, array: np.ndarray, offset: int, size: int) -> None:
    if array.nbytes != size:
        raise ValueError(f"column has {size} bytes, expected {array.nbytes}")
    handle.seek(offset)
    view = memoryview(array).cast("B")
    if handle.readinto(view) != size:
        raise ValueError("the file ends inside a column")


def load(
    source: Path, stat: os.stat_result, directory: Path
) -> tuple[Events, Layout] | None:
    """Return the cached events and layout of ``source``, or ``None`` when
    there is no valid cache for the file's current size and modification time."""
    path = cache_path(source, directory)
    if not path.is_file():
        return None
    try:
        metadata, offsets, rows = _column_offsets(path)
        expected = _metadata(source, stat, "mass" in offsets)
        found = {key.decode(): value.decode() for key, value in metadata.items()}
        if any(found.get(key) != value for key, value in expected.items()):
            log.debug("cache %s is stale or from another file; rebuilding it", path)
            return None

        labels = np.empty(rows, np.float32)
        features = np.empty((rows, N_FEATURES), np.float32)
        mass = np.empty(rows, np.float32) if "mass" in offsets else None
        with open(path, "rb") as handle:
            _read_into(handle, labels, *offsets["label"])
            _read_into(handle, features, *offsets["features"])
            if mass is not None:
                _read_into(handle, mass, *offsets["mass"])
        header_columns = found[HEADER_KEY]
        layout = Layout(
            has_mass=mass is not None,
            header_lines=int(found[HEADER_LINES_KEY]),
            header_columns=int(header_columns) if header_columns else None,
        )
    except (OSError, ValueError, KeyError, pa.ArrowException) as error:
        log.warning("cache %s is unreadable (%s); rebuilding it", path, error)
        return None

    log.debug("read %d rows of %s from cache %s", rows, source, path)
    events = Events(features=features, labels=labels, mass=mass, source=source)
    return events, layout
