"""Column layout of a HEPMASS file, decided from its rows rather than its header.

The UCI ``1000`` files name one column fewer in the header than each row
holds, and ``1000_test`` rows may carry one trailing value more than
``1000_train`` rows, so the header alone cannot be trusted. A row of 28 values
is the label and 27 features; a row of 29 values adds the mass.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from hepmass.errors import DataFormatError, LayoutWarning
from hepmass.features import FEATURE_COLUMNS, LABEL_COLUMN, MASS_COLUMN

log = logging.getLogger(__name__)

WIDTH_WITHOUT_MASS = 1 + len(FEATURE_COLUMNS)
WIDTH_WITH_MASS = WIDTH_WITHOUT_MASS + 1


@dataclass(frozen=True)
class Layout:
    """Columns of the data rows, and the header line if there is one."""

    has_mass: bool
    header_lines: int
    header_columns: int | None = None
    """Number of names in the header line; ``None`` for a file without one."""

    @property
    def width(self) -> int:
        return WIDTH_WITH_MASS if self.has_mass else WIDTH_WITHOUT_MASS

    @property
    def names(self) -> tuple[str, ...]:
        names = (LABEL_COLUMN, *FEATURE_COLUMNS)
        return (*names, MASS_COLUMN) if self.has_mass else names

    def line_of_row(self, row: int) -> int:
        """Return the 1-based line number of the 0-based data row ``row``."""
        return self.header_lines + row + 1


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def decide_layout(first_line: str, second_line: str | None, path: Path) -> Layout:
    """Decide the layout from the first two lines of a file.

    The first line is a header unless every field in it is a number. The
    width of the first data row decides whether a mass column is present.
    """
    header = [name.strip() for name in first_line.split(",")]
    has_header = not all(_is_number(name) for name in header)
    row_text = second_line if has_header else first_line
    if row_text is None:
        raise DataFormatError(
            f"{path} has a header but no data rows; expected rows of "
            f"{WIDTH_WITHOUT_MASS} or {WIDTH_WITH_MASS} comma-separated numbers "
            "after the header line",
            path=path,
            line=2,
        )

    width = len(row_text.split(","))
    row_line = 2 if has_header else 1
    if width not in (WIDTH_WITHOUT_MASS, WIDTH_WITH_MASS):
        raise DataFormatError(
            f"{path}, line {row_line}: the row has {width} values, but a HEPMASS "
            f"row has {WIDTH_WITHOUT_MASS} (label, f0..f26) or {WIDTH_WITH_MASS} "
            "(label, f0..f26, mass); check that this is a HEPMASS file",
            path=path,
            line=row_line,
        )

    if not has_header:
        log.debug("%s has no header line; reading from line 1", path)
    return Layout(
        has_mass=width == WIDTH_WITH_MASS,
        header_lines=int(has_header),
        header_columns=len(header) if has_header else None,
    )


def warn_if_header_disagrees(layout: Layout, path: Path) -> None:
    """Emit a ``LayoutWarning`` when the header names more or fewer columns than
    the rows have values (the UCI ``1000`` files do)."""
    if layout.header_columns is None or layout.header_columns == layout.width:
        return
    columns = "label, f0..f26" + (", mass" if layout.has_mass else "")
    warnings.warn(
        f"{path}: the header names {layout.header_columns} columns but the rows "
        f"have {layout.width} values; reading {layout.width} values a row as "
        f"{columns}",
        LayoutWarning,
        stacklevel=3,
    )
