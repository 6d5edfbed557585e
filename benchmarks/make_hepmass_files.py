"""Write large files in the HEPMASS layout for the reader benchmarks.

The values imitate the UCI files in form, not in physics: float32 values
printed with 17 significant digits (``-0.57368200016021729``), labels as
``1.000000``, the 500 GeV mass as ``499.999969``. Rows are assembled from
pools of pre-formatted strings with Arrow string kernels, so a million rows
take seconds instead of the minutes that per-value formatting would take.
Compression uses python-isal at level 3, which is faster than zlib's level 6
but gives a slightly larger file than the UCI gzip files would.

Usage::

    python benchmarks/make_hepmass_files.py --rows 1000000 --out benchmarks/data
"""

from __future__ import annotations

import time
from pathlib import Path

import click
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from isal import igzip_threaded

N_FEATURES = 27
DISCRETE = (5, 9, 13, 17, 21)
BTAG_VALUES = (-0.573682, 1.743123)
JET_COUNT_VALUES = (-1.0, 0.0, 1.0, 2.0)
MASS_TEXT = ("499.999969", "750", "1000", "1250", "1500")
POOL_SIZE = 1 << 16
CHUNK_ROWS = 100_000


def _format(values: np.ndarray) -> pa.Array:
    """Format float32 values at float64 precision, as the UCI files do."""
    return pa.array(["%.17g" % float(v) for v in values.astype(np.float32)])


def _pools(rng: np.random.Generator) -> list[pa.Array]:
    """Build one pool of value strings per feature column."""
    continuous = _format(rng.standard_normal(POOL_SIZE))
    btag = _format(np.array(BTAG_VALUES))
    jets = _format(np.array(JET_COUNT_VALUES))
    pools = []
    for column in range(N_FEATURES):
        if column == 5:
            pools.append(jets)
        elif column in DISCRETE:
            pools.append(btag)
        else:
            pools.append(continuous)
    return pools


def _chunk_text(
    rng: np.random.Generator, rows: int, pools: list[pa.Array], with_mass: bool
) -> pa.Buffer:
    """Return ``rows`` lines of text, newline-terminated, as one Arrow buffer."""
    labels = pa.array(["0.000000", "1.000000"])
    columns = [labels.take(pa.array(rng.integers(0, 2, rows)))]
    for pool in pools:
        columns.append(pool.take(pa.array(rng.integers(0, len(pool), rows))))
    if with_mass:
        masses = pa.array(MASS_TEXT)
        columns.append(masses.take(pa.array(rng.integers(0, len(MASS_TEXT), rows))))

    lines = pc.binary_join_element_wise(*columns, ",")
    lines = pc.binary_join_element_wise(lines, pa.scalar(""), "\n")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    start, stop = int(offsets[lines.offset]), int(offsets[lines.offset + rows])
    return lines.buffers()[2].slice(start, stop - start)


def _header(with_mass: bool) -> str:
    """Return the header line; the ``1000`` files name one column fewer than rows."""
    names = ["# label"] + [f"f{i}" for i in range(N_FEATURES)]
    if with_mass:
        names.append("mass")
    else:
        names.pop()
    return ", ".join(names) + "\n"


def write_file(path: Path, rows: int, variant: str, seed: int, gzip: bool) -> None:
    """Write ``rows`` events of ``variant`` to ``path``."""
    rng = np.random.default_rng(seed)
    pools = _pools(rng)
    with_mass = variant == "all"
    if gzip:
        handle = igzip_threaded.open(path, "wb", compresslevel=3, threads=1)
    else:
        handle = open(path, "wb")
    with handle:
        handle.write(_header(with_mass).encode())
        for start in range(0, rows, CHUNK_ROWS):
            count = min(CHUNK_ROWS, rows - start)
            handle.write(memoryview(_chunk_text(rng, count, pools, with_mass)))


@click.command()
@click.option("--rows", type=click.IntRange(min=1), required=True,
              help="Number of events (data rows) to write.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("benchmarks/data"), show_default=True,
              help="Folder to write into; it is created if missing.")
@click.option("--variant", type=click.Choice(["all", "1000"]), default="all",
              show_default=True,
              help="'all' writes 29 values a row (with mass); '1000' writes 28 "
              "values under a header that names 27 columns.")
@click.option("--plain", is_flag=True,
              help="Write an uncompressed .csv instead of .csv.gz.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random values.")
def main(rows: int, out_dir: Path, variant: str, plain: bool, seed: int) -> None:
    """Write ROWS events in the HEPMASS layout to OUT/VARIANT_ROWS.csv[.gz]."""
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".csv" if plain else ".csv.gz"
    path = out_dir / f"{variant}_{rows}{suffix}"
    began = time.perf_counter()
    write_file(path, rows, variant, seed, gzip=not plain)
    seconds = time.perf_counter() - began
    size = path.stat().st_size
    click.echo(f"{path}: {rows} rows, {size / 1e6:.1f} MB, {seconds:.1f} s")


if __name__ == "__main__":
    main()
