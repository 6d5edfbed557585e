"""Tests of the download against an HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from hepmass.cli.download import download
from hepmass.data.download import Checksum, download_variant
from hepmass.errors import ConfigurationError, DownloadError

FILES = {
    "all_train.csv.gz": bytes(range(256)) * 40,
    "all_test.csv.gz": b"test file contents " * 300,
    "1000_train.csv.gz": b"a" * 5000,
    "1000_test.csv.gz": b"b" * 3000,
}


def checksum_of(data: bytes) -> Checksum:
    return Checksum(len(data), hashlib.sha256(data).hexdigest())


CHECKSUMS = {name: checksum_of(data) for name, data in FILES.items()}


class FileServer(ThreadingHTTPServer):
    """Serves ``FILES``, honouring Range requests unless ``ranges`` is off."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.ranges = True
        self.cut_after: int | None = None
        self.range_shift = 0
        self.requests: list[tuple[str, str | None]] = []
        self.sent_bytes = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hepmass/"


class _Handler(BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:  # noqa: N802 (name fixed by http.server)
        name = self.path.rsplit("/", 1)[-1]
        requested = self.headers.get("Range")
        self.server.requests.append((name, requested))
        if name not in FILES:
            self.send_error(404)
            return
        data = FILES[name]
        start = 0
        if requested and self.server.ranges:
            start = int(requested.removeprefix("bytes=").rstrip("-"))
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            start += self.server.range_shift
            last = len(data) - 1
            self.send_header("Content-Range", f"bytes {start}-{last}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        stop = len(data) if self.server.cut_after is None else self.server.cut_after
        # Counted before sending: the client may finish reading before this
        # thread runs again.
        self.server.sent_bytes += stop - start
        self.wfile.write(data[start:stop])
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FileServer]:
    server = FileServer()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_download_full_variant(server: FileServer, tmp_path: Path) -> None:
    paths = download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert paths == [tmp_path / "all_train.csv.gz", tmp_path / "all_test.csv.gz"]
    for path in paths:
        assert path.read_bytes() == FILES[path.name]
    assert not list(tmp_path.glob("*.part"))
    assert server.requests == [("all_train.csv.gz", None), ("all_test.csv.gz", None)]


def test_download_resumes_partial_file(server: FileServer, tmp_path: Path) -> None:
    data = FILES["all_train.csv.gz"]
    (tmp_path / "all_train.csv.gz.part").write_bytes(data[:4000])
    download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)

    assert (tmp_path / "all_train.csv.gz").read_bytes() == data
    assert server.requests[0] == ("all_train.csv.gz", "bytes=4000-")
    assert server.sent_bytes == len(data) - 4000 + len(FILES["all_test.csv.gz"])


def test_download_interrupted_then_resumed(
    server: FileServer, tmp_path: Path
) -> None:
    data = FILES["all_train.csv.gz"]
    server.cut_after = 3000
    with pytest.raises(DownloadError, match=r"the transfer of .*all_train.csv.gz "
                       r"(ended after 3000 of 10240 bytes|failed \(.*\)); the partial "
                       r"file .*all_train.csv.gz.part is kept, so run the command "
                       "again to resume"):
        download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert (tmp_path / "all_train.csv.gz.part").read_bytes() == data[:3000]

    server.cut_after = None
    download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert (tmp_path / "all_train.csv.gz").read_bytes() == data
    assert server.requests[-2] == ("all_train.csv.gz", "bytes=3000-")


def test_download_server_ignores_range(server: FileServer, tmp_path: Path) -> None:
    server.ranges = False
    data = FILES["all_train.csv.gz"]
    (tmp_path / "all_train.csv.gz.part").write_bytes(b"x" * 4000)
    download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)

    assert (tmp_path / "all_train.csv.gz").read_bytes() == data
    assert server.requests[0] == ("all_train.csv.gz", "bytes=4000-")


def test_download_range_mismatch(server: FileServer, tmp_path: Path) -> None:
    server.range_shift = 100
    part = tmp_path / "all_train.csv.gz.part"
    part.write_bytes(FILES["all_train.csv.gz"][:4000])
    with pytest.raises(DownloadError, match=r"the server sent .*all_train.csv.gz from "
                       r"byte 4100 when asked for byte 4000; delete .*all_train.csv."
                       "gz.part and run the command again"):
        download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert part.stat().st_size == 4000


def test_download_part_already_whole(server: FileServer, tmp_path: Path) -> None:
    data = FILES["all_test.csv.gz"]
    (tmp_path / "all_test.csv.gz.part").write_bytes(data)
    download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert (tmp_path / "all_test.csv.gz").read_bytes() == data


def test_download_checksum_mismatch(server: FileServer, tmp_path: Path) -> None:
    wrong = dict(CHECKSUMS)
    wrong["all_train.csv.gz"] = Checksum(len(FILES["all_train.csv.gz"]), "0" * 64)
    with pytest.raises(DownloadError, match=r"the SHA-256 of .*all_train.csv.gz.part "
                       r"is [0-9a-f]{64}, but the published one is 0{64}; the file "
                       "was removed"):
        download_variant("all", tmp_path, server.url, checksums=wrong)

    assert not (tmp_path / "all_train.csv.gz.part").exists()
    assert not (tmp_path / "all_train.csv.gz").exists()


def test_download_size_mismatch(server: FileServer, tmp_path: Path) -> None:
    wrong = {"all_train.csv.gz": Checksum(99, "0" * 64)}
    with pytest.raises(DownloadError, match=r"has 10240 bytes, but the published "
                       "size is 99; the file was removed"):
        download_variant("all", tmp_path, server.url, checksums=wrong)


def test_download_skips_verified_files(server: FileServer, tmp_path: Path) -> None:
    for name in ("all_train.csv.gz", "all_test.csv.gz"):
        (tmp_path / name).write_bytes(FILES[name])
    download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert server.requests == []


def test_download_replaces_corrupt_file(server: FileServer, tmp_path: Path) -> None:
    (tmp_path / "all_test.csv.gz").write_bytes(b"corrupt")
    download_variant("all", tmp_path, server.url, checksums=CHECKSUMS)
    assert (tmp_path / "all_test.csv.gz").read_bytes() == FILES["all_test.csv.gz"]


def test_download_unknown_checksum_logged(
    server: FileServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hepmass.data.download"):
        download_variant("1000", tmp_path, server.url, checksums={})
    assert "no published size or SHA-256 for 1000_train.csv.gz" in caplog.text
    assert (tmp_path / "1000_test.csv.gz").read_bytes() == FILES["1000_test.csv.gz"]


def test_download_missing_file(server: FileServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match=r"the server returned HTTP 404 .* for "
                       r"http://.*/not1000_train.csv.gz; check the base URL"):
        download_variant("not1000", tmp_path, server.url, checksums={})


def test_download_unreachable_server(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(DownloadError, match=r"could not connect to http://127.0.0.1:"
                       r".*all_train.csv.gz \(.*refused.*\)\. If this machine has no "
                       r"network access, fetch the files by other means and put them "
                       r"in .*: all_train.csv.gz, all_test.csv.gz\. Then 'hepmass run "
                       r"--train .*all_train.csv.gz' reads them"):
        download_variant("all", tmp_path, url, timeout=2.0)


def test_download_unknown_variant(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown variant '2000'; choose one "
                       "of all, not1000, 1000"):
        download_variant("2000", tmp_path)


def test_download_command(server: FileServer, tmp_path: Path) -> None:
    target = tmp_path / "files"
    result = CliRunner().invoke(
        download, ["--variant", "1000", "--dir", str(target), "--url", server.url]
    )
    assert result.exit_code == 0, result.output
    assert (target / "1000_train.csv.gz").read_bytes() == FILES["1000_train.csv.gz"]
    assert str(target / "1000_test.csv.gz") in result.output


def test_download_command_rejects_variant(tmp_path: Path) -> None:
    result = CliRunner().invoke(download, ["--variant", "500", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "'500' is not one of 'all', 'not1000', '1000'" in result.output


def test_download_rejects_an_address_without_scheme(tmp_path):
    from hepmass.data.download import download_variant
    from hepmass.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="is not an http://, https:// or file://"):
        download_variant("1000", tmp_path, "notaurl")
