"""The ``hepmass`` command group and its logging set-up."""

from __future__ import annotations

import logging
import sys

import click

from hepmass import __version__
from hepmass.errors import HepmassError
from hepmass.progress import set_quiet

log = logging.getLogger(__name__)


class _Group(click.Group):
    """A click group that prints hepmass errors as one line, without a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HepmassError as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hepmass")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log more detail: once for debug messages from hepmass.",
)
@click.option("-q", "--quiet", is_flag=True,
              help="Log warnings and errors only, and draw no progress bars.")
def main(verbose: int, quiet: bool) -> None:
    """Separate HEPMASS signal events (X -> t tbar) from Standard Model t tbar.

    Run "hepmass run" to train the baseline network on the bundled sample and
    write its analysis, or "hepmass COMMAND --help" for one step.
    """
    level = logging.INFO
    if verbose:
        level = logging.DEBUG
    if quiet:
        level = logging.WARNING
    set_quiet(quiet)
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    logging.captureWarnings(True)
    # mplhep's styles list fallback font families that are rarely installed;
    # matplotlib's search for them is noise, not a problem with the figures.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def _register() -> None:
    from hepmass.cli.download import download
    from hepmass.cli.compare import compare
    from hepmass.cli.evaluate import evaluate
    from hepmass.cli.export import export
    from hepmass.cli.predict import predict
    from hepmass.cli.run import run
    from hepmass.cli.simulate import simulate
    from hepmass.cli.train import train

    for command in (
        run, train, evaluate, predict, compare, export, download, simulate
    ):
        main.add_command(command)


_register()
