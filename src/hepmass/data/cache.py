"""Columnar float32 cache of parsed HEPMASS files.

Format: an uncompressed Arrow IPC file (Feather v2) of record batches with
``label``, ``features`` (fixed-size lists of 27 float32) and, for files with
a mass column, ``mass``. The reader writes a batch whenever it has scanned
enough rows, while the next text is still being inflated, so the cache costs
the first read almost no time. Uncompressed IPC stores each column as one raw
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
from isal import isal_zlib

from hepmass.data.events import Events
from hepmass.data.layout import Layout
from hepmass.features import N_FEATURES

log = logging.getLogger(__name__)

FORMAT_VERSION = "4"
HEADER_KEY = "hepmass.header_columns"
HEADER_LINES_KEY = "hepmass.header_lines"
CHECKSUM_PREFIX = "hepmass.crc32."
"""Batch metadata: the CRC-32 of each column's bytes, checked on every load,
so a damaged cache is rebuilt instead of read (python-isal computes it at
about 25 GB/s)."""
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

    ``pa.array`` would do the same, but first checks whether the values are a
    pandas object, which imports pandas where it is installed (0.3 s).
    """
    values = np.ascontiguousarray(values, dtype=np.float32)
    return pa.Array.from_buffers(pa.float32(), len(values), [None, pa.py_buffer(values)])


class CacheWriter:
    """Writer of the cache of one source file, a record batch at a time.

    Batches go to a temporary file that :meth:`commit` renames into place and
    :meth:`abort` removes. A folder that cannot be written is logged once,
    and the read carries on without a cache, since the cache only saves time.
    """

    def __init__(self, source: Path, stat: os.stat_result, directory: Path,
                 layout: Layout) -> None:
        self.source = source
        self.target = cache_path(source, directory)
        self.rows = 0
        metadata = _metadata(source, stat, layout.has_mass)
        metadata[HEADER_KEY] = str(layout.header_columns or "")
        metadata[HEADER_LINES_KEY] = str(layout.header_lines)
        fields = [pa.field("label", pa.float32()),
                  pa.field("features", pa.list_(pa.float32(), N_FEATURES))]
        if layout.has_mass:
            fields.append(pa.field("mass", pa.float32()))
        self.schema = pa.schema(fields, metadata=metadata)
        self._temporary: str | None = None
        self._sink: BinaryIO | None = None
        self._writer: pa.ipc.RecordBatchFileWriter | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle, self._temporary = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".tmp", dir=directory
            )
            self._sink = os.fdopen(handle, "wb")
            self._writer = pa.ipc.new_file(self._sink, self.schema)
        except OSError as error:
            self._fail(error)

    def write(self, labels: np.ndarray, features: np.ndarray,
              mass: np.ndarray | None) -> None:
        """Append rows as one record batch."""
        if self._writer is None:
            return
        flat = np.ascontiguousarray(features).reshape(-1)
        columns = [_float32_array(labels),
                   pa.FixedSizeListArray.from_arrays(_float32_array(flat), N_FEATURES)]
        if mass is not None:
            columns.append(_float32_array(mass))
        checksums = {
            f"{CHECKSUM_PREFIX}{name}": str(isal_zlib.crc32(values))
            for name, values in (("label", labels), ("features", flat), ("mass", mass))
            if values is not None
        }
        try:
            self._writer.write_batch(
                pa.RecordBatch.from_arrays(columns, schema=self.schema),
                custom_metadata=checksums,
            )
        except OSError as error:
            self._fail(error)
            return
        self.rows += len(labels)

    def commit(self) -> None:
        """Finish the file and move it into place."""
        if self._writer is None:
            return
        try:
            self._writer.close()
            self._writer = None
            assert self._sink is not None and self._temporary is not None
            self._sink.close()
            os.replace(self._temporary, self.target)
        except OSError as error:
            self._fail(error)
            return
        log.debug("wrote cache %s for %s (%d rows)", self.target, self.source,
                  self.rows)

    def abort(self) -> None:
        """Remove the temporary file; nothing is cached."""
        self._close_quietly()

    def _fail(self, error: OSError) -> None:
        log.warning("could not write the cache %s (%s); reads stay uncached",
                    self.target, error)
        self._close_quietly()

    def _close_quietly(self) -> None:
        for closing in (self._writer, self._sink):
            if closing is not None:
                try:
                    closing.close()
                except (OSError, pa.ArrowException):
                    pass
        self._writer = self._sink = None
        if self._temporary is not None and os.path.exists(self._temporary):
            os.unlink(self._temporary)
        self._temporary = None


ColumnOffsets = dict[str, tuple[int, int, int]]
"""``{column: (file offset, bytes, CRC-32)}`` of one record batch."""


def _column_offsets(
    path: Path,
) -> tuple[dict[bytes, bytes], list[tuple[int, ColumnOffsets]]]:
    """Return the metadata and, for each record batch, its row count and
    where each of its float32 buffers lies.

    The file is memory-mapped only to find the buffers; the data pages are
    not touched.
    """
    with pa.memory_map(str(path)) as mapped:
        start = mapped.read_buffer(1).address
        mapped.seek(0)
        reader = pa.ipc.open_file(mapped)
        batches = []
        for index in range(reader.num_record_batches):
            batch, batch_metadata = reader.get_batch_with_custom_metadata(index)
            checksums = {
                key.decode().removeprefix(CHECKSUM_PREFIX): int(value)
                for key, value in (batch_metadata or {}).items()
                if key.decode().startswith(CHECKSUM_PREFIX)
            }
            offsets = {}
            for name in batch.schema.names:
                column = batch.column(name)
                values = column.values if name == "features" else column
                if values.type != pa.float32() or values.null_count or values.offset:
                    raise ValueError(f"column {name!r} is not a plain float32 column")
                data = values.buffers()[1]
                if name not in checksums:
                    raise ValueError(f"column {name!r} has no checksum")
                offsets[name] = (data.address - start, len(values) * 4,
                                 checksums[name])
            batches.append((batch.num_rows, offsets))
        metadata = dict(reader.schema.metadata or {})
    return metadata, batches


def _read_into(handle: BinaryIO, array: np.ndarray, offset: int, size: int,
               checksum: int) -> None:
    if array.nbytes != size:
        raise ValueError(f"column has {size} bytes, expected {array.nbytes}")
    handle.seek(offset)
    view = memoryview(array).cast("B")
    if handle.readinto(view) != size:
        raise ValueError("the file ends inside a column")
    if isal_zlib.crc32(view) != checksum:
        raise ValueError("a column does not match its checksum")


def load(
    source: Path, stat: os.stat_result, directory: Path
) -> tuple[Events, Layout] | None:
    """Return the cached events and layout of ``source``, or ``None`` when
    there is no valid cache for the file's current size and modification time."""
    path = cache_path(source, directory)
    if not path.is_file():
        return None
    try:
        metadata, batches = _column_offsets(path)
        found = {key.decode(): value.decode() for key, value in metadata.items()}
        expected = _metadata(source, stat, found.get("hepmass.has_mass") == "1")
        if any(found.get(key) != value for key, value in expected.items()):
            log.debug("cache %s is stale or from another file; rebuilding it", path)
            return None

        has_mass = expected["hepmass.has_mass"] == "1"
        rows = sum(count for count, _ in batches)
        labels = np.empty(rows, np.float32)
        features = np.empty((rows, N_FEATURES), np.float32)
        mass = np.empty(rows, np.float32) if has_mass else None
        first = 0
        with open(path, "rb") as handle:
            for count, offsets in batches:
                if ("mass" in offsets) != has_mass:
                    raise ValueError("a record batch disagrees on the mass column")
                last = first + count
                _read_into(handle, labels[first:last], *offsets["label"])
                _read_into(handle, features[first:last], *offsets["features"])
                if mass is not None:
                    _read_into(handle, mass[first:last], *offsets["mass"])
                first = last
        header_columns = found[HEADER_KEY]
        layout = Layout(
            has_mass=has_mass,
            header_lines=int(found[HEADER_LINES_KEY]),
            header_columns=int(header_columns) if header_columns else None,
        )
    except (OSError, ValueError, KeyError, pa.ArrowException) as error:
        log.warning("cache %s is unreadable (%s); rebuilding it", path, error)
        return None

    log.debug("read %d rows of %s from cache %s", rows, source, path)
    events = Events(features=features, labels=labels, mass=mass, source=source)
    return events, layout
