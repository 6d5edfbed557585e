"""Assembly of the input matrix a model sees from a set of events."""

from __future__ import annotations

import numpy as np

from hepmass.data.events import Events
from hepmass.errors import ModelError
from hepmass.features import N_FEATURES


def input_matrix(events: Events, use_mass: bool) -> np.ndarray:
    """Return the (n, 27) features, or (n, 28) with the mass as last column."""
    if not use_mass:
        return events.features
    if events.mass is None:
        raise ModelError(
            "the model takes the mass as an input but the events have no mass "
            "column; use a file of the 'all' or 'not1000' layout"
        )
    out = np.empty((len(events), N_FEATURES + 1), dtype=np.float32)
    out[:, :N_FEATURES] = events.features
    out[:, N_FEATURES] = events.mass
    return out
