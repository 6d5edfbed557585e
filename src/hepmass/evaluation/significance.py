"""Expected discovery significance of a counting experiment.

``s`` and ``b`` are the expected signal and background events passing a cut.
The Asimov formulas give the median significance with which the
background-only hypothesis would be rejected if the signal is present
(Cowan, Cranmer, Gross, Vitells, Eur. Phys. J. C 71 (2011) 1554).
With a background known only to ``sigma_b`` events, Z_A is the Asimov value
of the profile likelihood ratio for n ~ Poisson(s + b) and a control count
m ~ Poisson(tau b) with tau = b / sigma_b^2. It tends to the formula without
uncertainty as ``sigma_b`` goes to 0.
"""

from __future__ import annotations

import numpy as np

from hepmass.errors import ConfigurationError


def check_yields(
    signal_yield: float, background_yield: float, background_uncertainty: float
) -> None:
    """Raise ConfigurationError unless the expected yields can be used."""
    if not signal_yield > 0 or not np.isfinite(signal_yield):
        raise ConfigurationError(
            f"the expected signal yield must be a positive number, got {signal_yield}"
        )
    if not background_yield > 0 or not np.isfinite(background_yield):
        raise ConfigurationError(
            "the expected background yield must be a positive number, got "
            f"{background_yield}"
        )
    if not background_uncertainty >= 0 or not np.isfinite(background_uncertainty):
        raise ConfigurationError(
            "the relative background uncertainty must be 0 or more (0.1 means "
            f"10%), got {background_uncertainty}"
        )


def simple_significance(s: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return s / sqrt(b), NaN where ``b`` is not positive.

    This is the large-``b`` limit of the Asimov significance, so it overstates
    the significance where ``s`` is not small against ``b``.
    """
    s, b = np.broadcast_arrays(np.asarray(s, float), np.asarray(b, float))
    out = np.full(s.shape, np.nan)
    positive = b > 0
    out[positive] = s[positive] / np.sqrt(b[positive])
    return out


def asimov_significance(
    s: np.ndarray, b: np.ndarray, relative_uncertainty: float = 0.0
) -> np.ndarray:
    """Return the Asimov discovery significance Z_A, NaN where ``b`` <= 0.

    Without uncertainty, Z_A = sqrt(2((s + b) ln(1 + s/b) - s)). With the
    background known to ``sigma_b = relative_uncertainty * b``,

        Z_A = sqrt(2((s + b) ln[(s + b)(b + sigma_b^2) / (b^2 + (s + b) sigma_b^2)]
                     - (b^2 / sigma_b^2) ln[1 + sigma_b^2 s / (b (b + sigma_b^2))])).
    """
    if relative_uncertainty < 0:
        raise ConfigurationError(
            "the relative background uncertainty must be 0 or more, got "
            f"{relative_uncertainty}"
        )
    s, b = np.broadcast_arrays(np.asarray(s, float), np.asarray(b, float))
    out = np.full(s.shape, np.nan)
    ok = b > 0
    s, b = s[ok], b[ok]
    if relative_uncertainty == 0:
        q = 2.0 * ((s + b) * np.log1p(s / b) - s)
    else:
        var = (relative_uncertainty * b) ** 2
        first = (s + b) * np.log((s + b) * (b + var) / (b**2 + (s + b) * var))
        second = b**2 / var * np.log1p(var * s / (b * (b + var)))
        q = 2.0 * (first - second)
    # Rounding can leave q a little below 0 where s is tiny against b.
    out[ok] = np.sqrt(np.clip(q, 0.0, None))
    return out
