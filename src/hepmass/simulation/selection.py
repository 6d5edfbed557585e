"""The event selection of the HEPMASS dataset, with its isolation definition."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

LEPTON_PT_MIN = 15.0
"""Lepton pT threshold in GeV; the dataset's lepton pT starts at 15 GeV."""

LEPTON_ETA_MAX = 2.5
"""Lepton |eta| limit (tracker acceptance); the dataset's reaches 2.5."""

JET_PT_MIN = 20.0
"""Jet pT threshold in GeV, after smearing; the dataset's starts at 20 GeV."""

JET_ETA_MAX = 3.0
"""Jet |eta| limit; the dataset's jets reach 3.0."""

MIN_JETS = 4

ISOLATION_CONE = 0.5
"""Isolation cone radius in Delta R, as in the Delphes ATLAS card."""

ISOLATION_PT_MIN = 0.5
"""Visible particles below this pT (GeV) do not count in the isolation sum."""

ISOLATION_MAX = {11: 0.12, 13: 0.25}
"""Largest isolation ratio, the scalar sum of the pT of visible particles in
the cone (the lepton excluded) over the lepton pT, for electrons and muons;
the Delphes ATLAS card's values."""

CANDIDATE_PT_MIN = 10.0
"""True lepton pT (GeV) from which candidates are smeared and tested."""
