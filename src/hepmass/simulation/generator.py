"""Pythia 8 set-up for the signal and background processes.

Signal is a Z'-like boson (PDG id 32) forced to t tbar; background is
Standard Model t tbar. In both, exactly one W decays to e or mu plus a
neutrino and the other to quarks (both charge combinations).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hepmass.errors import SimulationError
from hepmass.simulation.config import TOP_MASS

log = logging.getLogger(__name__)

MASS_WINDOW = 0.2
"""Half-width of the generated Z' mass window as a fraction of its mass.

The Z' width is about 3% of its mass (about 31 GeV at 1000 GeV), so the
window spans more than six widths on each side.
"""

COMMON_SETTINGS: tuple[str, ...] = (
    "Print:quiet = on",
    "Next:numberCount = 0",
    "Random:setSeed = on",
    # W decays restricted to quarks, e and mu (tau off); the hook below then
    # keeps events with exactly one leptonic W.
    "24:onMode = off",
    "24:onIfAny = 1 2 3 4 5 11 13",
)

FILTER_SETTINGS: tuple[str, ...] = (
    "ResonanceDecayFilter:filter = on",
    "ResonanceDecayFilter:exclusive = on",
    "ResonanceDecayFilter:mothers = 24",
    "ResonanceDecayFilter:daughters = 11 12 1 1",
    "ResonanceDecayFilter:eMuAsEquivalent = on",
    "ResonanceDecayFilter:allNuAsEquivalent = on",
    "ResonanceDecayFilter:udscAsEquivalent = on",
    "ResonanceDecayFilter:udscbAsEquivalent = on",
)


@dataclass(frozen=True)
class Process:
    """One generated process: background (mass None) or signal at ``mass`` GeV."""

    mass: float | None = None

    @property
    def is_signal(self) -> bool:
        return self.mass is not None

    @property
    def name(self) -> str:
        return f"signal_{self.mass:g}" if self.is_signal else "background"

    @property
    def code(self) -> int:
        """Whole number naming the process in seed derivation (mass in MeV, 0)."""
        return int(round(self.mass * 1000)) if self.is_signal else 0

    def settings(self, energy: float, mpi: bool, seed: int | None) -> list[str]:
        """Return every Pythia setting of this process, in the order applied.

        ``seed`` None leaves out the per-chunk seed (for the manifest).
        """
        lines = [f"Beams:eCM = {energy:g}", *COMMON_SETTINGS]
        if seed is not None:
            lines.append(f"Random:seed = {seed}")
        if not mpi:
            lines.append("PartonLevel:MPI = off")
        if self.is_signal:
            low = max(self.mass * (1 - MASS_WINDOW), 2 * TOP_MASS + 1.0)
            lines += [
                "NewGaugeBoson:ffbar2gmZZprime = on",
                "Zprime:gmZmode = 3",  # only the Z' term, no gamma*/Z interference
                f"32:m0 = {self.mass:g}",
                f"32:mMin = {low:g}",
                f"32:mMax = {self.mass * (1 + MASS_WINDOW):g}",
                "32:onMode = off",
                "32:onIfMatch = 6 -6",
            ]
        else:
            lines += ["Top:gg2ttbar = on", "Top:qqbar2ttbar = on"]
        return lines


def build_pythia(process: Process, energy: float, mpi: bool, seed: int):
    """Create and initialize a quiet Pythia for ``process``.

    Returns ``(pythia, hook)``; the caller must keep ``hook`` alive as long as
    ``pythia`` runs, because Pythia holds only a raw pointer to it.
    """
    import pythia8mc

    pythia = pythia8mc.Pythia("", False)
    # Creating the hook resets the ResonanceDecayFilter settings, so they are
    # read after it exists; otherwise the filter silently passes everything.
    hook = pythia8mc.ResonanceDecayFilterHook(pythia.settings)
    for line in process.settings(energy, mpi, seed) + list(FILTER_SETTINGS):
        if not pythia.readString(line):
            raise SimulationError(f"Pythia rejected the setting {line!r}")
    pythia.setUserHooksPtr(hook)

    if not pythia.init():
        raise SimulationError(
            f"Pythia failed to initialize {process.name} at {energy:g} GeV; "
            "run with -v for Pythia's own messages"
        )
    return pythia, hook


def semileptonic_fraction(pythia) -> float:
    """Return the fraction of t tbar decays that the W filter keeps.

    Pythia's cross section already includes the open W channels (quarks, e,
    mu) but not the hook's veto, so the filtered cross section is
    ``sigmaGen * fraction`` with ``fraction = 2 l h / (l + h)**2`` for open
    leptonic and hadronic branching ratios ``l`` and ``h``.
    """
    entry = pythia.particleData.particleDataEntryPtr(24)
    leptonic = hadronic = 0.0
    for i in range(entry.sizeChannels()):
        channel = entry.channel(i)
        if channel.onMode() == 0:
            continue
        products = {abs(channel.product(j)) for j in range(channel.multiplicity())}
        if products & {11, 13}:
            leptonic += channel.bRatio()
        elif products <= {1, 2, 3, 4, 5}:
            hadronic += channel.bRatio()
    return 2 * leptonic * hadronic / (leptonic + hadronic) ** 2


def versions() -> dict[str, str]:
    """Return the versions of Pythia and FastJet in use."""
    from importlib.metadata import version

    return {"pythia8mc": version("pythia8mc"), "fastjet": version("fastjet"),
            "awkward": version("awkward")}
