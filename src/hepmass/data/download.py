"""Fetching the UCI HEPMASS files over HTTP(S), with resume and verification.

Each file is written to ``NAME.part`` first and renamed once its size and,
where published, its SHA-256 match. An interrupted transfer keeps the
``.part`` file, and the next run resumes it with an HTTP Range request. When
the server ignores Range, the download starts over.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from hepmass.errors import ConfigurationError, DownloadError
from hepmass.progress import bar_options

log = logging.getLogger(__name__)

UCI_BASE_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/00347/"
"""Folder of the HEPMASS files in the UCI Machine Learning Repository."""

VARIANT_FILES: dict[str, tuple[str, ...]] = {
    "all": ("all_train.csv.gz", "all_test.csv.gz"),
    "not1000": ("not1000_train.csv.gz", "not1000_test.csv.gz"),
    "1000": ("1000_train.csv.gz", "1000_test.csv.gz"),
}

CHUNK_BYTES = 1 << 20
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Checksum:
    """Published size in bytes and SHA-256 (hex) of a dataset file."""

    size: int
    sha256: str


KNOWN_CHECKSUMS: dict[str, Checksum] = {
    "all_train.csv.gz": Checksum(
        1_760_680_846,
        "52061273edbe84cbfff6cc5432a04366d3401c39baf80da99d9baf91e0165498",
    ),
    "all_test.csv.gz": Checksum(
        880_352_641,
        "eccba00f8d82c471c582ab629084103356f8dda637fad6d43f16a056673091b3",
    ),
}
"""Sizes and hashes of the files for which both have been published."""


def _check_variant(variant: str) -> tuple[str, ...]:
    if variant not in VARIANT_FILES:
        raise ConfigurationError(
            f"unknown variant {variant!r}; choose one of {', '.join(VARIANT_FILES)}"
        )
    return VARIANT_FILES[variant]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _offline_help(directory: Path, names: tuple[str, ...]) -> str:
    return (
        f"If this machine has no network access, fetch the files by other means "
        f"and put them in {directory}: {', '.join(names)}. Then "
        f"'hepmass run --train {directory / names[0]}' reads them."
    )


def _open(url: str, offset: int, timeout: float) -> http.client.HTTPResponse:
    """Send a GET for ``url``, asking for the bytes from ``offset`` on."""
    request = urllib.request.Request(url)
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    return urllib.request.urlopen(request, timeout=timeout)


def _range_start(response: http.client.HTTPResponse) -> int:
    """Return where a 206 response starts, from ``Content-Range: bytes A-B/N``."""
    content_range = response.headers.get("Content-Range", "")
    try:
        return int(content_range.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return -1


def _transfer(url: str, part: Path, timeout: float) -> None:
    """Write the remote file to ``part``, resuming from the bytes it has."""
    offset = part.stat().st_size if part.exists() else 0
    try:
        response = _open(url, offset, timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            log.info("%s already contains every byte of the remote file", part)
            return
        raise

    with response:
        start = _range_start(response) if response.status == 206 else 0
        if response.status == 206 and start != offset:
            raise DownloadError(
                f"the server sent {url} from byte {start} when asked for byte "
                f"{offset}; delete {part} and run the command again"
            )
        resumed = response.status == 206
        if offset and not resumed:
            log.info("the server ignored the range request; restarting %s", part.name)
            offset = 0
        elif offset:
            log.info("resuming %s from byte %d", part.name, offset)
        length = int(response.headers.get("Content-Length", 0)) or None
        total = offset + length if length is not None else None

        written = offset
        with open(part, "ab" if resumed else "wb") as sink, tqdm(
            total=total, initial=offset, unit="B", unit_scale=True,
            desc=part.name.removesuffix(".part"), leave=False, **bar_options(),
        ) as progress:
            while chunk := response.read(CHUNK_BYTES):
                sink.write(chunk)
                written += len(chunk)
                progress.update(len(chunk))

    if total is not None and written < total:
        raise DownloadError(
            f"the transfer of {url} ended after {written} of {total} bytes; "
            f"the partial file {part} is kept, so run the command again to resume"
        )


def _verify(part: Path, checksum: Checksum | None) -> None:
    """Check the size and SHA-256 of a finished download; remove it if wrong."""
    if checksum is None:
        log.info("no published size or SHA-256 for %s, so it is not verified",
                 part.name.removesuffix(".part"))
        return
    size = part.stat().st_size
    if size != checksum.size:
        part.unlink()
        raise DownloadError(
            f"{part} has {size} bytes, but the published size is {checksum.size}; "
            "the file was removed, so run the command again to fetch it anew"
        )
    found = _sha256(part)
    if found != checksum.sha256:
        part.unlink()
        raise DownloadError(
            f"the SHA-256 of {part} is {found}, but the published one is "
            f"{checksum.sha256}; the file was removed, so run the command again "
            "to fetch it anew"
        )


def _is_complete(target: Path, checksum: Checksum | None) -> bool:
    """Tell whether ``target`` exists and matches its published checksum."""
    if not target.is_file():
        return False
    if checksum is None:
        log.info("%s exists and no checksum is published for it; keeping it "
                 "unverified (delete it to fetch it again)", target)
        return True
    if target.stat().st_size == checksum.size and _sha256(target) == checksum.sha256:
        log.info("%s is complete and verified; skipping it", target)
        return True
    log.warning("%s does not match its published checksum; fetching it again",
                target)
    return False


def download_file(
    url: str,
    target: Path,
    checksum: Checksum | None,
    timeout: float = CONNECT_TIMEOUT_S,
) -> Path:
    """Download ``url`` to ``target`` through ``target.part``; return ``target``.

    Raises:
        DownloadError: the transfer or the verification failed. A partial
            download is kept for resuming; a complete one with the wrong size
            or SHA-256 is removed.
    """
    if _is_complete(target, checksum):
        return target

    part = target.with_name(target.name + ".part")
    log.info("downloading %s to %s", url, target)
    try:
        _transfer(url, part, timeout)
    except urllib.error.HTTPError as error:
        raise DownloadError(
            f"the server returned HTTP {error.code} {error.reason} for {url}; check "
            "the base URL (--url)"
        ) from error
    except (OSError, http.client.HTTPException) as error:
        if part.exists():
            raise DownloadError(
                f"the transfer of {url} failed ({error}); the partial file {part} "
                "is kept, so run the command again to resume"
            ) from error
        raise

    _verify(part, checksum)
    part.replace(target)
    log.info("saved %s", target)
    return target


def download_variant(
    variant: str,
    directory: Path,
    base_url: str = UCI_BASE_URL,
    *,
    checksums: dict[str, Checksum] | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
) -> list[Path]:
    """Download the train and test files of ``variant`` into ``directory``.

    Args:
        variant: ``all``, ``not1000`` or ``1000``.
        directory: folder for the files; created if missing.
        base_url: URL of the folder that contains the files.
        checksums: sizes and hashes to verify against, by file name; defaults
            to ``KNOWN_CHECKSUMS``.
        timeout: seconds to wait for a connection or for data.
    """
    names = _check_variant(variant)
    scheme = base_url.split("://", 1)[0].lower() if "://" in base_url else ""
    if scheme not in ("http", "https", "file"):
        raise ConfigurationError(
            f"--url {base_url!r} is not an http://, https:// or file:// address; "
            "give the address of the folder that holds the HEPMASS files"
        )
    checksums = KNOWN_CHECKSUMS if checksums is None else checksums
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)

    paths = []
    for name in names:
        url = base_url.rstrip("/") + "/" + name
        try:
            paths.append(download_file(url, directory / name, checksums.get(name),
                                       timeout))
        except (urllib.error.URLError, socket.timeout, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise DownloadError(
                f"could not connect to {url} ({reason}). "
                + _offline_help(directory, names)
            ) from error
    return paths
