"""Threshold optimization against hand-computed and brute-force answers."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from hepmass.errors import ConfigurationError
from hepmass.evaluation.diagnostic_plots import draw_thresholds
from hepmass.evaluation.metrics import threshold_metrics
from hepmass.evaluation.plots import BACKGROUND_COLOR, SIGNAL_COLOR
from hepmass.evaluation.rejection import mass_subsets, rejection_at_efficiencies
from hepmass.evaluation.thresholds import (
    SortedScores,
    Yields,
    cut_curve,
    index_for_background_rejection,
    index_for_signal_efficiency,
    metrics_at,
    optimize_thresholds,
    significances,
)


def _sample(counts: dict[float, tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Build labels and scores from ``{score: (n_signal, n_background)}``."""
    labels, scores = [], []
    for score, (n_signal, n_background) in counts.items():
        labels += [1] * n_signal + [0] * n_background
        scores += [score] * (n_signal + n_background)
    return np.array(labels, dtype=np.float32), np.array(scores, dtype=np.float32)


# Cumulative (s, b) passing: 0.9 -> (5, 1), 0.6 -> (25, 20), 0.3 -> (30, 200).
# Z_A = 3.39, 4.79, 2.07 and s/sqrt(b) = 5.0, 5.59, 2.12: both peak at 0.6.
COUNTS = {0.9: (5, 1), 0.6: (20, 19), 0.3: (5, 180)}


def test_curve_matches_masks():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300).astype(np.float32)
    scores = np.round(rng.random(300), 2).astype(np.float32)
    curve = cut_curve(labels, scores)
    for index in (0, 5, len(curve.thresholds) - 1):
        passed = scores >= curve.thresholds[index]
        assert curve.signal_passed[index] == np.sum(passed & (labels == 1))
        assert curve.background_passed[index] == np.sum(passed & (labels == 0))
    assert np.all(np.diff(curve.thresholds) < 0)


def test_metrics_at_match_sklearn_counts():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 500).astype(np.float32)
    scores = rng.random(500).astype(np.float32)
    curve = cut_curve(labels, scores)
    index = 123
    ours = metrics_at(curve, index)
    reference = threshold_metrics(labels, scores, float(curve.thresholds[index]))
    for key in ("accuracy", "precision", "recall", "f1"):
        assert ours[key] == pytest.approx(reference[key])
    assert ours["confusion"] == reference["confusion"]


def test_significance_optimum_is_known_threshold():
    labels, scores = _sample(COUNTS)
    yields = Yields(signal=30, background=200)
    result = optimize_thresholds(labels, scores, yields=yields, min_background_events=1)
    assert result["max_asimov_z"]["threshold"] == pytest.approx(0.6)
    assert result["max_s_over_sqrt_b"]["threshold"] == pytest.approx(0.6)
    expected = np.sqrt(2 * (45 * np.log(1 + 25 / 20) - 25))
    assert result["max_asimov_z"]["asimov_z"] == pytest.approx(expected)
    assert result["max_asimov_z"]["expected_signal"] == pytest.approx(25)
    assert result["max_asimov_z"]["expected_background"] == pytest.approx(20)


def test_minimum_background_excludes_tight_cuts():
    labels, scores = _sample(COUNTS)
    result = optimize_thresholds(
        labels, scores, yields=Yields(30, 200), min_background_events=21
    )
    assert result["max_asimov_z"]["threshold"] == pytest.approx(0.3)


def test_yields_scale_significance():
    labels, scores = _sample(COUNTS)
    result = optimize_thresholds(
        labels, scores, yields=Yields(3000, 20000), min_background_events=1
    )
    # s = 3000 * 25/30, b = 20000 * 20/200, so s/sqrt(b) = 2500 / sqrt(2000).
    best = result["max_s_over_sqrt_b"]
    assert best["s_over_sqrt_b"] == pytest.approx(2500 / np.sqrt(2000))


def test_f1_and_youden_match_brute_force():
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 400).astype(np.float32)
    scores = np.clip(0.3 * labels + rng.normal(0.4, 0.2, 400), 0, 1).astype(np.float32)
    result = optimize_thresholds(labels, scores)
    candidates = np.unique(scores)
    f1 = [threshold_metrics(labels, scores, t)["f1"] for t in candidates]
    youden = [
        np.mean(scores[labels == 1] >= t) - np.mean(scores[labels == 0] >= t)
        for t in candidates
    ]
    assert result["max_f1"]["f1"] == pytest.approx(max(f1))
    assert result["max_youden"]["youden_j"] == pytest.approx(max(youden))


def test_target_signal_efficiency():
    labels, scores = _sample(COUNTS)
    curve = cut_curve(labels, scores)
    assert curve.thresholds[index_for_signal_efficiency(curve, 0.5)] == pytest.approx(
        0.6
    )
    assert curve.thresholds[index_for_signal_efficiency(curve, 25 / 30)] == (
        pytest.approx(0.6)
    )
    assert curve.thresholds[index_for_signal_efficiency(curve, 0.9)] == pytest.approx(
        0.3
    )


def test_target_background_rejection():
    labels, scores = _sample(COUNTS)
    curve = cut_curve(labels, scores)
    # Background efficiency 20/200 at 0.6 gives rejection 10.
    assert curve.thresholds[index_for_background_rejection(curve, 10)] == (
        pytest.approx(0.6)
    )
    assert curve.thresholds[index_for_background_rejection(curve, 11)] == (
        pytest.approx(0.9)
    )
    assert index_for_background_rejection(curve, 1000) is None


def test_weighted_curve_equals_repeated_events():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, 200).astype(np.float32)
    scores = np.round(rng.random(200), 1).astype(np.float32)
    weights = rng.poisson(1.0, 200).astype(float)
    weighted = SortedScores(labels, scores).curve(weights)
    repeat = weights.astype(int)
    repeated = cut_curve(np.repeat(labels, repeat), np.repeat(scores, repeat))
    for threshold, signal in zip(repeated.thresholds, repeated.signal_passed):
        index = np.flatnonzero(weighted.thresholds == threshold)[0]
        assert weighted.signal_passed[index] == signal


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"signal_efficiency": 1.5}, r"target signal efficiency must lie in \(0, 1\]"),
        ({"background_rejection": 0.5}, "target background rejection .* got 0.5"),
        ({"min_background_events": 0}, "at least 1, got 0"),
    ],
)
def test_invalid_options_raise(options, match):
    labels, scores = _sample(COUNTS)
    with pytest.raises(ConfigurationError, match=match):
        optimize_thresholds(labels, scores, **options)


def test_rejection_at_known_efficiency():
    labels, scores = _sample(COUNTS)
    # Signal efficiency 25/30 needs the cut at 0.6: background 20/200 passes.
    result = rejection_at_efficiencies(labels, scores, (0.5, 0.9))
    assert result["0.5"] == pytest.approx(10.0)
    assert result["0.9"] == pytest.approx(1.0)


def test_mass_subsets_select_signal_mass():
    labels = np.array([1, 1, 0, 0, 1], dtype=np.float32)
    mass = np.array([499.999969, 1000, 500, 1000, 1000], dtype=np.float32)
    matched = {m: mask.tolist() for m, mask in mass_subsets(labels, mass, True)}
    assert matched[500.0] == [True, False, True, False, False]
    assert matched[1000.0] == [False, True, False, True, True]
    every = {m: mask.tolist() for m, mask in mass_subsets(labels, mass, False)}
    assert every[500.0] == [True, False, True, True, False]


@pytest.mark.parametrize(
    ("with_yields", "title", "right_label", "curve_labels"),
    [
        (True, "Efficiencies and expected significance by threshold",
         "Expected significance (sigma)", ["Asimov Z_A", "s / sqrt(b)"]),
        (False, "Efficiencies, F1 and Youden J by threshold",
         "F1 and Youden J", ["F1", "Youden J"]),
    ],
)
def test_threshold_figure_labels(with_yields, title, right_label, curve_labels):
    labels, scores = _sample(COUNTS)
    curve = cut_curve(labels, scores)
    significance = significances(curve, Yields(30, 200)) if with_yields else None
    figure = draw_thresholds(curve, significance, {"max_f1": 0.6})
    try:
        left, right = figure.axes
        assert left.get_title() == title
        assert left.get_xlabel() == "Threshold on the classifier score"
        assert left.get_ylabel() == "Efficiency (fraction passing)"
        assert right.get_ylabel() == right_label
        assert [line.get_label() for line in right.get_lines()] == curve_labels
    finally:
        plt.close(figure)


def test_threshold_figure_shows_negative_youden_j():
    labels, scores = _sample(COUNTS)
    # Reversed scores separate the classes the wrong way round: J < 0.
    curve = cut_curve(labels, 1 - scores)
    assert curve.youden().min() < -0.1
    chosen = {"max_f1": 0.2, "max_youden": 0.4, "target_signal_efficiency": 0.6}
    figure = draw_thresholds(curve, None, chosen)
    try:
        left, right = figure.axes
        assert right.get_ylim()[0] <= curve.youden().min()
        vertical = [line.get_color() for line in left.get_lines()[2:]]
        assert len(vertical) == 3
        assert not {SIGNAL_COLOR, BACKGROUND_COLOR} & set(map(to_hex, vertical))
    finally:
        plt.close(figure)
