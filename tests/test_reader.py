"""Tests of read_events on small HEPMASS-layout files written to disk."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pytest

from hepmass.data import read_events
from hepmass.data import parse as parse_module
from hepmass.data import rows as rows_module
from hepmass.errors import ConfigurationError, DataFormatError, LayoutWarning
from hepmass.features import UCI_HEADER

HEADER_1000 = UCI_HEADER.removesuffix(", f26, mass")
LONG_VALUE = "-0.57368200016021729"


def make_rows(
    count: int, with_mass: bool = True, value: str = "0.25"
) -> list[list[str]]:
    """Return ``count`` rows of text values: alternating labels, masses 500..1500."""
    masses = ["499.999969", "750", "1000", "1250", "1500"]
    rows = []
    for index in range(count):
        row = ["1.000000" if index % 2 else "0.000000"]
        row += [value] * 26 + [str(index)]
        if with_mass:
            row.append(masses[index % 5])
        rows.append(row)
    return rows


def write_file(
    path: Path, rows: list[list[str]], header: str | None = UCI_HEADER
) -> Path:
    lines = ([header] if header is not None else []) + [",".join(r) for r in rows]
    text = ("\n".join(lines) + "\n").encode()
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text))
    else:
        path.write_bytes(text)
    return path


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the parser cut files into pieces of 50 kB, so tests span many."""
    monkeypatch.setattr(parse_module, "PIECE_BYTES", 50_000)


@pytest.mark.parametrize("name", ["all_train.csv", "all_train.csv.gz"])
def test_reader_all_variant(tmp_path: Path, name: str) -> None:
    path = write_file(tmp_path / name, make_rows(10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events = read_events(path, cache=False)

    assert len(events) == 10
    assert events.features.dtype == np.float32
    assert events.features.shape == (10, 27)
    assert events.labels.tolist() == [0.0, 1.0] * 5
    assert events.mass is not None
    assert events.mass[:5].tolist() == [500.0, 750.0, 1000.0, 1250.0, 1500.0]
    assert events.features[:, 26].tolist() == list(range(10))
    assert events.features[0, 0] == np.float32(0.25)
    assert events.source == path


def test_reader_full_precision_text(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.csv", make_rows(3, value=LONG_VALUE))
    events = read_events(path, cache=False)
    assert events.features[0, 0] == np.float32(-0.573682)


def test_reader_short_labels(tmp_path: Path) -> None:
    rows = make_rows(4)
    for row in rows:
        row[0] = row[0][:3]
    path = write_file(tmp_path / "a.csv", rows)
    assert read_events(path, cache=False).labels.tolist() == [0, 1, 0, 1]


def test_reader_1000_variant(tmp_path: Path) -> None:
    path = write_file(tmp_path / "1000_train.csv.gz", make_rows(6, False), HEADER_1000)
    with pytest.warns(LayoutWarning, match=r"1000_train.csv.gz: the header names 27 "
                      r"columns but the rows have 28 values"):
        events = read_events(path, cache=False)

    assert events.mass is None
    assert events.features.shape == (6, 27)
    assert events.features[:, 26].tolist() == list(range(6))


def test_reader_1000_test_extra_column(tmp_path: Path) -> None:
    path = write_file(tmp_path / "1000_test.csv", make_rows(5), HEADER_1000)
    with pytest.warns(LayoutWarning, match="names 27 columns but the rows have 29"):
        events = read_events(path, cache=False)

    assert events.mass is not None
    assert events.mass.tolist() == [500.0, 750.0, 1000.0, 1250.0, 1500.0]
    assert events.features[:, 26].tolist() == list(range(5))


def test_reader_without_header(tmp_path: Path) -> None:
    path = write_file(tmp_path / "a.csv", make_rows(3), header=None)
    events = read_events(path, cache=False)
    assert len(events) == 3


def test_reader_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    lines = [UCI_HEADER] + [",".join(row) for row in make_rows(3)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    assert read_events(path, cache=False).features[:, 26].tolist() == [0, 1, 2]


# (row index, column index, replacement text, column name, message pattern)
INVALID_VALUES = [
    (0, 3, "", "f2", "the value is missing"),
    (4, 28, "", "mass", "the value is missing"),
    (2, 5, "abc", "f4", "'abc' is not a number"),
    (3, 1, "nan", "f0", "'nan' is NaN, but every value must be a finite number"),
    (1, 7, "-inf", "f6", "'-inf' is infinite"),
    (3, 2, "1e39", "f1", "'1e39' is outside the float32 range"),
    (2, 0, "2.0", "label", "the label is '2.0', but it must be 0"),
    (1, 0, "0.5", "label", "the label is '0.5'"),
]


@pytest.mark.parametrize(("row", "column", "text", "name", "problem"), INVALID_VALUES)
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_reader_invalid_value(
    tmp_path: Path, row: int, column: int, text: str, name: str, problem: str,
    suffix: str,
) -> None:
    rows = make_rows(6)
    rows[row][column] = text
    path = write_file(tmp_path / f"bad{suffix}", rows)
    line = row + 2
    with pytest.raises(DataFormatError, match=f"bad{suffix}, line {line}, column "
                       f"{name}: {problem}.*correct or remove that line") as caught:
        read_events(path, cache=False)

    assert caught.value.line == line
    assert caught.value.column == name
    assert caught.value.value == text


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_reader_error_line_beyond_first_piece(tmp_path: Path, suffix: str) -> None:
    rows = make_rows(6000, value=LONG_VALUE)
    rows[4321][10] = "x1"
    path = write_file(tmp_path / f"big{suffix}", rows)
    with pytest.raises(DataFormatError, match="line 4323, column f9: 'x1' is not a"):
        read_events(path, cache=False)


@pytest.mark.usefixtures("small_pieces")
def test_reader_null_line_beyond_first_piece(tmp_path: Path) -> None:
    rows = make_rows(6000, value=LONG_VALUE)
    rows[5999][27] = ""
    path = write_file(tmp_path / "big.csv", rows)
    with pytest.raises(DataFormatError, match="line 6001, column f26: the value is"):
        read_events(path, cache=False)


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize(
    ("width", "found"),
    [(28, ", column mass: the row has 28 values"), (30, ": the row has 30 values")],
)
def test_reader_row_of_wrong_width(tmp_path: Path, width: int, found: str) -> None:
    rows = make_rows(5000, value=LONG_VALUE)
    rows[3000] = (rows[3000] + ["1"])[:width]
    path = write_file(tmp_path / "rows.csv.gz", rows)
    with pytest.raises(DataFormatError, match=f"line 3002{found}, but the rows "
                       "of this file have 29"):
        read_events(path, cache=False)


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("line", [4, 2500, 3002])
def test_reader_empty_line(tmp_path: Path, line: int) -> None:
    path = tmp_path / "gap.csv"
    lines = [UCI_HEADER] + [",".join(row) for row in make_rows(3000)]
    lines.insert(line - 1, "")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=f"gap.csv, line {line}: the line is "
                       "empty, but every line after the header must hold 29"):
        read_events(path, cache=False)


def test_reader_first_row_of_odd_width(tmp_path: Path) -> None:
    rows = [row[:20] for row in make_rows(3)]
    path = write_file(tmp_path / "odd.csv", rows)
    with pytest.raises(DataFormatError, match=r"odd.csv, line 2: the row has 20 values"
                       r", but a HEPMASS row has 28 .* or 29"):
        read_events(path, cache=False)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_reader_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(gzip.compress(b"") if suffix == ".csv.gz" else b"")
    with pytest.raises(DataFormatError, match=f"empty{suffix} is empty; expected a "
                       "header line"):
        read_events(path, cache=False)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_reader_header_only(tmp_path: Path, suffix: str) -> None:
    path = write_file(tmp_path / f"head{suffix}", [])
    with pytest.raises(DataFormatError, match=f"head{suffix} has a header but no "
                       "data rows"):
        read_events(path, cache=False)


@pytest.mark.usefixtures("small_pieces")
def test_reader_truncated_gzip(tmp_path: Path) -> None:
    whole = write_file(tmp_path / "whole.csv.gz", make_rows(3000, value=LONG_VALUE))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DataFormatError, match=r"cut.csv.gz: the gzip stream ends "
                       r"early \(the file is truncated, or has stray bytes after "
                       r"its end\); fetch the file again"):
        read_events(path, cache=False)


def test_reader_not_gzip(tmp_path: Path) -> None:
    path = write_file(tmp_path / "plain.csv", make_rows(3))
    renamed = path.rename(tmp_path / "plain.csv.gz")
    with pytest.raises(DataFormatError, match=r"plain.csv.gz ends in .gz but is not "
                       r"gzip-compressed \(it starts with b'# '"):
        read_events(renamed, cache=False)


def test_reader_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"data file not found: .*missing.csv;"
                       " pass the path"):
        read_events(tmp_path / "missing.csv", cache=False)


def test_reader_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="is not a file"):
        read_events(tmp_path, cache=False)


@pytest.mark.usefixtures("small_pieces")
def test_reader_rows_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows_module, "CHUNK_ROWS", 1000)
    path = write_file(tmp_path / "chunks.csv", make_rows(4500, value=LONG_VALUE))
    events = read_events(path, cache=False)
    assert events.features[:, 26].tolist() == list(range(4500))
    assert events.labels.tolist() == [0.0, 1.0] * 2250
    assert events.mass is not None
    assert events.mass[-5:].tolist() == [500.0, 750.0, 1000.0, 1250.0, 1500.0]


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("row", [999, 1000, 3001])
def test_reader_error_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: int
) -> None:
    monkeypatch.setattr(rows_module, "CHUNK_ROWS", 1000)
    rows = make_rows(4500, value=LONG_VALUE)
    rows[row][0] = "3"
    path = write_file(tmp_path / "chunks.csv", rows)
    with pytest.raises(DataFormatError, match=f"line {row + 2}, column label: the "
                       "label is '3'"):
        read_events(path, cache=False)


@pytest.mark.usefixtures("small_pieces")
def test_reader_many_pieces_in_order(tmp_path: Path) -> None:
    path = write_file(tmp_path / "order.csv.gz", make_rows(3000, value=LONG_VALUE))
    events = read_events(path, cache=False)
    assert events.features[:, 26].tolist() == list(range(3000))


def test_reader_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "open_end.csv"
    lines = [UCI_HEADER] + [",".join(row) for row in make_rows(3)]
    path.write_text("\n".join(lines))
    assert read_events(path, cache=False).features[:, 26].tolist() == [0, 1, 2]


def test_reader_spaces_and_quotes(tmp_path: Path) -> None:
    rows = make_rows(3)
    rows[0][1] = " 1.5"
    rows[1][2] = '"2.5"'
    rows[2][0] = '"1.0"'
    rows[2][3] = ' "3.5" '
    path = write_file(tmp_path / "spaced.csv", rows)
    with pytest.raises(DataFormatError, match="""line 4, column f2: '"3.5"' is not"""):
        read_events(path, cache=False)

    rows[2][3] = "3.5 "
    events = read_events(write_file(path, rows), cache=False)
    assert events.features[0, 0] == 1.5
    assert events.features[1, 1] == 2.5
    assert events.features[2, 2] == 3.5
    assert events.labels[2] == 1.0


def test_reader_damaged_gzip_stream(tmp_path: Path) -> None:
    path = write_file(tmp_path / "flip.csv.gz", make_rows(20_000))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match="gzip stream is damaged|ends early"):
        read_events(path, cache=False)


def test_reader_empty_gz_file_is_reported_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv.gz"
    path.write_bytes(b"")
    with pytest.raises(DataFormatError, match="empty.csv.gz is empty"):
        read_events(path, cache=False)


@pytest.mark.usefixtures("small_pieces")
def test_reader_first_bad_line_of_piece(tmp_path: Path) -> None:
    rows = make_rows(3000)
    rows[8][3] = "inf"
    rows[38][4] = "nan"
    path = write_file(tmp_path / "two.csv", rows)
    with pytest.raises(DataFormatError, match="line 10, column f2: 'inf' is infinite"):
        read_events(path, cache=False)


def test_reader_cuts_a_long_bad_value_short(tmp_path: Path) -> None:
    rows = make_rows(5)
    rows[2][6] = "x" * 100_000
    path = write_file(tmp_path / "long.csv", rows)
    with pytest.raises(DataFormatError) as raised:
        read_events(path, cache=False)
    message = str(raised.value)
    assert len(message) < 400
    assert "(100,000 characters)" in message


def test_reader_names_a_non_breaking_space(tmp_path: Path) -> None:
    rows = make_rows(5)
    rows[2][6] = "\u00a01.5"
    path = write_file(tmp_path / "nbsp.csv", rows)
    with pytest.raises(DataFormatError, match=r"line 4, column f5: '\\xa01.5' is not "):
        read_events(path, cache=False)
