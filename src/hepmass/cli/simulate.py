"""The ``hepmass simulate`` command: make HEPMASS-format events with Pythia 8."""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path

import click

from hepmass.errors import ConfigurationError
from hepmass.features import MASS_POINTS

log = logging.getLogger(__name__)

_MULTI_VALUE_OPTIONS = ("--masses",)


class _SimulateGroup(click.Group):
    """A group whose own options generate events, with ``merge`` as a subcommand.

    ``--masses 500 750`` takes several values, which click options cannot;
    the values are joined into ``--masses=500,750`` before parsing.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        joined: list[str] = []
        i = 0
        while i < len(args):
            if args[i] in _MULTI_VALUE_OPTIONS:
                values = []
                i += 1
                while i < len(args) and not args[i].startswith("--") and (
                    args[i] not in self.commands
                ):
                    values.append(args[i])
                    i += 1
                joined.append(f"{args[i - len(values) - 1]}={','.join(values)}")
            else:
                joined.append(args[i])
                i += 1
        return super().parse_args(ctx, joined)


def _parse_masses(ctx, param, value: str | None) -> tuple[float, ...]:
    if value is None:
        return MASS_POINTS
    try:
        return tuple(float(v) for v in value.replace(",", " ").split())
    except ValueError:
        raise click.BadParameter(
            f"masses must be numbers in GeV, for example 500 750 1000; got {value!r}"
        ) from None


@click.group(
    "simulate", cls=_SimulateGroup, invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--masses", callback=_parse_masses, metavar="GEV...",
              help="Signal masses in GeV, each above 345 GeV (twice the top mass). "
              "Default: 500 750 1000 1250 1500.")
@click.option("--signal-events", type=int,
              help="Selected signal events per mass (events that pass the "
              "selection, not generated events). Required.")
@click.option("--background-events", type=int,
              help="Selected background (t tbar) events in total. Required.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Output folder; it must be new or empty unless --force. Required.")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Base seed; the same seed and event counts give the same files.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Processes generating in parallel, each with its own Pythia.")
@click.option("--shard", default="1/1", show_default=True, metavar="K/N",
              help="Make shard K of N: its share of the events, with seeds "
              "disjoint from the other shards. Join shards with 'simulate merge'.")
@click.option("--energy", type=float, default=14000.0, show_default=True,
              help="Proton-proton collision energy in GeV.")
@click.option("--no-mpi", is_flag=True,
              help="Switch multiparton interactions off (about 4 times faster, "
              "less realistic); recorded in the manifest.")
@click.option("--test-fraction", type=float, default=0.0, show_default=True,
              help="Fraction of each process written to test.csv.gz (the rest to "
              "train.csv.gz), with one standardization; 0 writes events.csv.gz.")
@click.option("--chunk-size", type=int, default=500, show_default=True,
              help="Generated events per seeded chunk. Changing it changes the events.")
@click.option("--force", is_flag=True,
              help="Overwrite the outputs in a non-empty --out.")
@click.pass_context
def simulate(ctx: click.Context, **options) -> None:
    """Generate HEPMASS-format events: X -> t tbar signal and t tbar background.

    Pythia 8 generates the events (semileptonic t tbar, shower, MPI and
    hadronization on), a fast detector model smears them and the HEPMASS
    selection keeps events with one isolated lepton and at least four jets.
    Writes train/test (or events) .csv.gz in the UCI layout, the same events
    as Parquet in GeV, standardization.json, manifest.json and
    validation.png. Example:

    \b
        hepmass simulate --masses 500 1000 --signal-events 1000
        --background-events 2000 --out sim --workers 2
    """
    if ctx.invoked_subcommand is not None:
        return
    from hepmass.simulation.config import SimulationConfig, parse_shard
    from hepmass.simulation.production import simulate as run_simulation

    for name in ("signal_events", "background_events", "out"):
        if options[name] is None:
            raise ConfigurationError(
                f"--{name.replace('_', '-')} is required to generate events; "
                "see 'hepmass simulate --help'"
            )
    config = SimulationConfig(
        masses=options["masses"],
        signal_events=options["signal_events"],
        background_events=options["background_events"],
        out=options["out"],
        seed=options["seed"],
        workers=options["workers"],
        shard=parse_shard(options["shard"]),
        energy=options["energy"],
        mpi=not options["no_mpi"],
        test_fraction=options["test_fraction"],
        chunk_size=options["chunk_size"],
        force=options["force"],
        command_line=shlex.join(["hepmass", *sys.argv[1:]]),
    )
    record = run_simulation(config)
    for process in record["processes"]:
        log.info("%s: %d generated, %d selected (efficiency %.3f), %.4g pb",
                 process["process"], process["events_generated"],
                 process["events_selected"], process["selection_efficiency"],
                 process["cross_section_pb"])


@simulate.command("merge")
@click.argument("shards", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Folder for the merged sample; new or empty unless --force.")
@click.option("--force", is_flag=True,
              help="Overwrite the outputs in a non-empty --out.")
@click.option("--allow-partial", is_flag=True,
              help="Merge even when shards of the production are missing. The "
              "merged manifest.json lists them under missing_shards.")
def merge(shards: tuple[Path, ...], out: Path, force: bool, allow_partial: bool) -> None:
    """Join shard folders made with --shard K/N into one sample.

    All N shards must be given unless --allow-partial. The standardization is
    computed again over the union of all shards.
    """
    from hepmass.simulation.merge import merge_shards

    merge_shards(list(shards), out, force, allow_partial=allow_partial)
