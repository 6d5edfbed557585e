"""In-memory events: features, labels and hypothesis masses as float32 arrays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hepmass.errors import ConfigurationError
from hepmass.features import N_FEATURES


@dataclass(frozen=True)
class Events:
    """A set of events in the HEPMASS layout.

    Attributes:
        features: float32 array of shape ``(n, 27)``, columns f0 to f26.
        labels: float32 array of shape ``(n,)``, 1 for signal and 0 for
            background.
        mass: float32 array of shape ``(n,)`` with the hypothesis mass in GeV,
            or ``None`` for files without a mass column (the ``1000`` variant).
        source: the file the events came from, if any.
    """

    features: np.ndarray
    labels: np.ndarray
    mass: np.ndarray | None = None
    source: Path | None = None

    def __post_init__(self) -> None:
        n = len(self.labels)
        if self.features.ndim != 2 or self.features.shape[1] != N_FEATURES:
            raise ConfigurationError(
                f"features must have shape (n, {N_FEATURES}), "
                f"got {self.features.shape}"
            )
        if self.features.shape[0] != n:
            raise ConfigurationError(
                f"features have {self.features.shape[0]} rows but labels {n}"
            )
        if self.mass is not None and len(self.mass) != n:
            raise ConfigurationError(f"mass has {len(self.mass)} rows but labels {n}")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def has_mass(self) -> bool:
        return self.mass is not None

    @property
    def n_signal(self) -> int:
        return int(np.count_nonzero(self.labels == 1))

    def take(self, indices: np.ndarray) -> Events:
        """Return the events at ``indices`` (a copy)."""
        mass = self.mass[indices] if self.mass is not None else None
        return Events(self.features[indices], self.labels[indices], mass, self.source)

    def slice(self, start: int, stop: int) -> Events:
        """Return the events in rows ``start`` to ``stop`` (views, no copy)."""
        mass = self.mass[start:stop] if self.mass is not None else None
        return Events(
            self.features[start:stop], self.labels[start:stop], mass, self.source
        )

    def mass_points(self) -> np.ndarray:
        """Return the sorted distinct signal masses (empty without a mass column)."""
        if self.mass is None:
            return np.empty(0, dtype=np.float32)
        return np.unique(self.mass[self.labels == 1])


def stratified_split(
    events: Events, fraction: float, seed: int
) -> tuple[Events, Events]:
    """Split events into two parts, the second holding ``fraction`` of each class.

    Strata are the label and, where present, the mass, so both parts keep the
    class balance and the mix of mass points. The rows of ``events`` are
    reordered in place, the held-out rows moved to the end, and both parts
    are views of its arrays: on a 7-million-row file this saves a copy of
    the whole file. Use ``events`` itself no more after the call.
    """
    if not 0.0 < fraction < 1.0:
        raise ConfigurationError(
            f"the held-out fraction must lie strictly between 0 and 1, got {fraction}"
        )
    held_out = _held_out_rows(events, fraction, seed)
    n_kept = len(events) - int(np.count_nonzero(held_out))
    if n_kept == 0 or n_kept == len(events):
        raise ConfigurationError(
            f"a split with fraction {fraction} of {len(events)} events leaves "
            "one part empty; use more events or another fraction"
        )

    # Swap the held-out rows among the first n_kept with the kept rows among
    # the last ones; the two lists have the same length.
    moving_back = np.flatnonzero(held_out[:n_kept])
    moving_front = n_kept + np.flatnonzero(~held_out[n_kept:])
    arrays = [events.features, events.labels]
    if events.mass is not None:
        arrays.append(events.mass)
    for array in arrays:
        front = array[moving_front]
        array[moving_front] = array[moving_back]
        array[moving_back] = front
    return events.slice(0, n_kept), events.slice(n_kept, len(events))


def _held_out_rows(events: Events, fraction: float, seed: int) -> np.ndarray:
    """Return a mask holding out ``fraction`` of every label-and-mass stratum."""
    rng = np.random.default_rng(seed)
    strata = events.labels.astype(np.int64)
    if events.mass is not None:
        _, mass_code = np.unique(events.mass, return_inverse=True)
        strata = strata + 2 * mass_code.astype(np.int64)

    held_out = np.zeros(len(events), dtype=bool)
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        n_held = int(round(fraction * len(members)))
        held_out[rng.choice(members, size=n_held, replace=False)] = True
    return held_out
