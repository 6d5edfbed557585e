"""Growing float32 columns for parsed rows.

The row count of a gzip file is unknown until its end, so rows land in
blocks. The first block is sized from an estimate of the row count (see
``hepmass.data.parse``) with room to spare. Its pages cost memory only once
rows are written to them, so the spare room is address space, not memory.
When the estimate holds, ``finish`` returns views of that one block and no
row is copied. Rows beyond it land in further blocks of ``CHUNK_ROWS`` rows,
which ``finish`` joins into new arrays, releasing each block as soon as it
is copied: the peak is then about one copy of the data plus one block.

Each block holds the labels, the features and the masses as separate
contiguous arrays, which the scanner and the cache write directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepmass.features import MASS_POINTS, snap_masses

CHUNK_ROWS = 1 << 19

SNAP_POINTS = np.asarray(MASS_POINTS, dtype=np.float32)
"""The mass points that masses are snapped onto as they are stored."""


@dataclass
class Block:
    """Room for rows; ``mass`` is empty for files without a mass column."""

    labels: np.ndarray
    features: np.ndarray
    mass: np.ndarray

    @classmethod
    def empty(cls, rows: int, n_features: int, has_mass: bool) -> Block:
        return cls(
            labels=np.empty(rows, np.float32),
            features=np.empty((rows, n_features), np.float32),
            mass=np.empty(rows if has_mass else 0, np.float32),
        )

    def head(self, rows: int) -> Block:
        """Return views of the first ``rows`` rows."""
        return Block(self.labels[:rows], self.features[:rows], self.mass[:rows])


class RowStore:
    """Rows of a label, ``n_features`` features and maybe the mass."""

    def __init__(self, n_features: int, has_mass: bool) -> None:
        self.n_features = n_features
        self.has_mass = has_mass
        self.rows = 0
        self._blocks: list[Block] = []
        self._starts: list[int] = []

    @property
    def reserved(self) -> bool:
        """Whether the first block exists."""
        return bool(self._blocks)

    def reserve(self, rows: int) -> None:
        """Size the first block for ``rows`` rows; call before any row is stored."""
        if self._blocks:
            raise RuntimeError("reserve() must come before the first row")
        self._add_block(max(1, rows))

    def _add_block(self, rows: int) -> None:
        self._blocks.append(Block.empty(rows, self.n_features, self.has_mass))
        self._starts.append(self.rows)

    def free_rows(self) -> tuple[Block, int]:
        """Return the last block, with room for at least one row, and the
        number of rows it already holds; write rows there, then call
        :meth:`advance`. Masses written there must be snapped already."""
        if not self._blocks:
            self._add_block(CHUNK_ROWS)
        block = self._blocks[-1]
        used = self.rows - self._starts[-1]
        if used == len(block.labels):
            self._add_block(CHUNK_ROWS)
            block, used = self._blocks[-1], 0
        return block, used

    def advance(self, count: int) -> None:
        """Count ``count`` rows written into the block from :meth:`free_rows`."""
        self.rows += count

    def rows_between(self, start: int, stop: int) -> list[Block]:
        """Return views of the stored rows ``start`` to ``stop``, one per block."""
        views = []
        for block, first in zip(self._blocks, self._starts):
            low, high = max(start, first), min(stop, first + len(block.labels))
            if low < high:
                views.append(Block(block.labels[low - first : high - first],
                                   block.features[low - first : high - first],
                                   block.mass[low - first : high - first]))
        return views

    def append(self, rows: np.ndarray) -> None:
        """Append rows given as a ``(rows, width)`` float32 array: the label,
        the features, then the mass (snapped here) if the file has one."""
        start = 0
        while start < len(rows):
            block, used = self.free_rows()
            count = min(len(block.labels) - used, len(rows) - start)
            part = rows[start : start + count]
            block.labels[used : used + count] = part[:, 0]
            block.features[used : used + count] = part[:, 1 : 1 + self.n_features]
            if self.has_mass:
                block.mass[used : used + count] = snap_masses(part[:, -1])
            self.rows += count
            start += count

    def finish(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return ``(features, labels, mass)`` and let go of the blocks."""
        if len(self._blocks) <= 1:
            block = (self._blocks[0] if self._blocks
                     else Block.empty(0, self.n_features, self.has_mass)).head(self.rows)
            self._blocks, self._starts = [], []
            return block.features, block.labels, block.mass if self.has_mass else None

        features = np.empty((self.rows, self.n_features), np.float32)
        labels = np.empty(self.rows, np.float32)
        mass = np.empty(self.rows, np.float32) if self.has_mass else None
        for index, first in enumerate(self._starts):
            block = self._blocks[index]
            count = min(len(block.labels), self.rows - first)
            labels[first : first + count] = block.labels[:count]
            features[first : first + count] = block.features[:count]
            if mass is not None:
                mass[first : first + count] = block.mass[:count]
            self._blocks[index] = None  # type: ignore[call-overload]
            del block
        self._blocks, self._starts = [], []
        return features, labels, mass
