"""Growing float32 columns for parsed rows, released chunk by chunk.

Rows land in chunks of ``CHUNK_ROWS`` rows, because the row count of a gzip
file is unknown until its end. Each chunk holds the labels, the features and
the masses as separate contiguous arrays, so that ``finish`` joins them with
plain block copies. The feature block of a chunk is larger than glibc's
largest mmap threshold (32 MiB), so malloc maps it on its own and returns it
to the system as soon as ``finish`` has copied it out. The peak is therefore
about one copy of the data plus one chunk, not two copies: reading 7M rows
(812 MB of float32) peaked at 1.07 GB RSS in benchmarks/read_speed.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepmass.features import MASS_POINTS, snap_masses

CHUNK_ROWS = 1 << 19

SNAP_POINTS = np.asarray(MASS_POINTS, dtype=np.float32)
"""The mass points that masses are snapped onto as they are stored."""


@dataclass
class Chunk:
    """``CHUNK_ROWS`` rows; ``mass`` is empty for files without a mass column."""

    labels: np.ndarray
    features: np.ndarray
    mass: np.ndarray


class RowStore:
    """Rows of a label, ``n_features`` features and maybe the mass."""

    def __init__(self, n_features: int, has_mass: bool) -> None:
        self.n_features = n_features
        self.has_mass = has_mass
        self.rows = 0
        self._chunks: list[Chunk] = []

    def free_rows(self) -> tuple[Chunk, int]:
        """Return the last chunk, with room for at least one row, and the
        number of rows it already holds; write rows there, then call
        :meth:`advance`. Masses written there must be snapped already."""
        used = self.rows % CHUNK_ROWS
        if used == 0 and len(self._chunks) * CHUNK_ROWS == self.rows:
            self._chunks.append(Chunk(
                labels=np.empty(CHUNK_ROWS, np.float32),
                features=np.empty((CHUNK_ROWS, self.n_features), np.float32),
                mass=np.empty(CHUNK_ROWS if self.has_mass else 0, np.float32),
            ))
        return self._chunks[-1], used

    def advance(self, count: int) -> None:
        """Count ``count`` rows written into the chunk from :meth:`free_rows`."""
        self.rows += count

    def append(self, block: np.ndarray) -> None:
        """Append rows given as a ``(rows, width)`` float32 array: the label,
        the features, then the mass (snapped here) if the file has one."""
        start = 0
        while start < len(block):
            chunk, used = self.free_rows()
            count = min(CHUNK_ROWS - used, len(block) - start)
            rows = block[start : start + count]
            chunk.labels[used : used + count] = rows[:, 0]
            chunk.features[used : used + count] = rows[:, 1 : 1 + self.n_features]
            if self.has_mass:
                chunk.mass[used : used + count] = snap_masses(rows[:, -1])
            self.rows += count
            start += count

    def finish(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return ``(features, labels, mass)`` and release the chunks."""
        features = np.empty((self.rows, self.n_features), np.float32)
        labels = np.empty(self.rows, np.float32)
        mass = np.empty(self.rows, np.float32) if self.has_mass else None
        for index in range(len(self._chunks)):
            chunk = self._chunks[index]
            start = index * CHUNK_ROWS
            count = min(CHUNK_ROWS, self.rows - start)
            labels[start : start + count] = chunk.labels[:count]
            features[start : start + count] = chunk.features[:count]
            if mass is not None:
                mass[start : start + count] = chunk.mass[:count]
            self._chunks[index] = None  # type: ignore[call-overload]
            del chunk
        self._chunks = []
        return features, labels, mass
