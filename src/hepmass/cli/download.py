"""The ``hepmass download`` command."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from hepmass.data.download import UCI_BASE_URL, VARIANT_FILES, download_variant

log = logging.getLogger(__name__)


@click.command()
@click.option(
    "--variant",
    type=click.Choice(list(VARIANT_FILES)),
    default="all",
    show_default=True,
    help="Which files to fetch: 'all' (masses 500 to 1500 GeV, with a mass "
    "column), 'not1000' (without 1000 GeV) or '1000' (1000 GeV only, no mass "
    "column). Each variant is a train and a test file.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Folder to save the files in; it is created if missing.",
)
@click.option(
    "--url",
    "base_url",
    default=UCI_BASE_URL,
    show_default=True,
    help="URL of the folder that contains the .csv.gz files; set it to use a "
    "mirror.",
)
def download(variant: str, directory: Path, base_url: str) -> None:
    """Download the UCI HEPMASS train and test files of one variant.

    Interrupted downloads resume from their .part file. Files with a published
    size and SHA-256 (all_train.csv.gz, all_test.csv.gz) are verified, and
    files already complete are skipped. all_train.csv.gz alone is 1.8 GB.
    """
    paths = download_variant(variant, directory, base_url)
    for path in paths:
        click.echo(str(path))
