"""Growing float32 storage for parsed rows, released chunk by chunk.

Rows land in chunks of ``CHUNK_ROWS`` rows, because the row count of a gzip
file is unknown until its end. Each chunk is larger than glibc's largest mmap
threshold (32 MiB on 64-bit systems), so malloc maps it on its own and returns
it to the system as soon as ``finish`` has copied it out. The peak is
therefore about one copy of the data plus one chunk, not two copies: reading
7M rows (812 MB of float32) peaked at 1.07 GB RSS in benchmarks/read_speed.py.
"""

from __future__ import annotations

import numpy as np

from hepmass.features import snap_masses

CHUNK_ROWS = 1 << 19


class RowStore:
    """Rows of ``width`` float32 values: label, 27 features and maybe the mass."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows = 0
        self._chunks: list[np.ndarray] = []

    def free_rows(self) -> tuple[np.ndarray, int]:
        """Return the last chunk, with room for at least one row, and the
        number of rows it already holds; write rows there, then call
        :meth:`advance`."""
        used = self.rows % CHUNK_ROWS
        if used == 0 and len(self._chunks) * CHUNK_ROWS == self.rows:
            self._chunks.append(np.empty((CHUNK_ROWS, self.width), np.float32))
        return self._chunks[-1], used

    def advance(self, count: int) -> None:
        """Count ``count`` rows written into the chunk from :meth:`free_rows`."""
        self.rows += count

    def append(self, block: np.ndarray) -> None:
        """Append rows given as a ``(rows, width)`` float32 array."""
        start = 0
        while start < len(block):
            chunk, used = self.free_rows()
            count = min(CHUNK_ROWS - used, len(block) - start)
            chunk[used : used + count] = block[start : start + count]
            self.rows += count
            start += count

    def finish(
        self, has_mass: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return ``(features, labels, mass)`` and release the chunks.

        Masses within 1 GeV of a published mass point are snapped onto it.
        """
        features = np.empty((self.rows, self.width - 1 - has_mass), np.float32)
        labels = np.empty(self.rows, np.float32)
        mass = np.empty(self.rows, np.float32) if has_mass else None
        for index in range(len(self._chunks)):
            chunk = self._chunks[index]
            start = index * CHUNK_ROWS
            stop = min(start + CHUNK_ROWS, self.rows)
            count = stop - start
            labels[start:stop] = chunk[:count, 0]
            features[start:stop] = chunk[:count, 1 : 1 + features.shape[1]]
            if mass is not None:
                mass[start:stop] = snap_masses(chunk[:count, -1])
            self._chunks[index] = None  # type: ignore[call-overload]
            del chunk
        self._chunks = []
        return features, labels, mass
