"""The corridor-state draws kept per block are the numbers the formula gives on fresh rows (so
remembering them changes no transit quantile)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from landbridge.costs import time as time_model


@pytest.mark.parametrize("n", [1, 5, 31, 32, 33, 70])
@pytest.mark.parametrize("rho", [0.0, 0.3, 0.55])
def test_shared_rows_are_the_formula_on_fresh_rows(n: int, rho: float) -> None:
    seed, draws = time_model.SEED, time_model.DRAWS
    common = time_model._rows(seed, draws, "corridor", 1)[0]
    normal = time_model._rows(seed, draws, "normal", n)
    uniform = time_model._rows(seed, draws, "uniform", n)
    if rho > 0:
        normal = np.sqrt(rho) * common + np.sqrt(1.0 - rho) * normal
        uniform = ndtr(np.sqrt(rho) * common + np.sqrt(1.0 - rho) * ndtri(uniform))
    assert np.array_equal(time_model._shared_rows(seed, draws, "normal", n, rho), normal)
    assert np.array_equal(time_model._shared_rows(seed, draws, "uniform", n, rho), uniform)
