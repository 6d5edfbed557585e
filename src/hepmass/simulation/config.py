"""Settings of one simulation run and their validation.

The checks run before Pythia starts, so an invalid request costs no generation.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from hepmass.errors import ConfigurationError

log = logging.getLogger(__name__)

TOP_MASS = 172.5
"""Top-quark mass in GeV for the 2 m_t threshold and the reconstruction.

NOTE: Pythia 8.317 generates with its default ``6:m0 = 173.0``; the 0.5 GeV
difference is well below the reconstructed top-mass resolution.
"""

W_MASS = 80.385
"""W-boson mass in GeV; Pythia 8.317's default ``24:m0``."""

PYTHIA_SEED_MAX = 900_000_000
"""Largest seed Pythia accepts (``Random:seed`` runs from 1 to 900,000,000)."""

ENERGY_PER_MASS = 1.2
"""The collision energy must exceed this multiple of every signal mass.

The parton luminosity, and with it the signal rate, falls to zero as the mass
approaches the collision energy.
"""

DEFAULT_CHUNK_SIZE = 500
"""Generated events per seeded chunk; the chunking fixes which events a seed gives."""


@dataclass(frozen=True)
class SimulationConfig:
    """One request to ``hepmass simulate``.

    Attributes:
        masses: signal masses in GeV, each above twice the top mass.
        signal_events: selected signal events per mass (after the selection).
        background_events: selected background events in total.
        out: output folder.
        seed: base seed; every chunk's seeds derive from it.
        workers: processes that generate in parallel.
        shard: ``(index, count)``, index counted from 1.
        energy: proton-proton centre-of-mass energy in GeV.
        mpi: multiparton interactions on (Pythia's default) or off.
        test_fraction: fraction of each class written to ``test.csv.gz``;
            0 writes one ``events.csv.gz``.
        chunk_size: generated events per seeded chunk.
        force: write into a non-empty ``out``.
        command_line: the command that started the run, for the manifest.
    """

    masses: tuple[float, ...]
    signal_events: int
    background_events: int
    out: Path
    seed: int = 42
    workers: int = 1
    shard: tuple[int, int] = (1, 1)
    energy: float = 14000.0
    mpi: bool = True
    test_fraction: float = 0.0
    chunk_size: int = DEFAULT_CHUNK_SIZE
    force: bool = False
    command_line: str = ""

    def shard_share(self, total: int) -> int:
        """Return this shard's share of ``total``; earlier shards take the remainder."""
        index, count = self.shard
        return total // count + (1 if index - 1 < total % count else 0)


def parse_shard(text: str) -> tuple[int, int]:
    """Parse ``K/N`` into ``(K, N)`` with 1 <= K <= N."""
    parts = text.split("/")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ConfigurationError(
            f"--shard must look like K/N with whole numbers, for example 3/10; "
            f"got {text!r}"
        )
    index, count = int(parts[0]), int(parts[1])
    if count < 1 or not 1 <= index <= count:
        raise ConfigurationError(
            f"--shard {text}: the shard index must run from 1 to the shard count "
            f"{count}; got index {index}"
        )
    return index, count


def validate_config(config: SimulationConfig) -> None:
    """Raise ConfigurationError for any setting that cannot work.

    Runs before any event is generated, so a typo costs nothing.
    """
    _check_masses(config.masses, config.energy)
    _check_counts(config)
    _check_out(config.out, config.force)

    if not 0 <= config.seed < 2**63:
        raise ConfigurationError(
            f"--seed must be a whole number from 0 to 2**63 - 1; got {config.seed}"
        )
    if config.workers < 1:
        raise ConfigurationError(
            f"--workers must be at least 1; got {config.workers}"
        )
    parse_shard(f"{config.shard[0]}/{config.shard[1]}")
    if not 0.0 <= config.test_fraction < 1.0:
        raise ConfigurationError(
            f"--test-fraction must be at least 0 and below 1; "
            f"got {config.test_fraction}"
        )
    if config.chunk_size < 10:
        raise ConfigurationError(
            f"the chunk size must be at least 10 generated events; "
            f"got {config.chunk_size}"
        )


def _check_masses(masses: tuple[float, ...], energy: float) -> None:
    if not masses:
        raise ConfigurationError("--masses needs at least one signal mass in GeV")
    if not math.isfinite(energy) or energy <= 0:
        raise ConfigurationError(
            f"--energy must be a positive number of GeV; got {energy}"
        )
    for mass in masses:
        if not math.isfinite(mass) or mass <= 2 * TOP_MASS:
            raise ConfigurationError(
                f"signal mass {mass} GeV cannot decay to a top pair: it must exceed "
                f"2 x {TOP_MASS} = {2 * TOP_MASS} GeV"
            )
    _check_energy(masses, energy)
    if len(set(masses)) != len(masses):
        raise ConfigurationError(f"--masses lists a mass twice: {list(masses)}")


def _check_energy(masses: tuple[float, ...], energy: float) -> None:
    """Raise unless ``energy`` exceeds ENERGY_PER_MASS times every mass."""
    too_heavy = [mass for mass in masses if ENERGY_PER_MASS * mass >= energy]
    if not too_heavy:
        return
    plural = "es" if len(too_heavy) > 1 else ""
    listed = ", ".join(f"{mass:g}" for mass in too_heavy)
    needed = ENERGY_PER_MASS * max(too_heavy)
    mass_limit = energy / ENERGY_PER_MASS
    message = (
        f"signal mass{plural} {listed} GeV {'are' if plural else 'is'} too close "
        f"to the collision energy "
        f"{energy:g} GeV: the collision energy must exceed {ENERGY_PER_MASS:g} "
        f"times each signal mass. Raise --energy above {needed:g} GeV"
    )
    if mass_limit > 2 * TOP_MASS:
        message += f", or use signal masses below {mass_limit:g} GeV."
    else:
        lowest_energy = ENERGY_PER_MASS * 2 * TOP_MASS
        message += (
            f". Lowering the masses cannot help at {energy:g} GeV, because a "
            f"signal mass must exceed {2 * TOP_MASS:g} GeV and so needs a "
            f"collision energy above {lowest_energy:g} GeV."
        )
    raise ConfigurationError(message)


def _check_counts(config: SimulationConfig) -> None:
    for name, value in (
        ("--signal-events", config.signal_events),
        ("--background-events", config.background_events),
    ):
        if value < 1:
            raise ConfigurationError(
                f"{name} must be a positive number of selected events; got {value}"
            )
    _, count = config.shard
    if min(config.signal_events, config.background_events) < count:
        raise ConfigurationError(
            f"{count} shards need at least {count} events of each process; got "
            f"{config.signal_events} signal and {config.background_events} "
            "background events"
        )
    if config.test_fraction > 0:
        smallest = min(config.shard_share(config.signal_events),
                       config.shard_share(config.background_events))
        if round(config.test_fraction * smallest) < 1:
            raise ConfigurationError(
                f"--test-fraction {config.test_fraction} of {smallest} events "
                "leaves the test file without events of some process; "
                "ask for more events or a larger fraction"
            )


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigurationError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ConfigurationError(
            f"--out {out} is not empty; choose a new folder or pass --force "
            "to overwrite the files in it"
        )
