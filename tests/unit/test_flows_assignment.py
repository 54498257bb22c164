"""Volume-delay functions, all-or-nothing loading and solver inputs on hand-made networks."""

from __future__ import annotations

import numpy as np
import pytest

from landbridge.errors import InvalidInputError, UnreachableError
from landbridge.flows.assignment import DemandClass, assign, od_to_node_demand
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import QUEUE_RHO_MAX, DelayKind, VolumeDelay


def _mixed_vdf() -> VolumeDelay:
    return VolumeDelay(
        free_time=np.array([2.0, 1.0, 3.0]),
        capacity=np.array([100.0, 50.0, np.inf]),
        alpha=np.array([0.15, 4.0, 0.5]),
        beta=np.array([4.0, 0.0, 4.0]),
        kind=np.array([DelayKind.BPR, DelayKind.QUEUE, DelayKind.BPR], dtype=np.int8),
    )


def test_bpr_cost_at_capacity_is_one_plus_alpha():
    vdf = VolumeDelay.bpr(np.array([10.0]), np.array([200.0]))
    assert vdf.cost(np.array([200.0]))[0] == pytest.approx(11.5)
    assert vdf.cost(np.array([0.0]))[0] == pytest.approx(10.0)


def test_queue_cost_is_mm1_wait_below_the_cutoff():
    vdf = _mixed_vdf()
    # rho = 0.5 -> wait = service time * rho / (1 - rho) = 4 * 1 = 4
    assert vdf.cost(np.array([0.0, 25.0, 0.0]))[1] == pytest.approx(1.0 + 4.0)
    # rho = 0.8 -> 4 * 4 = 16
    assert vdf.cost(np.array([0.0, 40.0, 0.0]))[1] == pytest.approx(1.0 + 16.0)


def test_queue_cost_continues_linearly_above_cutoff():
    vdf = _mixed_vdf()
    at = vdf.cost(np.array([0.0, 50.0 * QUEUE_RHO_MAX, 0.0]))[1]
    above = vdf.cost(np.array([0.0, 50.0 * (QUEUE_RHO_MAX + 0.1), 0.0]))[1]
    slope = 4.0 / (1 - QUEUE_RHO_MAX) ** 2
    assert above - at == pytest.approx(slope * 0.1)


@pytest.mark.parametrize("flow", [0.0, 10.0, 40.0, 49.0, 60.0])
def test_integral_and_derivative_agree_with_cost(flow):
    vdf = _mixed_vdf()
    x = np.array([flow * 2, flow, flow * 3])
    h = 1e-4
    num_cost = (vdf.integral(x + h) - vdf.integral(x - np.minimum(h, x))) / (h + np.minimum(h, x))
    assert num_cost == pytest.approx(vdf.cost(x), rel=1e-4)
    if flow > 0:
        num_der = (vdf.cost(x + h) - vdf.cost(x - h)) / (2 * h)
        assert num_der == pytest.approx(vdf.derivative(x), rel=1e-4, abs=1e-9)


def test_uncapacitated_edge_costs_free_time():
    vdf = _mixed_vdf()
    assert vdf.cost(np.array([0.0, 0.0, 1e9]))[2] == 3.0
    assert vdf.integral(np.array([0.0, 0.0, 10.0]))[2] == pytest.approx(30.0)


def test_vdf_rejects_bad_arrays():
    with pytest.raises(InvalidInputError, match="capacities must be positive"):
        VolumeDelay.bpr(np.array([1.0]), np.array([0.0]))
    with pytest.raises(InvalidInputError, match="free-flow"):
        VolumeDelay.bpr(np.array([-1.0]), np.array([1.0]))
    with pytest.raises(InvalidInputError, match="length 2"):
        VolumeDelay(np.ones(2), np.ones(1), np.ones(2), np.ones(2), np.zeros(2, dtype=np.int8))


def _parallel_graph():
    """0 -> 1 twice (costs 5 and 3), 1 -> 2 (cost 1), 0 -> 2 (cost 10)."""
    src, dst = np.array([0, 0, 1, 0]), np.array([1, 1, 2, 2])
    return PairGraph(src, dst, 3), np.array([5.0, 3.0, 1.0, 10.0])


def test_aon_picks_cheapest_parallel_edge():
    graph, cost = _parallel_graph()
    demand = np.array([[0.0, 7.0, 2.0]])
    flow, dist = graph.all_or_nothing(cost, np.array([0]), demand)
    assert flow == pytest.approx([0.0, 9.0, 2.0, 0.0])
    assert dist[0] == pytest.approx([0.0, 3.0, 4.0])


def test_aon_loads_several_origins():
    graph, cost = _parallel_graph()
    demand = np.array([[0.0, 0.0, 2.0], [0.0, 0.0, 5.0]])
    flow, _ = graph.all_or_nothing(cost, np.array([0, 1]), demand)
    assert flow == pytest.approx([0.0, 2.0, 7.0, 0.0])


def test_zero_cost_edges_are_still_edges():
    graph = PairGraph(np.array([0, 1]), np.array([1, 2]), 3)
    flow, dist = graph.all_or_nothing(np.zeros(2), np.array([0]), np.array([[0.0, 0.0, 4.0]]))
    assert flow == pytest.approx([4.0, 4.0])


def test_unreachable_demand_is_a_typed_error():
    graph = PairGraph(np.array([0]), np.array([1]), 3)
    with pytest.raises(UnreachableError, match="from node 0 to node 2"):
        graph.all_or_nothing(np.ones(1), np.array([0]), np.array([[0.0, 1.0, 1.0]]))


def test_graph_rejects_out_of_range_nodes():
    with pytest.raises(InvalidInputError, match="0..1"):
        PairGraph(np.array([0]), np.array([2]), 2)


def test_od_to_node_demand_sums_duplicates_and_rejects_negatives():
    origins, table = od_to_node_demand(
        np.array([2, 0, 2]), np.array([1, 1, 1]), np.array([1.0, 2.0, 3.0]), 3
    )
    assert origins.tolist() == [0, 2]
    assert table.tolist() == [[0.0, 2.0, 0.0], [0.0, 4.0, 0.0]]
    with pytest.raises(InvalidInputError, match="non-negative"):
        od_to_node_demand(np.array([0]), np.array([1]), np.array([-1.0]), 2)


def test_class_fixed_cost_splits_classes_between_routes():
    """Two uncongested routes 0->1: A (time 1) and B (time 2). Class 'bulk' pays 5 extra on A.

    Containers take A (1 < 2); bulk takes B (2 < 1 + 5).
    """
    graph = PairGraph(np.array([0, 0]), np.array([1, 1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0, 2.0]), np.array([np.inf, np.inf]))
    box = DemandClass("box", np.array([0]), np.array([[0.0, 3.0]]))
    bulk = DemandClass(
        "bulk", np.array([0]), np.array([[0.0, 4.0]]), fixed_cost=np.array([5.0, 0.0])
    )
    res = assign(graph, vdf, [box, bulk], "bfw", target_gap=1e-9)
    assert res.class_flow.tolist() == [[3.0, 0.0], [0.0, 4.0]]
    assert res.objective == pytest.approx(3 * 1 + 4 * 2)


def test_congestion_equalises_costs_on_used_routes():
    """Two parallel routes, t = 1 + x/10 and t = 2 + x/10 (BPR, power 1), 30 units:
    1 + a/10 = 2 + (30 - a)/10  ->  a = 20, b = 10, both cost 3."""
    graph = PairGraph(np.array([0, 0]), np.array([1, 1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0, 2.0]), np.array([10.0, 20.0]), 1.0, 1.0)
    res = assign(
        graph,
        vdf,
        [DemandClass("x", np.array([0]), np.array([[0.0, 30.0]]))],
        "bfw",
        target_gap=1e-10,
    )
    assert res.edge_flow == pytest.approx([20.0, 10.0], abs=1e-6)
    assert res.edge_cost == pytest.approx([3.0, 3.0], abs=1e-7)


def test_assign_reports_progress_through_callback_only(capsys):
    graph = PairGraph(np.array([0, 0]), np.array([1, 1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0, 2.0]), np.array([10.0, 20.0]), 0.15, 4.0)
    seen: list[tuple[int, float, float]] = []
    res = assign(
        graph,
        vdf,
        [DemandClass("x", np.array([0]), np.array([[0.0, 30.0]]))],
        "msa",
        max_iterations=5,
        target_gap=0.0,
        progress=lambda *a: seen.append(a),
    )
    assert [s[0] for s in seen] == [1, 2, 3, 4, 5]
    assert res.iterations == 5 and not res.converged
    assert seen == res.history
    assert capsys.readouterr().out == ""


def test_assign_rejects_bad_requests():
    graph = PairGraph(np.array([0]), np.array([1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0]), np.array([1.0]))
    ok = DemandClass("x", np.array([0]), np.array([[0.0, 1.0]]))
    with pytest.raises(InvalidInputError, match="unknown algorithm 'dial'"):
        assign(graph, vdf, [ok], "dial")
    with pytest.raises(InvalidInputError, match="at least one demand class"):
        assign(graph, vdf, [])
    bad = DemandClass("y", np.array([0]), np.array([[0.0, np.nan]]))
    with pytest.raises(InvalidInputError, match="class 'y'"):
        assign(graph, vdf, [bad])
    with pytest.raises(InvalidInputError, match="volume-delay arrays have 2 edges"):
        assign(graph, VolumeDelay.bpr(np.ones(2), np.ones(2)), [ok])


def test_edges_sharing_an_element_share_its_capacity():
    """Routes A and B (0->1) share one element t = 1 + X/10; route C has its own t = 2 + x/10.

    30 units: 1 + X/10 = 2 + (30 - X)/10 gives X = 20 on A+B and 10 on C. Were A and B separate
    elements with the same function, they would carry 40/3 each (26.7 together).
    """
    graph = PairGraph(np.array([0, 0, 0]), np.array([1, 1, 1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0, 2.0]), np.array([10.0, 20.0]), 1.0, 1.0)
    demand = DemandClass("x", np.array([0]), np.array([[0.0, 30.0]]))
    res = assign(graph, vdf, [demand], "bfw", target_gap=1e-10, edge_element=np.array([0, 0, 1]))
    assert res.element_flow == pytest.approx([20.0, 10.0], abs=1e-6)
    assert res.edge_flow[:2].sum() == pytest.approx(20.0, abs=1e-6)
    assert res.edge_cost == pytest.approx([3.0, 3.0, 3.0], abs=1e-7)
    separate = VolumeDelay.bpr(np.array([1.0, 1.0, 2.0]), np.array([10.0, 10.0, 20.0]), 1.0, 1.0)
    res2 = assign(graph, separate, [demand], "bfw", target_gap=1e-10)
    assert res2.edge_flow[:2].sum() == pytest.approx(80 / 3, abs=1e-5)


def test_edges_without_element_cost_only_their_fixed_cost():
    """Edge 0 (no element, fixed 5) against edge 1 (element t = 1 + x/10): 30 units.

    Edge 1 takes flow until 1 + x/10 = 5, i.e. x = 40 > 30, so all 30 use edge 1 at cost 4.
    """
    graph = PairGraph(np.array([0, 0]), np.array([1, 1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0]), np.array([10.0]), 1.0, 1.0)
    demand = DemandClass("x", np.array([0]), np.array([[0.0, 30.0]]), fixed_cost=np.array([5.0, 0]))
    res = assign(graph, vdf, [demand], "bfw", target_gap=1e-10, edge_element=np.array([-1, 0]))
    assert res.edge_flow == pytest.approx([0.0, 30.0])
    assert res.edge_cost == pytest.approx([0.0, 4.0])


def test_edge_element_out_of_range_is_rejected():
    graph = PairGraph(np.array([0]), np.array([1]), 2)
    vdf = VolumeDelay.bpr(np.array([1.0]), np.array([10.0]))
    demand = DemandClass("x", np.array([0]), np.array([[0.0, 1.0]]))
    with pytest.raises(InvalidInputError, match="edge_element"):
        assign(graph, vdf, [demand], edge_element=np.array([3]))


def test_bfw_restarts_when_a_conjugate_direction_does_not_descend():
    """A 4-node ring with parallel chords where the bi-conjugate direction once failed to descend.

    Before the restart rule BFW stalled at a relative gap of 0.07 on this case (CFW solved it in
    5 iterations); now it must reach the same optimum.
    """
    src = np.array([0, 1, 2, 3, 1, 2, 3, 0, 2, 0])
    dst = np.array([1, 2, 3, 0, 0, 1, 2, 3, 3, 2])
    rng = np.random.default_rng(5)
    free, cap = rng.uniform(1, 10, src.size), rng.uniform(5, 50, src.size)
    demand = np.where(rng.random((4, 4)) < 0.5, rng.uniform(0, 40, (4, 4)), 0.0)
    np.fill_diagonal(demand, 0.0)
    graph, vdf = PairGraph(src, dst, 4), VolumeDelay.bpr(free, cap)
    cls = DemandClass("x", np.arange(4), demand)
    bfw = assign(graph, vdf, [cls], "bfw", max_iterations=100, target_gap=1e-9)
    cfw = assign(graph, vdf, [cls], "cfw", max_iterations=100, target_gap=1e-9)
    assert bfw.converged and cfw.converged
    assert bfw.objective == pytest.approx(cfw.objective, rel=1e-9)
    assert [h[2] for h in bfw.history] == sorted((h[2] for h in bfw.history), reverse=True)
