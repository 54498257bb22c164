"""Distribution helpers shared by the time model (``costs.time``) and the simulation (``sim``).

A duration given by its median p50 and 90th percentile p90 is lognormal with log-spread
``sigma = ln(p90 / p50) / Z90``; both layers draw dwell and running times that way, so the
conversion lives here once.
"""

from __future__ import annotations

import numpy as np

Z90 = 1.2815515655446004  # standard normal quantile at 0.9 (and minus the one at 0.1)


def lognormal_sigma(p50: np.ndarray | float, p90: np.ndarray | float) -> np.ndarray:
    """Log-scale spread of a lognormal with median ``p50`` and 90th percentile ``p90``.

    0 where ``p90 <= p50`` or ``p50 <= 0`` (a fixed duration, or none)."""
    p50 = np.asarray(p50, dtype=float)
    p90 = np.asarray(p90, dtype=float)
    positive = p50 > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(positive & (p90 > p50), p90 / np.where(positive, p50, 1.0), 1.0)
    return np.log(ratio) / Z90


def lognormal_mean(p50: np.ndarray | float, p90: np.ndarray | float) -> np.ndarray:
    """Mean of the lognormal with median ``p50`` and 90th percentile ``p90``."""
    return np.asarray(p50, dtype=float) * np.exp(lognormal_sigma(p50, p90) ** 2 / 2.0)
