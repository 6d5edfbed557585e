"""Streaming conversion of a HEPMASS CSV file into float32 arrays.

python-isal inflates the gzip stream in a thread of its own while the
compiled scanner of ``hepmass.data.scan`` turns each piece of text into rows
of the row store (see ``hepmass.data.rows``), without copies in between.
Memory stays bounded: a piece of text or two, plus the rows kept so far.
A line that the scanner is not sure of, and the rest of its piece, go to
Arrow's CSV reader, whose verdict is final; when a value is invalid,
``hepmass.data.validate`` re-reads the text from the first suspect line to
report the exact line, column and value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from tqdm import tqdm

from hepmass.allocator import retain_freed_memory
from hepmass.data.cache import CacheWriter
from hepmass.data.events import Events
from hepmass.data.layout import Layout, decide_layout
from hepmass.data.rows import SNAP_POINTS, RowStore
from hepmass.data.scan import DEFER, FULL, scan_rows
from hepmass.data.stream import (
    DECOMPRESSION_ERRORS,
    decompression_error,
    is_gzip,
    line_pieces,
    open_text,
    read_ahead,
)
from hepmass.data.validate import locate_invalid_value
from hepmass.errors import DataFormatError
from hepmass.progress import bar_options

log = logging.getLogger(__name__)

PIECE_BYTES = 8 << 20
"""Text per scanned piece: large enough that the per-piece work is small,
small enough to stay in the CPU cache while it is inflated and scanned."""

PIECES_AHEAD = 3
"""Pieces inflated ahead of the one being scanned. python-isal's own thread
runs at most 2 MiB ahead, so with it the 1M-row file took 1.8 s, no faster
than inflating and scanning one after the other."""

CACHE_BATCH_ROWS = 1 << 18
"""Rows per record batch of the cache, written while the next text inflates."""

GZIP_RATIO_BOUND = 3.0
"""Text bytes per compressed byte assumed when sizing the row store for a
gzip file. The UCI files hold about 2.2 and the files of
benchmarks/make_hepmass_files.py 2.4; a file that inflates more still reads,
with one extra copy of its rows at the end."""

PROGRESS_MIN_BYTES = 64 << 20
"""Files at least this large get an info message and a progress bar."""

SNIFF_BYTES = 1 << 16
_NEWLINE = 10


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def _read_first_lines(path: Path) -> tuple[str, str | None]:
    """Return the first line and the second (``None`` if there is none)."""
    try:
        with open_text(path) as stream:
            first = stream.readline(SNIFF_BYTES)
            second = stream.readline(SNIFF_BYTES)
    except DECOMPRESSION_ERRORS as error:
        raise decompression_error(path, error) from error

    if not first.strip():
        raise DataFormatError(
            f"{path} is empty; expected a header line and rows of comma-separated "
            "numbers (a HEPMASS .csv or .csv.gz file)",
            path=path,
            line=1,
        )
    return _decode(first), (_decode(second) if second else None)


def _first_bad_row(block: np.ndarray) -> int | None:
    """Return the index of the first row with a non-finite value or bad label."""
    bad = ~np.isfinite(block).all(axis=1)
    bad |= (block[:, 0] != 0) & (block[:, 0] != 1)
    return int(np.argmax(bad)) if bad.any() else None


class _ArrowPieceParser:
    """Parses one piece of whole lines into a ``(rows, width)`` float32 array.

    Returns the array and the index of its first invalid row, or ``None``.
    This is the slower parser for pieces that polars rejects: Arrow also
    accepts spaces around a number, so only its verdict is final.
    """

    def __init__(self, layout: Layout) -> None:
        self.width = layout.width
        self.read_options = pa_csv.ReadOptions(
            column_names=list(layout.names), block_size=2 * PIECE_BYTES,
            use_threads=False,
        )
        # Empty lines must reach the checks, or the line numbers would shift.
        self.parse_options = pa_csv.ParseOptions(ignore_empty_lines=False)
        self.convert_options = pa_csv.ConvertOptions(
            column_types={name: pa.float32() for name in layout.names}
        )

    def __call__(self, piece: memoryview) -> tuple[np.ndarray, int | None]:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(piece)), self.read_options,
            self.parse_options, self.convert_options,
        ).combine_chunks()
        block = np.empty((table.num_rows, self.width), np.float32)
        for index, column in enumerate(table.columns):
            # A null (an empty value, or "nan" and the like) becomes NaN, so
            # the check below finds the first bad row of either kind.
            block[:, index] = column.chunk(0).to_numpy(zero_copy_only=False)
        return block, _first_bad_row(block)


class _PieceScanner:
    """Scans pieces of whole lines into a row store, in file order, and
    passes finished rows on to the cache."""

    def __init__(self, path: Path, layout: Layout, text_bound: int,
                 cache: CacheWriter | None) -> None:
        self.path = path
        self.layout = layout
        self.text_bound = text_bound
        self.cache = cache
        self.cached_rows = 0
        self.store = RowStore(layout.width - 1 - layout.has_mass, layout.has_mass)
        self.arrow = _ArrowPieceParser(layout)

    def __call__(self, piece: memoryview) -> None:
        text = np.frombuffer(piece, np.uint8)
        if self.store.rows == 0 and not self.store.reserved:
            self._reserve(text)
        position = 0
        while True:
            block, used = self.store.free_rows()
            status, position, row = scan_rows(
                text, position, block.labels, block.features, block.mass,
                SNAP_POINTS, used,
            )
            self.store.advance(row - used)
            if status == DEFER:
                self._parse_slowly(piece[position:])
                break
            if status != FULL:
                break
        if self.store.rows - self.cached_rows >= CACHE_BATCH_ROWS:
            self.write_cache()

    def _reserve(self, text: np.ndarray) -> None:
        """Size the row store from the line length of the first piece."""
        lines = int(np.count_nonzero(text == _NEWLINE)) or 1
        row_bytes = max(1.0, len(text) / lines)
        # A quarter more rows than the estimate, in case later lines are shorter.
        self.store.reserve(int(1.25 * self.text_bound / row_bytes) + 1024)

    def write_cache(self) -> None:
        """Hand the rows scanned since the last call to the cache writer."""
        if self.cache is None:
            return
        has_mass = self.layout.has_mass
        for block in self.store.rows_between(self.cached_rows, self.store.rows):
            self.cache.write(block.labels, block.features,
                             block.mass if has_mass else None)
        self.cached_rows = self.store.rows

    def _parse_slowly(self, rest: memoryview) -> None:
        """Parse the rest of a piece with Arrow and check every row."""
        store, layout = self.store, self.layout
        try:
            block, bad_row = self.arrow(rest)
        except pa.ArrowInvalid as error:
            first_line = layout.line_of_row(store.rows)
            raise locate_invalid_value(self.path, layout, first_line,
                                       str(error)) from error
        if bad_row is not None:
            line = layout.line_of_row(store.rows + bad_row)
            message = "a missing, non-finite or invalid label value"
            raise locate_invalid_value(self.path, layout, line, message)
        store.append(block)


def _raise_if_damaged(path: Path) -> None:
    """Raise the gzip error of ``path`` if its stream is damaged.

    A damaged byte in a gzip stream can inflate to wrong text, which the
    reader reports as a bad row. The checksum at the end of the stream
    separates the two cases, so a bad row in a gzip file is blamed on the row
    only once the whole stream has inflated without error.
    """
    if not is_gzip(path):
        return
    try:
        with open_text(path, threaded=False) as stream:
            while stream.read(PIECE_BYTES):
                pass
    except DECOMPRESSION_ERRORS as error:
        raise decompression_error(path, error) from error


def _parse_rows(path: Path, layout: Layout, progress: tqdm | None,
                cache: CacheWriter | None) -> RowStore:
    """Parse the data rows of ``path``, a piece of whole lines at a time.

    The scanner releases the GIL, so python-isal inflates the next piece
    while one is scanned. Pieces are stored in file order, so row counts give
    exact line numbers.
    """
    size = path.stat().st_size
    text_bound = int(size * GZIP_RATIO_BOUND) if is_gzip(path) else size
    scanner = _PieceScanner(path, layout, text_bound, cache)

    def pieces() -> Iterator[memoryview]:
        with open_text(path, progress, threaded=False) as stream:
            yield from line_pieces(stream, PIECE_BYTES, layout.header_lines)

    try:
        for piece in read_ahead(pieces, PIECES_AHEAD):
            scanner(piece)
    except DECOMPRESSION_ERRORS as error:
        raise decompression_error(path, error) from error
    except DataFormatError:
        _raise_if_damaged(path)
        raise
    scanner.write_cache()
    return scanner.store


def parse_file(
    path: Path, cache: Callable[[Layout], CacheWriter] | None = None
) -> tuple[Events, Layout]:
    """Parse a whole HEPMASS file into ``Events`` (masses snapped to the grid).

    Returns the layout found too, so the caller can report a header that
    disagrees with the rows. ``cache`` makes the writer of the file's cache
    once the layout is known; the cache is kept only if the whole file reads.
    """
    retain_freed_memory()
    first, second = _read_first_lines(path)
    layout = decide_layout(first, second, path)

    size = path.stat().st_size
    progress = None
    if size >= PROGRESS_MIN_BYTES:
        log.info("converting %s (%.0f MB) to float32; later reads use a cache",
                 path, size / 1e6)
        progress = tqdm(total=size, unit="B", unit_scale=True, desc=path.name,
                        leave=False, **bar_options())
    writer = cache(layout) if cache is not None else None
    try:
        store = _parse_rows(path, layout, progress, writer)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if progress is not None:
            progress.close()

    if store.rows == 0:
        if writer is not None:
            writer.abort()
        raise DataFormatError(
            f"{path} has a header but no data rows; expected rows of "
            f"{layout.width} comma-separated numbers after the header line",
            path=path,
            line=2,
        )
    if writer is not None:
        writer.commit()
    features, labels, mass = store.finish()
    log.debug("parsed %d rows of %d values from %s", len(labels), layout.width, path)
    events = Events(features=features, labels=labels, mass=mass, source=path)
    return events, layout
