"""The ``hepmass`` command line: one small module per command."""

from hepmass.cli.main import main

__all__ = ["main"]
