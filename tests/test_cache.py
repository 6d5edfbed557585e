"""Tests of the float32 cache that read_events keeps of parsed files."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from hepmass.data import cache as event_cache
from hepmass.data import read_events
from hepmass.errors import LayoutWarning
from test_reader import HEADER_1000, make_rows, write_file

CACHE_LOGGER = "hepmass.data.cache"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_file(tmp_path / "all_train.csv.gz", make_rows(20))


def cache_files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_cache_written_then_used(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "cache"
    caplog.set_level(logging.DEBUG, logger=CACHE_LOGGER)
    first = read_events(source, cache_dir=directory)
    assert "wrote cache" in caplog.text
    assert len(cache_files(directory)) == 1

    caplog.clear()
    second = read_events(source, cache_dir=directory)
    assert "from cache" in caplog.text
    assert np.array_equal(first.features, second.features)
    assert np.array_equal(first.labels, second.labels)
    assert np.array_equal(first.mass, second.mass)
    assert second.features.flags.writeable
    assert second.features.flags.c_contiguous
    assert second.source == source


def test_cache_without_mass_column(tmp_path: Path) -> None:
    path = write_file(tmp_path / "1000.csv", make_rows(7, False), HEADER_1000)
    with pytest.warns(LayoutWarning, match="names 27 columns but the rows have 28"):
        read_events(path, cache_dir=tmp_path / "cache")
    # A read from the cache logs the difference instead of warning again.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events = read_events(path, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").iterdir())) == 1
    assert events.mass is None
    assert events.features[:, 26].tolist() == list(range(7))


def test_cache_disabled_writes_nothing(source: Path, tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    read_events(source, cache=False, cache_dir=directory)
    assert not directory.exists()


def test_cache_dir_from_environment(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEPMASS_CACHE_DIR", str(tmp_path / "from_env"))
    read_events(source)
    assert len(cache_files(tmp_path / "from_env")) == 1


def test_cache_dir_default_home(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEPMASS_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    read_events(source)
    assert len(cache_files(tmp_path / "home" / ".cache" / "hepmass")) == 1


def test_cache_rebuilt_after_file_changes(source: Path, tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    read_events(source, cache_dir=directory)
    rows = make_rows(21)
    rows[0][1] = "7.5"
    write_file(source, rows)
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    events = read_events(source, cache_dir=directory)
    assert len(events) == 21
    assert events.features[0, 0] == 7.5
    assert len(cache_files(directory)) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_cache_damaged_file_rebuilt(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    directory = tmp_path / "cache"
    expected = read_events(source, cache_dir=directory)
    cached = event_cache.cache_path(source, directory)
    content = cached.read_bytes()
    if damage == "garbage":
        cached.write_bytes(b"not an arrow file" * 100)
    elif damage == "truncated":
        cached.write_bytes(content[: len(content) // 2])
    else:
        cached.write_bytes(b"")

    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        events = read_events(source, cache_dir=directory)
    assert "is unreadable" in caplog.text
    assert "rebuilding it" in caplog.text
    assert np.array_equal(events.features, expected.features)
    assert cached.read_bytes() == content


def test_cache_interrupted_write_leaves_nothing(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def fail_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    directory = tmp_path / "cache"
    monkeypatch.setattr(event_cache.os, "replace", fail_replace)
    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        events = read_events(source, cache_dir=directory)
    assert len(events) == 20
    assert "could not write the cache" in caplog.text
    assert "disk full" in caplog.text
    assert cache_files(directory) == []


def test_cache_dir_not_writable(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        events = read_events(source, cache_dir=blocker / "cache")
    assert len(events) == 20
    assert "reads stay uncached" in caplog.text


def test_cache_key_is_resolved_path(source: Path, tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    link = tmp_path / "link.csv.gz"
    link.symlink_to(source)
    read_events(source, cache_dir=directory)
    read_events(link, cache_dir=directory)
    assert event_cache.cache_path(link, directory) == event_cache.cache_path(
        source, directory
    )
    assert len(cache_files(directory)) == 1


def test_cache_of_many_batches_and_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hepmass.data import parse as parse_module
    from hepmass.data import rows as rows_module

    path = write_file(tmp_path / "all.csv.gz", make_rows(2000))
    reference = read_events(path, cache=False)
    # Tiny cache batches, tiny pieces, a store sized far too small: the rows
    # spill into many blocks, and the cache holds many record batches.
    monkeypatch.setattr(parse_module, "CACHE_BATCH_ROWS", 7)
    monkeypatch.setattr(parse_module, "PIECE_BYTES", 5_000)
    monkeypatch.setattr(parse_module, "GZIP_RATIO_BOUND", 0.01)
    monkeypatch.setattr(rows_module, "CHUNK_ROWS", 100)
    directory = tmp_path / "cache"
    parsed = read_events(path, cache_dir=directory)
    cached = read_events(path, cache_dir=directory)
    batches = event_cache._column_offsets(event_cache.cache_path(path, directory))[1]
    assert len(batches) > 20
    # The rows were joined from several blocks into arrays of their own.
    assert parsed.features.base is None
    assert sum(count for count, _ in batches) == 2000
    for events in (parsed, cached):
        np.testing.assert_array_equal(events.features, reference.features)
        np.testing.assert_array_equal(events.labels, reference.labels)
        np.testing.assert_array_equal(events.mass, reference.mass)


def test_cache_not_kept_when_the_read_fails(tmp_path: Path) -> None:
    from hepmass.errors import DataFormatError

    rows = make_rows(3000)
    rows[2900][5] = "nan"
    path = write_file(tmp_path / "bad.csv", rows)
    directory = tmp_path / "cache"
    with pytest.raises(DataFormatError, match="line 2902, column f4"):
        read_events(path, cache_dir=directory)
    assert cache_files(directory) == []


def test_cache_with_flipped_bytes_rebuilt(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "cache"
    expected = read_events(source, cache_dir=directory)
    cached = event_cache.cache_path(source, directory)
    content = bytearray(cached.read_bytes())
    # Overwrite feature values in the middle of the data with 0xff (NaN).
    start = content.index(expected.features[5].tobytes())
    content[start : start + 16] = b"\xff" * 16
    cached.write_bytes(bytes(content))
    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        events = read_events(source, cache_dir=directory)
    assert "does not match its checksum" in caplog.text
    np.testing.assert_array_equal(events.features, expected.features)
