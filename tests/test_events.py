"""Events and the stratified split of a file into parts."""

from __future__ import annotations

import numpy as np
import pytest

from hepmass.data.events import Events, stratified_split
from hepmass.errors import ConfigurationError


def make_events(n: int = 2000) -> Events:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(n, 27)).astype(np.float32)
    features[:, 0] = np.arange(n)  # a row id that travels with the row
    labels = (rng.random(n) < 0.5).astype(np.float32)
    mass = rng.choice([500.0, 1000.0, 1500.0], n).astype(np.float32)
    return Events(features, labels, mass)


def test_split_keeps_every_row_once():
    original = make_events()
    rows = {int(r[0]): (lab, m) for r, lab, m in
            zip(original.features, original.labels, original.mass)}
    train_part, held_part = stratified_split(make_events(), 0.25, seed=1)
    parts = [train_part.features[:, 0], held_part.features[:, 0]]
    ids = np.concatenate(parts).astype(int)
    assert sorted(ids) == list(range(2000))
    for part in (train_part, held_part):
        for row, label, mass in zip(part.features, part.labels, part.mass):
            assert rows[int(row[0])] == (label, mass)


def test_split_holds_out_fraction_of_each_stratum():
    events = make_events()
    counts = {(lab, m): 0 for lab in (0.0, 1.0) for m in (500.0, 1000.0, 1500.0)}
    for lab, m in zip(events.labels, events.mass):
        counts[(lab, m)] += 1
    _, held_part = stratified_split(events, 0.25, seed=1)
    for (label, mass), total in counts.items():
        in_stratum = (held_part.labels == label) & (held_part.mass == mass)
        in_held = np.count_nonzero(in_stratum)
        assert in_held == round(0.25 * total)


def test_split_depends_only_on_seed():
    first = stratified_split(make_events(), 0.3, seed=4)[1].features[:, 0]
    second = stratified_split(make_events(), 0.3, seed=4)[1].features[:, 0]
    other = stratified_split(make_events(), 0.3, seed=5)[1].features[:, 0]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(np.sort(first), np.sort(other))


def test_split_parts_share_memory():
    events = make_events()
    train_part, held_part = stratified_split(events, 0.1, seed=0)
    assert np.shares_memory(train_part.features, events.features)
    assert np.shares_memory(held_part.labels, events.labels)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_split_rejects_fraction(fraction):
    with pytest.raises(ConfigurationError, match="strictly between 0 and 1"):
        stratified_split(make_events(), fraction, seed=0)


def test_split_rejects_empty_part():
    with pytest.raises(ConfigurationError, match="leaves one part empty"):
        stratified_split(make_events(3), 0.1, seed=0)


def test_events_reject_wrong_width():
    with pytest.raises(ConfigurationError, match=r"shape \(n, 27\)"):
        Events(np.zeros((4, 26), np.float32), np.zeros(4, np.float32))
