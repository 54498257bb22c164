"""Assignment and capacity LP against published and analytic answers.

Sioux Falls: published best-known objective and flows (README.md). Braess: closed-form
equilibrium. Capacity LP: small networks solved by hand (min cut = max flow).
"""

from __future__ import annotations

import numpy as np
import pytest
import sioux_falls

from landbridge.flows.assignment import DemandClass, assign
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import VolumeDelay


@pytest.fixture(scope="module")
def sioux():
    return sioux_falls.load()


def test_sioux_falls_bfw_reaches_best_known_objective(sioux):
    graph, vdf, demand = sioux
    res = assign(graph, vdf, [demand], "bfw", max_iterations=2000, target_gap=1e-5)
    assert res.converged and res.relative_gap <= 1e-5
    rel = abs(res.objective - sioux_falls.BEST_KNOWN_OBJECTIVE) / sioux_falls.BEST_KNOWN_OBJECTIVE
    assert rel <= 1e-5
    # BFW needs far fewer iterations than FW would (FW needs > 1000 to reach 1e-4 here).
    assert res.iterations < 600


def test_sioux_falls_bfw_flows_match_published(sioux):
    graph, vdf, demand = sioux
    res = assign(graph, vdf, [demand], "bfw", max_iterations=2000, target_gap=1e-5)
    ref = sioux_falls.best_known_flows()
    diff = res.edge_flow - ref
    assert np.sqrt(np.mean(diff**2)) < 10.0  # vehicles, flows are 4,000–24,000
    assert np.max(np.abs(diff) / ref) < 0.005


@pytest.mark.slow
def test_sioux_falls_cfw_and_fw_agree_with_bfw(sioux):
    graph, vdf, demand = sioux
    best = sioux_falls.BEST_KNOWN_OBJECTIVE
    cfw = assign(graph, vdf, [demand], "cfw", max_iterations=3000, target_gap=1e-4)
    fw = assign(graph, vdf, [demand], "fw", max_iterations=400)
    assert cfw.converged
    assert abs(cfw.objective - best) / best < 1e-4
    # FW converges slowly but monotonically towards the same optimum.
    assert best <= fw.objective < best * (1 + 5e-4)
    assert fw.history[-1][2] <= fw.history[10][2]


def test_sioux_falls_msa_improves_on_aon(sioux):
    graph, vdf, demand = sioux
    aon = assign(graph, vdf, [demand], "aon")
    msa = assign(graph, vdf, [demand], "msa", max_iterations=100)
    assert aon.iterations == 1
    assert msa.objective < aon.objective
    assert msa.relative_gap < aon.relative_gap
    assert msa.objective >= sioux_falls.BEST_KNOWN_OBJECTIVE * (1 - 1e-9)


def _braess(with_bridge: bool):
    """s=0, a=1, b=2, t=3. s-a and b-t: 1 + x/100; a-t and s-b: 45; bridge a-b: 0.

    4,000 travellers. Without the bridge they split 2,000/2,000: each pays 1 + 20 + 45 = 66.
    With it, s-a-b-t costs at most 1 + 40 + 0 + 1 + 40 = 82 while either outer route costs
    41 + 45 = 86 when everybody uses the bridge, so all 4,000 take it and pay 82 (the paradox).
    """
    src = [0, 1, 0, 2] + ([1] if with_bridge else [])
    dst = [1, 3, 2, 3] + ([2] if with_bridge else [])
    free = [1.0, 45.0, 45.0, 1.0] + ([0.0] if with_bridge else [])
    cap = [100.0, np.inf, np.inf, 100.0] + ([np.inf] if with_bridge else [])
    alpha = [1.0, 0.0, 0.0, 1.0] + ([0.0] if with_bridge else [])
    vdf = VolumeDelay.bpr(np.array(free), np.array(cap), np.array(alpha), 1.0)
    demand = np.zeros((1, 4))
    demand[0, 3] = 4000.0
    return (
        PairGraph(np.array(src), np.array(dst), 4),
        vdf,
        DemandClass("all", np.array([0]), demand),
    )


@pytest.mark.parametrize("algorithm", ["fw", "cfw", "bfw", "msa"])
def test_braess_without_bridge_splits_evenly(algorithm):
    graph, vdf, demand = _braess(False)
    res = assign(graph, vdf, [demand], algorithm, max_iterations=500, target_gap=1e-9)
    assert res.edge_flow == pytest.approx(
        [2000, 2000, 2000, 2000], abs=1e-3 if algorithm != "msa" else 10
    )
    assert res.edge_cost[0] + res.edge_cost[1] == pytest.approx(
        66.0, abs=1e-3 if algorithm != "msa" else 0.2
    )


@pytest.mark.parametrize("algorithm", ["fw", "cfw", "bfw"])
def test_braess_with_bridge_everybody_takes_it(algorithm):
    graph, vdf, demand = _braess(True)
    res = assign(graph, vdf, [demand], algorithm, max_iterations=500, target_gap=1e-9)
    assert res.edge_flow == pytest.approx([4000, 0, 0, 4000, 4000], abs=1e-6)
    assert res.edge_cost[0] + res.edge_cost[4] + res.edge_cost[3] == pytest.approx(82.0)
    assert res.relative_gap == pytest.approx(0.0, abs=1e-12)
