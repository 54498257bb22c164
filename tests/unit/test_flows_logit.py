"""Logit route choice: analytic shares, SUE fixed point, choice sets, Russia-avoiding class."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import brentq

from landbridge.costs.params import load_default_params
from landbridge.errors import InvalidInputError
from landbridge.flows import corridor
from landbridge.flows import route_choice as rc
from landbridge.flows import run as flows_run
from landbridge.flows.logit import logit_shares, solve_sue
from landbridge.flows.pathset import corridor_paths
from landbridge.flows.vdf import VolumeDelay
from landbridge.network.model import EdgeMode, Network, NodeKind


def test_two_route_logit_shares_are_analytic():
    cost = np.array([10.0, 12.0, 5.0, 5.0, 9.0])
    od = np.array([0, 0, 1, 1, 1])
    scale = np.array([0.7, 2.0])
    p = logit_shares(cost, od, scale)
    assert p[0] == pytest.approx(1 / (1 + math.exp(-0.7 * 2.0)), rel=1e-12)
    assert p[1] == pytest.approx(1 - p[0], rel=1e-12)
    z = 2 + math.exp(-2.0 * 4.0)
    assert p[2:].tolist() == pytest.approx([1 / z, 1 / z, math.exp(-8.0) / z], rel=1e-12)


def test_logit_shares_do_not_overflow_on_large_costs():
    p = logit_shares(np.array([1e6, 1e6 + 1.0]), np.array([0, 0]), np.array([1.0]))
    assert p.tolist() == pytest.approx([1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))])


def _two_route(demand: float, capacity: float):
    """Two parallel one-edge routes; route 0 costs 9 + BPR 1 x (1 + 2 x / C) = 10 + 2 x / C,
    route 1 costs 12 flat."""
    incidence = sp.csr_matrix(np.eye(2))
    vdf = VolumeDelay(
        free_time=np.ones(1), capacity=np.array([capacity]), alpha=np.array([2.0]),
        beta=np.array([1.0]), kind=np.zeros(1, dtype=np.int8),
    )  # fmt: skip
    return incidence, vdf


def test_sue_matches_the_analytic_fixed_point_of_two_routes():
    demand, cap, scale = 100.0, 50.0, 0.8
    incidence, vdf = _two_route(demand, cap)
    res = solve_sue(
        incidence, np.array([0, 0]), np.array([demand]), np.array([scale]),
        fixed_cost=np.array([9.0, 12.0]), edge_element=np.array([0, -1]), vdf=vdf,
        tolerance=1e-10,
    )  # fmt: skip
    # Fixed point: x = d / (1 + exp(-s (12 - 10 - 2 x / C)))
    x = brentq(lambda x: x - demand / (1 + math.exp(-scale * (2 - 2 * x / cap))), 0, demand)
    assert res.converged
    assert res.path_flow[0] == pytest.approx(x, rel=1e-8)
    assert res.path_flow.sum() == pytest.approx(demand)
    # each path flow is its logit share at the equilibrium costs
    shares = logit_shares(res.path_cost, np.array([0, 0]), np.array([scale]))
    assert res.path_flow == pytest.approx(demand * shares, rel=1e-8)


def test_sue_rejects_an_od_without_paths():
    incidence, vdf = _two_route(1.0, 1.0)
    with pytest.raises(InvalidInputError, match="no path"):
        solve_sue(
            incidence, np.array([0, 0]), np.array([1.0, 1.0]), np.array([1.0, 1.0]),
            np.zeros(2), np.array([0, -1]), vdf,
        )  # fmt: skip


# --- choice sets and the Russia-avoiding class on a hand-made network -----------------------------
#   0 CN --(CN-KZ crossing)-- 1 KZ -- 2 RU -- 3 BY -- 4 PL      (northern: 1,000+1,000+1,000+500)
#                             1 KZ -- 5 KZ port ~sea~ 6 AZ -- 7 GE -- 8 TR -- 4 PL  (middle)
# Edge cost = km + 1: north 2,504, middle 3,656 (1.46 x north, inside the 1.5 choice-set bound).
NODES = [  # name, country, lat, lon
    ("Urumqi", "CN", 43.8, 87.6), ("Dostyk", "KZ", 45.2, 82.5), ("Samara", "RU", 53.2, 50.1),
    ("Minsk", "BY", 53.9, 27.6), ("Warsaw", "PL", 52.2, 21.0), ("Aktau", "KZ", 43.6, 51.2),
    ("Baku", "AZ", 40.4, 49.9), ("Tbilisi", "GE", 41.7, 44.8), ("Kars", "TR", 40.6, 43.1),
]  # fmt: skip
R, S, T = EdgeMode.RAIL, EdgeMode.SEA, EdgeMode.TRANSFER
LINKS = [  # u, v, mode, km, country, facility
    (0, 1, T, 0.0, "KZ", "cn-kz"), (1, 2, R, 1000.0, "RU", ""), (2, 3, R, 1000.0, "BY", ""),
    (3, 4, R, 500.0, "PL", ""), (1, 5, R, 1500.0, "KZ", ""), (5, 6, S, 450.0, "AZ", ""),
    (6, 7, R, 500.0, "GE", ""), (7, 8, R, 300.0, "TR", ""), (8, 4, R, 900.0, "PL", ""),
]  # fmt: skip


def _network() -> Network:
    fac = pd.DataFrame([{
        "facility_id": "cn-kz", "name": "CN–KZ", "kind": "gauge_change", "countries": "CN-KZ",
        "capacity_t_per_yr": np.nan, "capacity_trains_per_day": np.nan, "closed": False,
    }])  # fmt: skip
    countries = tuple(sorted({n[1] for n in NODES}))
    src, dst, km, mode, cc, ef = [], [], [], [], [], []
    for u, v, m, length, c, f in LINKS:
        for a, b in ((u, v), (v, u)):
            src.append(a), dst.append(b), km.append(length), mode.append(int(m))
            cc.append(countries.index(c)), ef.append(0 if f else -1)
    order = np.lexsort((np.array(dst), np.array(src)))
    pos = np.empty_like(order)
    pos[order] = np.arange(order.size)
    n, m = len(NODES), order.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.array(src), minlength=n), out=indptr[1:])
    return Network(
        node_lat=np.array([x[2] for x in NODES]), node_lon=np.array([x[3] for x in NODES]),
        node_country=np.array([countries.index(x[1]) for x in NODES], dtype=np.int16),
        node_gauge_mm=np.zeros(n, dtype=np.int16),
        node_kind=np.full(n, int(NodeKind.STATION), dtype=np.int8),
        node_name=np.array([x[0] for x in NODES], dtype=object), indptr=indptr,
        edge_src=np.array(src, dtype=np.int32)[order],
        edge_dst=np.array(dst, dtype=np.int32)[order], edge_length_km=np.array(km)[order],
        edge_mode=np.array(mode, dtype=np.int8)[order],
        edge_country=np.array(cc, dtype=np.int16)[order],
        edge_gauge_mm=np.zeros(m, dtype=np.int16),
        edge_facility=np.array(ef, dtype=np.int32)[order],
        edge_reverse=pos[np.arange(m) ^ 1][order].astype(np.int32),
        edge_geom_offset=np.zeros(m + 1, dtype=np.int64), geom_lonlat=np.zeros((0, 2), np.float32),
        countries=countries, facilities=fac,
    )  # fmt: skip


def _km_cost(net: Network) -> np.ndarray:
    return net.edge_length_km + 1.0


def test_choice_set_holds_the_cheapest_path_and_the_gateway_options():
    net = _network()
    cost = _km_cost(net)
    sea = np.flatnonzero(net.edge_mode == EdgeMode.SEA)
    ps = corridor_paths(
        net.edge_src, net.edge_dst, net.n_nodes, cost, np.ones(net.n_edges, bool),
        np.array([0]), np.array([4]), [sea], max_cost_ratio=3.0,
    )  # fmt: skip
    north = 1 + 1001 + 1001 + 501
    middle = 1 + 1501 + 451 + 501 + 301 + 901
    assert sorted(ps.cost.tolist()) == [north, middle]
    assert ps.gateway[np.argmax(ps.cost)] == 0
    tight = corridor_paths(
        net.edge_src, net.edge_dst, net.n_nodes, cost, np.ones(net.n_edges, bool),
        np.array([0]), np.array([4]), [sea], max_cost_ratio=middle / north - 0.01,
    )  # fmt: skip
    assert tight.cost.tolist() == [north]


def test_choice_set_drops_paths_that_revisit_a_node():
    net = _network()
    e = np.flatnonzero((net.edge_src == 2) & (net.edge_dst == 1))  # Samara -> Dostyk, backwards
    ps = corridor_paths(
        net.edge_src, net.edge_dst, net.n_nodes, _km_cost(net), np.ones(net.n_edges, bool),
        np.array([0]), np.array([4]), [e], max_cost_ratio=100.0,
    )  # fmt: skip
    assert ps.n_paths == 1  # only the cheapest: the forced detour would pass Dostyk twice


def test_russia_avoiding_class_never_uses_russian_or_belarusian_edges():
    net = _network()
    model = corridor.CorridorModel(
        network=net, keep=np.ones(net.n_edges, bool), cost_usd_per_t=_km_cost(net),
        edge_element=np.full(net.n_edges, -1), element_facility=np.zeros(0, np.int64),
        vdf=VolumeDelay(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int8)),
        value_of_time_usd_per_t_h=1.0, tonnes_per_teu=10.0, t_per_train=1000.0,
    )  # fmt: skip
    entries = pd.DataFrame({"cls": [0, corridor.AVOIDING_CLASS], "o": [0, 0], "d": [4, 4],
                            "t": [3.0, 2.0]})  # fmt: skip
    choice = rc.build_choice_set(net, model.cost_usd_per_t, model.keep, entries,
                                 corridor.AVOIDING_CLASS)  # fmt: skip
    res, flows, _ = corridor.assign_logit(model, choice, theta=1.0)
    ru_by = rc.avoided_edges(net)
    assert ru_by.sum() == 6  # Dostyk–Samara, Samara–Minsk, Minsk–Warsaw, both ways
    assert flows[corridor.AVOIDING_CLASS][ru_by].max() == 0.0
    into_pl = net.edge_dst == 4
    assert flows[corridor.AVOIDING_CLASS][into_pl].sum() == pytest.approx(2.0)
    # the others choose by logit between the two corridors
    north, middle = 2504.0, 3656.0
    p_north = 1 / (1 + math.exp(-1.0 * (middle - north) / north))
    transit_via_ru = flows[0][(net.edge_src == 3) & (net.edge_dst == 4)].sum()
    assert transit_via_ru == pytest.approx(3.0 * p_north, rel=1e-9)


def test_split_avoiding_moves_the_share_of_eligible_segments_only():
    od = pd.DataFrame({
        "segment": ["cn_eu_west", "cn_titr_east", "kz_exports_cn"],
        "t_per_yr": [100.0, 10.0, 50.0], "teu_per_yr": [10.0, 1.0, 0.0],
    })  # fmt: skip
    out = rc.split_avoiding(od, 0.25)
    assert out.t_per_yr.sum() == pytest.approx(160.0)
    avoid = out[out.avoids_ru_by]
    assert avoid.segment.tolist() == ["cn_eu_west", "cn_titr_east"]
    assert avoid.t_per_yr.tolist() == [25.0, 2.5]
    assert out.loc[~out.avoids_ru_by, "t_per_yr"].tolist() == [75.0, 7.5, 50.0]
    by_column = rc.split_avoiding(od.assign(ru_by_avoiding_share=[0.0, 1.0, 0.0]), None)
    assert by_column[by_column.avoids_ru_by].t_per_yr.tolist() == [10.0]
    with pytest.raises(InvalidInputError, match="must lie in"):
        rc.split_avoiding(od, 1.5)


def test_default_avoiding_share_and_dispersion_are_derived_from_the_figures():
    share, how, src = rc.avoiding_share()
    assert share == pytest.approx(0.35)
    assert "derived" in how and src == "dem-oecd-2023-middle-corridor"
    d = rc.dispersion()
    cv = (3295 - 2915) / (3295 + 2915)
    assert d.low == pytest.approx(1.16)
    assert d.high == pytest.approx(math.pi / math.sqrt(6) / cv)
    assert d.mid == pytest.approx(math.sqrt(d.low * d.high))


def test_run_flows_rejects_bad_route_choice_arguments():
    params = load_default_params()
    with pytest.raises(InvalidInputError, match="unknown route choice"):
        flows_run.run_flows(2024, network=_network(), params=params, route_choice="probit")
    with pytest.raises(InvalidInputError, match="dispersion"):
        flows_run.run_flows(2024, network=_network(), params=params, dispersion=-1.0)


def test_avoiding_demand_with_no_path_outside_russia_is_reported_not_assigned():
    net = _network()
    entries = pd.DataFrame({"cls": [corridor.AVOIDING_CLASS, 0], "o": [0, 0], "d": [2, 4],
                            "t": [5.0, 1.0]})  # fmt: skip
    cost = _km_cost(net)
    choice = rc.build_choice_set(net, cost, np.ones(net.n_edges, bool), entries,
                                 corridor.AVOIDING_CLASS)  # fmt: skip
    assert choice.no_path.tolist() == [True, False]  # Samara lies in Russia
    model = corridor.CorridorModel(
        network=net, keep=np.ones(net.n_edges, bool), cost_usd_per_t=cost,
        edge_element=np.full(net.n_edges, -1), element_facility=np.zeros(0, np.int64),
        vdf=VolumeDelay(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int8)),
        value_of_time_usd_per_t_h=1.0, tonnes_per_teu=10.0, t_per_train=1000.0,
    )  # fmt: skip
    _, flows, _ = corridor.assign_logit(model, choice, theta=1.0)
    assert flows[corridor.AVOIDING_CLASS].sum() == 0.0
    assert flows[0][net.edge_dst == 4].sum() == pytest.approx(1.0)
