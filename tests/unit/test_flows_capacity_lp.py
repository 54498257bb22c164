"""Input checks and infeasibility messages of the hard-capacity program."""

from __future__ import annotations

import numpy as np
import pytest

from landbridge.errors import InvalidInputError, UnreachableError
from landbridge.flows.capacity_lp import CapacityGroup, solve_capacity


def _line():
    """0 -> 1 -> 2, capacity 4 on the second edge."""
    return (
        np.array([0, 1]),
        np.array([1, 2]),
        np.array([1.0, 1.0]),
        [CapacityGroup("1-2", np.array([1]), 4.0)],
    )


def test_min_cost_reports_insufficient_capacity():
    src, dst, cost, groups = _line()
    with pytest.raises(UnreachableError, match="max_throughput"):
        solve_capacity(
            src,
            dst,
            3,
            cost,
            np.array([0]),
            np.array([2]),
            np.array([5.0]),
            groups,
            mode="min_cost",
        )


def test_max_throughput_caps_at_capacity():
    src, dst, cost, groups = _line()
    res = solve_capacity(src, dst, 3, cost, np.array([0]), np.array([2]), np.array([5.0]), groups)
    assert res.throughput == pytest.approx(4.0)
    assert res.binding() == ["1-2"]


def test_unconnected_pair_carries_nothing():
    src, dst, cost, groups = _line()
    res = solve_capacity(src, dst, 3, cost, np.array([2]), np.array([0]), np.array([5.0]), groups)
    assert res.throughput == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "fastest"}, "unknown mode 'fastest'"),
        ({"od_demand": np.array([-1.0])}, "non-negative demand"),
        ({"od_destination": np.array([0])}, "same origin and destination"),
        ({"od_destination": np.array([7])}, "0..2"),
        ({"edge_cost": np.array([1.0, np.nan])}, "edge costs"),
    ],
)
def test_bad_inputs_are_typed_errors(kwargs, message):
    src, dst, cost, groups = _line()
    args = {
        "edge_src": src,
        "edge_dst": dst,
        "n_nodes": 3,
        "edge_cost": cost,
        "od_origin": np.array([0]),
        "od_destination": np.array([2]),
        "od_demand": np.array([1.0]),
        "groups": groups,
    }
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=message):
        solve_capacity(**args)


def test_skipping_the_cost_stage_keeps_throughput_and_prices():
    src, dst = np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3])
    cost = np.array([1.0, 1.0, 2.0, 2.0])
    groups = [CapacityGroup("A-B", np.array([0]), 10.0), CapacityGroup("C-D", np.array([3]), 5.0)]
    args = (src, dst, 4, cost, np.array([0]), np.array([3]), np.array([20.0]), groups)
    full = solve_capacity(*args)
    quick = solve_capacity(*args, cheapest_routes=False)
    assert quick.throughput == pytest.approx(full.throughput) == pytest.approx(15.0)
    assert quick.shadow_price == pytest.approx(full.shadow_price)
