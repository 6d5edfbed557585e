"""Finding the exact line and column of an invalid value.

The fast parser only reports that a block of rows is invalid. These helpers
re-read the text from a line known to come before the problem and check each
value with the same rules, so the error names the line, the column and the
value as written in the file.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

from hepmass.data.layout import Layout
from hepmass.data.stream import DECOMPRESSION_ERRORS, decompression_error, open_text
from hepmass.errors import DataFormatError

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
FLOAT32_MAX = 3.4028234663852886e38
_FIX = "correct or remove that line and read the file again"


_SHOWN_CHARACTERS = 40
"""Characters of a bad value quoted in a message; longer values are cut."""


def _shown(value: str) -> str:
    """Return ``repr(value)``, cut short for a long value."""
    if len(value) <= _SHOWN_CHARACTERS:
        return repr(value)
    return f"{value[:_SHOWN_CHARACTERS]!r}... ({len(value):,} characters)"


def _row_error(path: Path, line: int, column: str | None, value: str | None,
               problem: str) -> DataFormatError:
    where = f"{path}, line {line}" + (f", column {column}" if column else "")
    return DataFormatError(
        f"{where}: {problem}; {_FIX}", path=path, line=line, column=column,
        value=value,
    )


def _unquote(value: str) -> str:
    """Strip the quotes of a quoted value and the spaces around it.

    This matches Arrow's CSV reader, which takes a value as quoted only when
    its first character is a double quote.
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    # Arrow trims only spaces and tabs, not other Unicode whitespace.
    return value.strip(" \t")


def _describe_non_number(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return f"{_shown(value)} is not a number"
    if math.isnan(number):
        return f"{_shown(value)} is NaN, but every value must be a finite number"
    if math.isinf(number):
        return f"{_shown(value)} is infinite, but every value must be a finite number"
    return f"{_shown(value)} is not a plain decimal number"


def check_row(text: str, line: int, layout: Layout, path: Path) -> None:
    """Raise ``DataFormatError`` for the first invalid value of one row."""
    if not text.strip():
        raise _row_error(
            path, line, None, text,
            f"the line is empty, but every line after the header must hold "
            f"{layout.width} comma-separated numbers (empty lines are not skipped, "
            "so that line numbers stay exact)",
        )
    values = text.split(",")
    if len(values) != layout.width:
        # A short row is reported at its first missing column.
        column = layout.names[len(values)] if len(values) < layout.width else None
        raise _row_error(
            path, line, column, text[:80],
            f"the row has {len(values)} values, but the rows of this file have "
            f"{layout.width} ({', '.join(layout.names[:2])}, ..., {layout.names[-1]})",
        )

    for name, value in zip(layout.names, values):
        number = _unquote(value)
        if number == "":
            raise _row_error(path, line, name, value, "the value is missing")
        if not _NUMBER.fullmatch(number):
            raise _row_error(path, line, name, value, _describe_non_number(number))
        if abs(float(number)) > FLOAT32_MAX:
            raise _row_error(
                path, line, name, value, f"{_shown(value)} is outside the float32 range"
            )
    if float(_unquote(values[0])) not in (0.0, 1.0):
        raise _row_error(
            path, line, layout.names[0], values[0],
            f"the label is {_shown(values[0])}, but it must be 0 (background) or 1 "
            "(signal)",
        )


def locate_invalid_value(path: Path, layout: Layout, first_line: int,
                         parser_message: str) -> DataFormatError:
    """Return the error for the first invalid row at or after ``first_line``.

    ``parser_message`` describes the problem in case no row breaks these rules,
    which would mean the fast parser rejected a value that they accept.
    """
    log.debug("searching %s for an invalid value from line %d", path, first_line)
    try:
        with open_text(path) as stream:
            for number, raw in enumerate(stream, start=1):
                if number < first_line:
                    continue
                text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                check_row(text, number, layout, path)
    except DECOMPRESSION_ERRORS as error:
        return decompression_error(path, error)
    except DataFormatError as error:
        return error

    return DataFormatError(
        f"{path}: the CSV parser rejected a row at or after line {first_line} "
        f"({parser_message}); check the file near that line",
        path=path,
        line=first_line,
    )
