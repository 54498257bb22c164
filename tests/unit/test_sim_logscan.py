"""The compiled log scans give numpy's answers exactly (the summaries rely on it, bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest

from landbridge.sim.logscan import order_by_facility_train, pairwise_sum


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 24, 127, 128, 129, 1000, 4099])
def test_pairwise_sum_is_numpys_sum_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(20):
        a = rng.random(n) * 10.0 ** rng.integers(-3, 6, n)
        assert pairwise_sum(a) == a.sum()


def test_visit_order_is_a_stable_sort_by_facility_then_train() -> None:
    rng = np.random.default_rng(1)
    facility = rng.integers(0, 5, 500).astype(np.int16)
    train = rng.integers(0, 40, 500).astype(np.int32)
    rows = np.flatnonzero(rng.random(500) < 0.7)
    key = facility[rows].astype(np.int64) * 40 + train[rows]
    expected = rows[np.argsort(key, kind="stable")]
    np.testing.assert_array_equal(order_by_facility_train(rows, facility, train, 5, 40), expected)
