"""Significance formulas against limits and a numerical profile likelihood."""

import numpy as np
import pytest
from scipy import optimize

from hepmass.errors import ConfigurationError
from hepmass.evaluation.significance import (
    asimov_significance,
    check_yields,
    simple_significance,
)


def _profile_likelihood_z(s: float, b: float, sigma_b: float) -> float:
    """Z from the on/off likelihood on Asimov data, background profiled."""
    tau = b / sigma_b**2
    n, m = s + b, tau * b

    def nll(mu: float, background: float) -> float:
        on = n * np.log(mu * s + background) - (mu * s + background)
        off = m * np.log(tau * background) - tau * background
        return -(on + off)

    fit = optimize.minimize_scalar(
        lambda x: nll(0.0, x), bounds=(1e-9, 10 * (s + b)), method="bounded",
        options={"xatol": 1e-10},
    )
    return float(np.sqrt(2 * (fit.fun - nll(1.0, b))))


def test_asimov_known_value():
    # 2((s + b) ln(1 + s/b) - s) with s = 10, b = 10: 2(20 ln 2 - 10).
    expected = np.sqrt(2 * (20 * np.log(2) - 10))
    assert asimov_significance(np.array([10.0]), np.array([10.0]))[0] == pytest.approx(
        expected
    )


def test_asimov_small_signal_limit():
    z = asimov_significance(np.array([1.0]), np.array([1e6]))[0]
    assert z == pytest.approx(1.0 / np.sqrt(1e6), rel=1e-3)


def test_asimov_with_uncertainty_matches_profile_likelihood():
    for s, b, relative in [(10.0, 50.0, 0.1), (5.0, 4.0, 0.3), (30.0, 200.0, 0.05)]:
        z = asimov_significance(np.array([s]), np.array([b]), relative)[0]
        assert z == pytest.approx(_profile_likelihood_z(s, b, relative * b), rel=1e-4)


def test_asimov_uncertainty_tends_to_plain():
    plain = asimov_significance(np.array([7.0]), np.array([20.0]))[0]
    tiny = asimov_significance(np.array([7.0]), np.array([20.0]), 1e-5)[0]
    assert tiny == pytest.approx(plain, rel=1e-6)


def test_asimov_uncertainty_small_signal_limit():
    b, sigma = 1e5, 0.01 * 1e5
    z = asimov_significance(np.array([10.0]), np.array([b]), 0.01)[0]
    assert z == pytest.approx(10.0 / np.sqrt(b + sigma**2), rel=1e-3)


def test_zero_background_is_nan():
    assert np.isnan(asimov_significance(np.array([3.0]), np.array([0.0]))[0])
    assert np.isnan(simple_significance(np.array([3.0]), np.array([0.0]))[0])


def test_simple_significance_value():
    assert simple_significance(np.array([6.0]), np.array([9.0]))[0] == 2.0


@pytest.mark.parametrize(
    ("signal", "background", "uncertainty", "match"),
    [
        (0.0, 10.0, 0.0, "signal yield must be a positive number, got 0.0"),
        (5.0, -1.0, 0.0, "background yield must be a positive number, got -1.0"),
        (5.0, 10.0, -0.1, "must be 0 or more .* got -0.1"),
    ],
)
def test_check_yields_rejects(signal, background, uncertainty, match):
    with pytest.raises(ConfigurationError, match=match):
        check_yields(signal, background, uncertainty)
