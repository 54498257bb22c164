"""Pareto flags on (p50 transit days, cost, CO2e): lower is better in each."""

from __future__ import annotations

import numpy as np


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Bool per row of ``points`` [k, d]: True if no other row is <= in all and < in one."""
    points = np.asarray(points, dtype=float)
    le = np.all(points[None, :, :] <= points[:, None, :], axis=2)
    lt = np.any(points[None, :, :] < points[:, None, :], axis=2)
    dominated = np.any(le & lt, axis=1)
    return np.logical_not(dominated)
