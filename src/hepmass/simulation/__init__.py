"""Pythia 8 event simulation in the HEPMASS layout.

The chain is: Pythia generates X -> t tbar (signal) or Standard Model t tbar
(background) with one leptonic W (:mod:`.generator`); the final state is read
as whole batches of events and processed with awkward/numpy: the isolated
lepton (:mod:`.leptons`), anti-kt jets and their flavour (:mod:`.jets`), a
fast detector model (:mod:`.detector`), the dataset's selection
(:mod:`.selection`) and the reconstructed masses (:mod:`.reconstruction`).
:mod:`.workers` spreads fixed-size seeded chunks over processes,
:mod:`.writer` writes the files, :mod:`.merge` joins shards.
"""

from hepmass.simulation.config import SimulationConfig, parse_shard, validate_config

__all__ = ["SimulationConfig", "parse_shard", "validate_config"]
