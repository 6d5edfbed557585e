"""Per-column standardization fitted on the training split only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hepmass.errors import ModelError


@dataclass(frozen=True)
class Standardizer:
    """Shift and scale each input column to mean 0 and standard deviation 1.

    Columns with zero spread (a constant column in a small sample) keep a
    scale of 1, so they map to 0 instead of dividing by zero.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, inputs: np.ndarray, chunk_rows: int = 1 << 20) -> Standardizer:
        """Fit on ``inputs`` of shape (n, d), accumulating in float64 by chunk.

        Accumulating chunk by chunk keeps the float64 temporaries small on
        files with millions of rows.
        """
        n, d = inputs.shape
        if n == 0:
            raise ModelError("cannot fit a standardization on zero events")
        total = np.zeros(d)
        total_sq = np.zeros(d)
        for start in range(0, n, chunk_rows):
            block = inputs[start : start + chunk_rows].astype(np.float64)
            total += block.sum(axis=0)
            total_sq += np.square(block).sum(axis=0)
        mean = total / n
        variance = np.maximum(total_sq / n - mean**2, 0.0)
        scale = np.sqrt(variance)
        scale[scale < 1e-12] = 1.0
        return cls(mean.astype(np.float32), scale.astype(np.float32))

    def transform(self, inputs: np.ndarray) -> np.ndarray:
        """Return standardized float32 inputs (a new array)."""
        if inputs.shape[1] != len(self.mean):
            raise ModelError(
                f"the standardization was fitted on {len(self.mean)} columns, "
                f"got {inputs.shape[1]}"
            )
        out = np.subtract(inputs, self.mean, dtype=np.float32)
        out /= self.scale
        return out
