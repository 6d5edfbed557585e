"""Streaming conversion of a HEPMASS CSV file into float32 arrays.

polars parses pieces of text straight into float32 columns, on its own pool
of threads, while python-isal inflates the next piece in another thread.
Memory stays bounded: a few pieces of text and their columns at a time, plus
the rows kept so far (see ``hepmass.data.rows``). Checks run on
each piece; when one fails, ``hepmass.data.validate`` re-reads the text from
the first suspect line to report the exact line, column and value.
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from tqdm import tqdm

from hepmass.data.events import Events
from hepmass.data.layout import Layout, decide_layout
from hepmass.data.rows import RowStore
from hepmass.data.stream import (
    DECOMPRESSION_ERRORS,
    decompression_error,
    line_pieces,
    open_text,
)
from hepmass.data.validate import locate_invalid_value
from hepmass.errors import DataFormatError

log = logging.getLogger(__name__)

PIECE_BYTES = 8 << 20
"""Text per parsed piece. polars splits each piece across its threads, so a
piece must be large enough to share out. On 2 cores (polars 2.1, 64 MB of
text), 1 MiB pieces parsed in 0.14 s and 4-16 MiB pieces in 0.08-0.10 s.
pyarrow's reader took 0.28 s for 512 KiB pieces on one thread."""

PIECES_AHEAD = 2
"""Pieces read ahead of the one being parsed. With the parse on a thread of
its own, decompressing and parsing a 1M-row file took 1.3-1.45 s instead of
2.1 s in one loop. Reading 3 or 4 pieces ahead was not faster."""

PROGRESS_MIN_BYTES = 64 << 20
"""Files at least this large get an info message and a progress bar."""

SNIFF_BYTES = 1 << 16


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


def _first_null_row(table: pa.Table) -> int | None:
    """Return the index of the first row with a null, which an empty value gives."""
    rows = [
        int(np.argmax(column.is_null().to_numpy(zero_copy_only=False)))
        for column in table.columns
        if column.null_count
    ]
    return min(rows) if rows else None


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
        null_row = _first_null_row(table)
        if null_row is not None:
            return block, null_row
        for index, column in enumerate(table.columns):
            block[:, index] = column.chunk(0).to_numpy()
        return block, _first_bad_row(block)


class _PieceParser:
    """Parses one piece of whole lines into a ``(rows, width)`` float32 array.

    Returns the array and the index of its first invalid row, or ``None``.
    polars parses first. A piece that it rejects is parsed again by Arrow,
    whose verdict is final, and so is a piece that gives a null (an empty
    value, an empty line or a short row). Counting the lines of a piece took
    0.04 s per 64 MB against 0.08-0.10 s for the parse, so it is done only
    with a polars that skips empty lines instead of reading rows of nulls.
    """

    def __init__(self, layout: Layout) -> None:
        import polars as pl

        self._pl = pl
        self.errors = (pl.exceptions.PolarsError,)
        self.arrow = _ArrowPieceParser(layout)
        self.schema = {name: pl.Float32 for name in layout.names}
        sample = pl.read_csv(b"0\n\n0\n", has_header=False, schema={"a": pl.Float32})
        self.count_lines = sample.height != 3

    def __call__(self, piece: memoryview) -> tuple[np.ndarray, int | None]:
        text = piece.tobytes()
        try:
            frame = self._pl.read_csv(
                text, has_header=False, schema=self.schema, quote_char='"',
                raise_if_empty=False,
            )
        except self.errors:
            return self.arrow(piece)
        if self.count_lines and frame.height != (
            text.count(b"\n") + (not text.endswith(b"\n"))
        ):
            return self.arrow(piece)
        if frame.null_count().sum_horizontal().item():
            return self.arrow(piece)
        block = frame.to_numpy()
        return block, _first_bad_row(block)


def _parse_rows(path: Path, layout: Layout, progress: tqdm | None) -> RowStore:
    """Parse the data rows of ``path``, a piece of whole lines at a time.

    polars parses each piece on all cores in a worker thread while
    python-isal inflates the next ones. Pieces are stored in file order, so row counts give exact
    line numbers.
    """
    parser = _PieceParser(layout)
    store = RowStore(layout.width)
    pending: deque[Future[tuple[np.ndarray, int | None]]] = deque()

    def store_oldest() -> None:
        try:
            block, bad_row = pending.popleft().result()
        except pa.ArrowInvalid as error:
            first_line = layout.line_of_row(store.rows)
            raise locate_invalid_value(path, layout, first_line, str(error)) from error
        if bad_row is not None:
            line = layout.line_of_row(store.rows + bad_row)
            message = "a missing, non-finite or invalid label value"
            raise locate_invalid_value(path, layout, line, message)
        store.append(block)

    try:
        with open_text(path, progress) as stream, ThreadPoolExecutor(
            1, thread_name_prefix="hepmass-csv"
        ) as pool:
            try:
                for piece in line_pieces(stream, PIECE_BYTES, layout.header_lines):
                    pending.append(pool.submit(parser, piece))
                    if len(pending) > PIECES_AHEAD:
                        store_oldest()
                while pending:
                    store_oldest()
            finally:
                for future in pending:
                    future.cancel()
    except DECOMPRESSION_ERRORS as error:
        raise decompression_error(path, error) from error
    return store


def parse_file(path: Path) -> tuple[Events, Layout]:
    """Parse a whole HEPMASS file into ``Events`` (masses snapped to the grid).

    Returns the layout found too, so the caller can report a header that
    disagrees with the rows.
    """
    first, second = _read_first_lines(path)
    layout = decide_layout(first, second, path)

    size = path.stat().st_size
    progress = None
    if size >= PROGRESS_MIN_BYTES:
        log.info("converting %s (%.0f MB) to float32; later reads use a cache",
                 path, size / 1e6)
        progress = tqdm(total=size, unit="B", unit_scale=True, desc=path.name,
                        leave=False)
    try:
        store = _parse_rows(path, layout, progress)
    finally:
        if progress is not None:
            progress.close()

    if store.rows == 0:
        raise DataFormatError(
            f"{path} has a header but no data rows; expected rows of "
            f"{layout.width} comma-separated numbers after the header line",
            path=path,
            line=2,
        )
    features, labels, mass = store.finish(layout.has_mass)
    log.debug("parsed %d rows of %d values from %s", len(labels), layout.width, path)
    events = Events(features=features, labels=labels, mass=mass, source=path)
    return events, layout
