"""Invariants of assignment and the capacity LP on random small networks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from landbridge.flows.assignment import DemandClass, assign
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import VolumeDelay


@st.composite
def networks(draw):
    """A bidirectional ring (so every pair is connected) plus random chords, with random demand."""
    n = draw(st.integers(3, 8))
    ring = [(i, (i + 1) % n) for i in range(n)]
    chords = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=8))
    pairs = ring + [(b, a) for a, b in ring] + [(a, b) for a, b in chords if a != b]
    src = np.array([p[0] for p in pairs])
    dst = np.array([p[1] for p in pairs])
    m = src.size
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    free = rng.uniform(1.0, 10.0, m)
    cap = rng.uniform(5.0, 50.0, m)
    demand = np.where(rng.random((n, n)) < 0.5, rng.uniform(0.0, 40.0, (n, n)), 0.0)
    np.fill_diagonal(demand, 0.0)
    return n, src, dst, free, cap, demand


@settings(max_examples=40, deadline=None)
@given(networks(), st.sampled_from(["fw", "cfw", "bfw"]))
def test_equilibrium_conserves_flow_and_beats_aon(net, algorithm):
    n, src, dst, free, cap, demand = net
    graph = PairGraph(src, dst, n)
    vdf = VolumeDelay.bpr(free, cap)
    cls = DemandClass("x", np.arange(n), demand)
    res = assign(graph, vdf, [cls], algorithm, max_iterations=300, target_gap=1e-6)
    aon = assign(graph, vdf, [cls], "aon")
    x = res.edge_flow
    assert np.all(x >= -1e-9)
    net_out = np.bincount(src, x, n) - np.bincount(dst, x, n)
    assert np.allclose(
        net_out, demand.sum(axis=1) - demand.sum(axis=0), atol=1e-6 * (1 + demand.sum())
    )
    assert res.objective <= aon.objective * (1 + 1e-12) + 1e-9
    assert res.relative_gap <= aon.relative_gap + 1e-12


@settings(max_examples=25, deadline=None)
@given(networks())
def test_one_edge_per_element_equals_plain_assignment(net):
    """Grouping where every edge is its own element must reach the plain equilibrium.

    By convexity, a solution's Beckmann objective exceeds the optimum by at most its absolute
    gap (relative gap x total cost), so the two objectives differ by at most the sum.
    """
    n, src, dst, free, cap, demand = net
    graph = PairGraph(src, dst, n)
    cls = DemandClass("x", np.arange(n), demand)
    plain = assign(graph, VolumeDelay.bpr(free, cap), [cls], "bfw", 300, target_gap=1e-7)
    order = np.random.default_rng(0).permutation(src.size)
    vdf = VolumeDelay.bpr(free[order], cap[order])
    element = np.empty(src.size, dtype=np.int64)
    element[order] = np.arange(src.size)
    grouped = assign(graph, vdf, [cls], "bfw", 300, target_gap=1e-7, edge_element=element)

    def abs_gap(res):
        return res.relative_gap * float(res.edge_flow @ res.edge_cost)

    bound = abs_gap(plain) + abs_gap(grouped) + 1e-9 * (1 + abs(plain.objective))
    assert abs(grouped.objective - plain.objective) <= bound


@settings(max_examples=30, deadline=None)
@given(networks(), st.floats(0.5, 5.0))
def test_logit_sue_is_a_fixed_point_on_the_corridor_path_sets(net, theta):
    """Path sets from ``corridor_paths`` (every edge a gateway), BPR delays at a quarter of the
    random demand (utilization mostly below 1, like the corridor's queues), relative logit scale
    ``theta / cheapest cost`` as in the corridor: at the SUE each OD's demand is conserved and
    every path carries its logit share at the equilibrium costs."""
    from landbridge.flows.logit import logit_shares, solve_sue
    from landbridge.flows.pathset import corridor_paths

    n, src, dst, free, cap, demand = net
    o, d = np.nonzero(demand)
    if not o.size:
        return
    m = src.size
    paths = corridor_paths(
        src, dst, n, free, np.ones(m, bool), o, d, [np.array([e]) for e in range(m)], 3.0
    )
    assert not paths.no_path.any()  # the ring connects every pair
    vdf = VolumeDelay.bpr(free, cap)
    od_demand = demand[o, d] / 4.0
    best = np.full(o.size, np.inf)
    np.minimum.at(best, paths.od, paths.cost)
    scale = theta / best
    res = solve_sue(
        paths.incidence, paths.od, od_demand, scale, np.zeros(m), np.arange(m), vdf,
        max_iterations=20000, tolerance=1e-8,
    )  # fmt: skip
    assert res.converged
    carried = np.bincount(paths.od, res.path_flow, minlength=o.size)
    np.testing.assert_allclose(carried, od_demand, rtol=1e-9)
    shares = logit_shares(res.path_cost, paths.od, scale)
    np.testing.assert_allclose(
        res.path_flow, od_demand[paths.od] * shares, atol=1e-7 * od_demand.sum()
    )
