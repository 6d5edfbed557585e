"""Opening plain and gzip-compressed HEPMASS files as byte streams.

Gzip files are decompressed by python-isal in a background thread
(``isal.igzip_threaded``), which is faster than zlib (benchmarks/read_speed.py
measures both) and releases the GIL, so the CSV parser runs while the next
block is inflated.
"""

from __future__ import annotations

import gzip
import io
import logging
import queue
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from isal import igzip, igzip_threaded, isal_zlib
from tqdm import tqdm

from hepmass.errors import DataFormatError

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"

DECOMPRESSION_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, isal_zlib.error)
"""Exceptions that a damaged or truncated gzip stream raises while reading."""


def is_gzip(path: Path) -> bool:
    """Tell from the first two bytes whether ``path`` is gzip-compressed."""
    with open(path, "rb") as handle:
        magic = handle.read(2)
    # An empty file is reported as empty by the reader, whatever its suffix.
    if path.suffix == ".gz" and magic and magic != GZIP_MAGIC:
        raise DataFormatError(
            f"{path} ends in .gz but is not gzip-compressed (it starts with "
            f"{magic!r}, not {GZIP_MAGIC!r}); rename it to .csv if it is plain "
            "text, or fetch the file again",
            path=path,
        )
    return magic == GZIP_MAGIC


class _CountingReader(io.RawIOBase):
    """A raw file that advances a progress bar by the bytes read from disk."""

    def __init__(self, handle: BinaryIO, progress: tqdm) -> None:
        super().__init__()
        self._handle = handle
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._handle.readinto(buffer)
        self._progress.update(count)
        return count


@contextmanager
def open_text(
    path: Path, progress: tqdm | None = None, *, threaded: bool = True
) -> Iterator[BinaryIO]:
    """Open ``path`` for reading its decompressed bytes; close it on exit.

    With ``progress``, the bar advances by the bytes read from disk, which for
    a gzip file are compressed bytes. ``threaded`` inflates a gzip file in a
    thread of python-isal's, at most 2 MiB ahead of the reader; without it,
    the calling thread inflates (for callers that read from a thread of their
    own, see :func:`read_ahead`).
    """
    compressed = is_gzip(path)
    with open(path, "rb") as raw:
        source: BinaryIO = raw
        if progress is not None:
            counting = _CountingReader(raw, progress)
            source = io.BufferedReader(counting)  # type: ignore[assignment]
        if not compressed:
            yield source
            return
        if threaded:
            with igzip_threaded.open(source, "rb", threads=1) as stream:
                yield stream
        else:
            with igzip.open(source, "rb") as stream:
                yield stream


def decompression_error(path: Path, error: Exception) -> DataFormatError:
    """Build the error for a gzip stream that failed to decompress."""
    if isinstance(error, EOFError):
        problem = ("the gzip stream ends early (the file is truncated, or has "
                   "stray bytes after its end)")
    else:
        problem = f"the gzip stream is damaged ({error})"
    return DataFormatError(
        f"{path}: {problem}; fetch the file again (hepmass download resumes and "
        "verifies downloads)",
        path=path,
    )


def line_pieces(
    stream: BinaryIO, piece_bytes: int, skip_lines: int = 0
) -> Iterator[memoryview]:
    """Split a byte stream into pieces of whole lines, about ``piece_bytes`` each.

    The first ``skip_lines`` lines are dropped. A last line without a newline
    forms the last piece. Each piece is a read-only view of its own buffer.
    """
    carry = b""
    while True:
        data = stream.read(piece_bytes)
        if not data:
            break
        piece = carry + data if carry else data
        while skip_lines and piece:
            end = piece.find(b"\n")
            if end < 0:
                break
            piece = piece[end + 1 :]
            skip_lines -= 1
        cut = piece.rfind(b"\n") + 1
        carry = piece[cut:]
        if cut:
            yield memoryview(piece)[:cut]
    if carry and not skip_lines:
        yield memoryview(carry)


_STOP_POLL_SECONDS = 0.05


def read_ahead(
    open_pieces: Callable[[], Iterator[memoryview]], depth: int
) -> Iterator[memoryview]:
    """Yield the pieces of ``open_pieces()``, made in a thread of their own.

    The thread runs up to ``depth`` pieces ahead of the caller, so reading and
    inflating a file overlap with the work on each piece as long as both
    release the GIL. An exception in the thread is raised in the caller at
    the piece where it happened. When the caller stops early, the thread
    stops too and closes what ``open_pieces`` opened.
    """
    pieces: queue.Queue[tuple[memoryview | None, BaseException | None]] = (
        queue.Queue(depth)
    )
    stop = threading.Event()

    def offer(item: tuple[memoryview | None, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                pieces.put(item, timeout=_STOP_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for piece in open_pieces():
                if not offer((piece, None)):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            offer((None, error))
            return
        offer((None, None))

    worker = threading.Thread(target=produce, name="hepmass-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            piece, error = pieces.get()
            if error is not None:
                raise error
            if piece is None:
                return
            yield piece
    finally:
        stop.set()
        worker.join()
