"""Output files: UCI-format csv.gz, Parquet in physical units, standardization."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import numpy as np

from hepmass.features import LABEL_COLUMN, MASS_COLUMN, PHYSICAL_NAMES, UCI_HEADER

log = logging.getLogger(__name__)

STANDARDIZATION_FILE = "standardization.json"


def standardization(features: np.ndarray) -> dict:
    """Return per-feature mean and standard deviation (physical units).

    A feature that is constant in the sample gets a standard deviation of 1
    so that z-scoring leaves it at 0 instead of dividing by zero.
    """
    mean = features.mean(axis=0)
    std = features.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return {
        "features": list(PHYSICAL_NAMES),
        "mean": [float(x) for x in mean],
        "std": [float(x) for x in std],
        "n_events": int(len(features)),
    }


def write_standardization(path: Path, constants: dict) -> None:
    """Write the standardization constants as JSON."""
    path.write_text(json.dumps(constants, indent=2) + "\n")
    log.debug("wrote %s", path)


def zscore(features: np.ndarray, constants: dict) -> np.ndarray:
    """Return float32 z-scores of physical ``features`` with ``constants``."""
    mean = np.asarray(constants["mean"])
    std = np.asarray(constants["std"])
    return ((features - mean) / std).astype(np.float32)


def write_uci(
    path: Path, features: np.ndarray, labels: np.ndarray, mass: np.ndarray,
    constants: dict,
) -> None:
    """Write events in the UCI layout: header, then label, z-scored f0..f26, mass.

    Labels and masses are printed with six decimals (``1.000000``), the
    features as float32 values at full float64 precision, as in the
    published files. The gzip header carries no time stamp or name, so the
    same events give byte-identical files.
    """
    scores = zscore(features, constants).astype(np.float64)
    with open(path, "wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6
    ) as stream:
        stream.write((UCI_HEADER + "\n").encode())
        lines = []
        for label, row, m in zip(labels, scores.tolist(), mass):
            values = ",".join(map(repr, row))
            lines.append(f"{label:.6f},{values},{m:.6f}\n")
            if len(lines) == 4096:
                stream.write("".join(lines).encode())
                lines = []
        stream.write("".join(lines).encode())
    log.debug("wrote %s (%d events)", path, len(labels))


def write_parquet(
    path: Path, features: np.ndarray, labels: np.ndarray, mass: np.ndarray
) -> None:
    """Write events in physical units (GeV, radians), one column per meaning."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: features[:, i].astype(np.float64)
               for i, name in enumerate(PHYSICAL_NAMES)}
    columns[LABEL_COLUMN] = labels.astype(np.float32)
    columns[MASS_COLUMN] = mass.astype(np.float32)
    pq.write_table(pa.table(columns), path)
    log.debug("wrote %s (%d events)", path, len(labels))


def read_parquet(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read ``(features, labels, mass)`` written by :func:`write_parquet`."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    features = np.stack(
        [table[name].to_numpy().astype(np.float64) for name in PHYSICAL_NAMES], axis=1
    )
    return (features, table[LABEL_COLUMN].to_numpy(), table[MASS_COLUMN].to_numpy())
