"""Corridor assignment on a hand-made two-crossing network (China -> Kazakhstan)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from landbridge.costs.params import load_default_params
from landbridge.errors import InvalidInputError
from landbridge.flows import corridor
from landbridge.flows import run as flows_run
from landbridge.flows.capacity import sourced_capacity_t
from landbridge.flows.demand import load_regions
from landbridge.network.model import EdgeMode, Network, NodeKind

R, T = EdgeMode.RAIL, EdgeMode.TRANSFER
REG = load_regions()


def _at(region: str) -> tuple[float, float]:
    return float(REG.at[region, "lat"]), float(REG.at[region, "lon"])


NODES = [  # name, country, lat, lon
    ("Urumqi", "CN", *_at("cn-urumqi")),
    ("Alashankou", "CN", 45.19, 82.55),
    ("Dostyk", "KZ", 45.25, 82.49),
    ("Khorgos", "CN", 44.21, 80.41),
    ("Altynkol", "KZ", 44.18, 80.33),
    ("Almaty", "KZ", *_at("kz-almaty")),
    ("Aktogay", "KZ", 46.95, 79.65),
    ("Tashkent", "UZ", *_at("ca-tashkent")),
]
# Urumqi -> Almaty: 480 + 300 + 600 = 1,380 km via Dostyk, 670 + 330 = 1,000 km via Khorgos.
LINKS = [  # u, v, mode, km, country, facility
    (0, 1, R, 480.0, "CN", ""),
    (1, 2, T, 0.0, "KZ", "alashankou-dostyk"),
    (2, 6, R, 300.0, "KZ", ""),
    (6, 5, R, 600.0, "KZ", ""),
    (0, 3, R, 670.0, "CN", ""),
    (3, 4, T, 0.0, "KZ", "khorgos-altynkol"),
    (4, 5, R, 330.0, "KZ", ""),
    (5, 7, R, 800.0, "KZ", ""),
]
FACILITY_COLUMNS = [
    "facility_id", "name", "kind", "countries", "dwell_p50_h", "dwell_p90_h", "cost_usd_per_feu",
    "capacity_trains_per_day", "capacity_t_per_yr", "servers", "closed",
]  # fmt: skip


def _facilities(khorgos_closed: bool = False) -> pd.DataFrame:
    rows = [
        ("alashankou-dostyk", "Alashankou–Dostyk", "gauge_change", "CN-KZ", 8, 30.5, 329,
         28, 20_000_000, 2, False),
        ("khorgos-altynkol", "Khorgos–Altynkol", "gauge_change", "CN-KZ", 14.4, 34.8, 329,
         20, np.nan, 3, khorgos_closed),
    ]  # fmt: skip
    fac = pd.DataFrame(rows, columns=FACILITY_COLUMNS)
    fac["source_ids"] = ""
    return fac


def toy_network(khorgos_closed: bool = False) -> Network:
    fac = _facilities(khorgos_closed)
    countries = tuple(sorted({n[1] for n in NODES}))
    fidx = {f: i for i, f in enumerate(fac.facility_id)}
    src, dst, km, mode, cc, ef = [], [], [], [], [], []
    for u, v, m, length, c, f in LINKS:
        for a, b in ((u, v), (v, u)):
            src += [a]
            dst += [b]
            km += [length]
            mode += [int(m)]
            cc += [countries.index(c)]
            ef += [fidx[f] if f else -1]
    order = np.lexsort((np.array(dst), np.array(src)))
    pos = np.empty_like(order)
    pos[order] = np.arange(order.size)
    n, m = len(NODES), order.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(np.array(src), minlength=n), out=indptr[1:])
    return Network(
        node_lat=np.array([x[2] for x in NODES]),
        node_lon=np.array([x[3] for x in NODES]),
        node_country=np.array([countries.index(x[1]) for x in NODES], dtype=np.int16),
        node_gauge_mm=np.zeros(n, dtype=np.int16),
        node_kind=np.full(n, int(NodeKind.STATION), dtype=np.int8),
        node_name=np.array([x[0] for x in NODES], dtype=object),
        indptr=indptr,
        edge_src=np.array(src, dtype=np.int32)[order],
        edge_dst=np.array(dst, dtype=np.int32)[order],
        edge_length_km=np.array(km)[order],
        edge_mode=np.array(mode, dtype=np.int8)[order],
        edge_country=np.array(cc, dtype=np.int16)[order],
        edge_gauge_mm=np.zeros(m, dtype=np.int16),
        edge_facility=np.array(ef, dtype=np.int32)[order],
        edge_reverse=pos[np.arange(m) ^ 1][order].astype(np.int32),
        edge_geom_offset=np.zeros(m + 1, dtype=np.int64),
        geom_lonlat=np.zeros((0, 2), dtype=np.float32),
        countries=countries,
        facilities=fac,
    )


def _od(rows: list[tuple[str, str, str, str, str, float]]) -> pd.DataFrame:
    """Rows: (origin, destination, origin_group, destination_group, cargo_class, t_per_yr)."""
    frame = pd.DataFrame(
        rows,
        columns=["origin", "destination", "origin_group", "destination_group", "cargo_class",
                 "t_per_yr"],
    )  # fmt: skip
    frame["teu_per_yr"] = np.where(frame.cargo_class == "container", frame.t_per_yr / 10.0, 0.0)
    frame["year"], frame["segment"], frame["source_ids"] = 2024, "test", ""
    return frame


@pytest.fixture(scope="module")
def params():
    return load_default_params()


def _flow_through(result, facility_id: str) -> float:
    return next(b.flow_t for b in result.bottlenecks if b.facility_id == facility_id)


def test_khorgos_takes_flow_until_its_queue_equalises_costs(params):
    net = toy_network()
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 24e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od, route_choice="ue")
    khorgos, dostyk = (
        _flow_through(res, "khorgos-altynkol"),
        _flow_through(res, "alashankou-dostyk"),
    )
    assert khorgos + dostyk == pytest.approx(24e6, rel=1e-9)
    # 20 trains/day x 365 x 55 FEU x 20 t = 8.03 Mt is below the 16.1 Mt that crossed in 2025,
    # so the observed floor applies. The short route fills up to about that, then spills; at
    # routing's low value of time the queue lets it run a little over nominal capacity.
    cap = 16.1e6
    assert 0.9 * cap < khorgos < 1.3 * cap
    assert dostyk > 3e6  # without the queue all 24 Mt would take the short route
    assert res.bottlenecks[0].facility_id == "khorgos-altynkol"
    assert res.bottlenecks[0].capacity_t == pytest.approx(cap)
    assert res.bottlenecks[0].capacity_basis == "observed floor"
    assert res.bottlenecks[0].delay_h > res.bottlenecks[1].delay_h > 0
    assert res.assignment.converged


def test_used_routes_cost_the_same_at_equilibrium(params):
    net = toy_network()
    model = corridor.prepare(net, params)
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 24e6)])
    nodes = corridor.snap_regions(net, ["cn-urumqi", "kz-almaty"])
    assert nodes == {"cn-urumqi": 0, "kz-almaty": 5}
    classes = corridor.demand_classes(model, od, nodes)
    res, flows = corridor.assign_corridor(model, classes)
    queue = model.vdf.cost(res.element_flow)

    def route_cost(path: list[int]) -> float:
        total = 0.0
        for a, b in zip(path[:-1], path[1:], strict=True):
            e = np.flatnonzero((net.edge_src == a) & (net.edge_dst == b))[0]
            elem = model.edge_element[e]
            total += model.cost_usd_per_t[e] + (queue[elem] if elem >= 0 else 0.0)
        return total

    via_dostyk, via_khorgos = route_cost([0, 1, 2, 6, 5]), route_cost([0, 3, 4, 5])
    assert via_dostyk == pytest.approx(via_khorgos, rel=1e-3)


def test_closed_crossing_carries_nothing(params):
    net = toy_network(khorgos_closed=True)
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 5e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od)
    assert [b.facility_id for b in res.bottlenecks] == ["alashankou-dostyk"]
    assert res.bottlenecks[0].flow_t == pytest.approx(5e6)


def test_transit_shares_and_calibration(params):
    net = toy_network()
    od = _od([
        ("cn-urumqi", "ca-tashkent", "CN", "CA", "container", 3e6),
        ("cn-urumqi", "kz-almaty", "CN", "KZ", "bulk", 1e6),
    ])  # fmt: skip
    od["segment"] = ["cn_rest_west", "kz_exports_cn"]  # bundled segments: errors are reported
    res = flows_run.run_flows(2024, network=net, params=params, demand=od, route_choice="ue")
    shares = {s.corridor: s for s in res.corridor_shares}
    assert shares["Khorgos–Altynkol"].share == pytest.approx(1.0)  # uncongested: short route
    assert shares["Caspian Sea (Middle Corridor)"].flow_t == 0.0
    cal = {c.element: c for c in res.calibration}
    assert cal["Chinese transit through Kazakhstan"].modelled == pytest.approx(3e6)
    assert cal["Altynkol–Khorgos"].modelled == pytest.approx(4e6)
    pub = cal["Altynkol–Khorgos"].published
    assert pub == pytest.approx(32e6 * 4.2 / 10.1)
    assert cal["Altynkol–Khorgos"].error_pct == pytest.approx((4e6 - pub) / pub * 100)
    assert cal["Middle Corridor (TITR)"].error_pct is None
    assert res.demand_teu == pytest.approx(3e5)
    assert any("no sea links" in n for n in res.notes)


def test_growth_scales_demand(params):
    net = toy_network()
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 2e6)])
    res = flows_run.run_flows(2024, growth_pct=50, network=net, params=params, demand=od)
    assert res.demand_t == pytest.approx(3e6)
    assert sum(b.flow_t for b in res.bottlenecks) == pytest.approx(3e6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"growth_pct": -100}, "growth -100% is out of range"),
        ({"year": 2019}, "no demand for year 2019"),
        ({"demand": pd.DataFrame({"origin": ["cn-urumqi"]})}, "lacks columns"),
        ({"demand": _od([("cn-nowhere", "kz-almaty", "CN", "KZ", "bulk", 1.0)])}, "cn-nowhere"),
    ],
)
def test_bad_requests_are_typed_errors(params, kwargs, message):
    args = {"network": toy_network(), "params": params}
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=message):
        flows_run.run_flows(**args)


def test_capacity_from_trains_when_no_tonnage():
    fac = _facilities()
    cap = sourced_capacity_t(fac, 1100.0, 10.0)
    assert cap.tolist() == [20_000_000, 20 * 365 * 1100.0]


def test_hard_capacity_mode_names_both_crossings_when_demand_exceeds_them(params):
    """40 Mt against Dostyk 20 Mt + Khorgos 8.03 Mt: at most 28.03 Mt fit, both bind."""
    net = toy_network()
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 40e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od, hard_capacity=True)
    limit = res.max_throughput
    assert limit is not None
    assert limit.carried_t == pytest.approx(20e6 + 16.1e6, rel=1e-6)
    assert limit.carried_share == pytest.approx(36.1 / 40, rel=1e-6)
    assert {b.facility_id for b in limit.binding} == {"alashankou-dostyk", "khorgos-altynkol"}
    assert all(b.shadow_price == pytest.approx(1.0) for b in limit.binding)


def test_hard_capacity_mode_carries_everything_below_capacity(params):
    net = toy_network()
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 5e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od, hard_capacity=True)
    assert res.max_throughput.carried_t == pytest.approx(5e6)
    assert res.max_throughput.binding == []


def test_demand_cut_off_by_the_network_is_reported_not_assigned(params):
    """Moscow has no rail node within the snapping limit of the toy network."""
    net = toy_network()
    od = _od([
        ("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 2e6),
        ("cn-urumqi", "ru-moscow", "CN", "RU", "container", 1e6),
    ])  # fmt: skip
    res = flows_run.run_flows(2024, network=net, params=params, demand=od)
    assert res.demand_t == pytest.approx(3e6)
    assert res.unserved_t == pytest.approx(1e6)
    assert sum(b.flow_t for b in res.bottlenecks) == pytest.approx(2e6)
    assert any(n.endswith("regions without a rail node: ru-moscow") for n in res.notes)


def test_closing_every_crossing_leaves_all_demand_unserved(params):
    net = toy_network(khorgos_closed=True)
    fac = net.facilities.to_frame()
    fac.loc[fac.facility_id == "alashankou-dostyk", "closed"] = True
    net = dataclasses.replace(net, facilities=fac)
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 2e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od)
    assert res.unserved_t == pytest.approx(2e6)
    assert res.bottlenecks == []
    assert res.assignment.iterations == 0
    assert all(c.modelled == 0 for c in res.calibration if c.error_pct is not None)


def test_hard_capacity_finds_a_bottleneck_on_a_route_the_equilibrium_does_not_use(params):
    """16.2 Mt against Khorgos 16.1 Mt: the equilibrium keeps everything on Khorgos (its queue
    stays cheaper than the Dostyk detour), yet the LP also offers the Dostyk route, whose 0.05 Mt
    capacity binds: at most 16.15 Mt fit. (Dostyk renamed: its observed throughput would floor
    the 0.05 Mt.)"""
    net = toy_network()
    fac = net.facilities.to_frame()
    dostyk = fac.facility_id == "alashankou-dostyk"
    fac.loc[dostyk, ["facility_id", "capacity_t_per_yr"]] = ["toy-dostyk", 0.05e6]
    net = dataclasses.replace(net, facilities=fac)
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 16.2e6)])
    res = flows_run.run_flows(
        2024, network=net, params=params, demand=od, hard_capacity=True, route_choice="ue"
    )
    assert _flow_through(res, "toy-dostyk") == 0.0
    limit = res.max_throughput
    assert limit.paths == 2
    assert limit.carried_t == pytest.approx(16.15e6, rel=1e-9)
    binding = {b.facility_id: b for b in limit.binding}
    assert set(binding) == {"toy-dostyk", "khorgos-altynkol"}
    assert binding["toy-dostyk"].flow_t == pytest.approx(0.05e6)


def test_hard_capacity_lists_facilities_without_a_capacity_figure(params):
    net = toy_network()
    fac = net.facilities.to_frame()
    # a kind without an estimate rule and no observed throughput: nothing to go by
    khorgos = fac.facility_id == "khorgos-altynkol"
    columns = ["facility_id", "kind", "capacity_trains_per_day"]
    fac.loc[khorgos, columns] = ["toy-yard", "yard", np.nan]
    net = dataclasses.replace(net, facilities=fac)
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 40e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od, hard_capacity=True)
    limit = res.max_throughput
    assert limit.uncapacitated == ["toy-yard"]
    assert limit.carried_t == pytest.approx(40e6)  # the uncapacitated crossing takes the rest
    assert limit.binding == []


def test_logit_spreads_flow_over_both_crossings_and_converges(params):
    net = toy_network()
    od = _od([("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 2e6)])
    res = flows_run.run_flows(2024, network=net, params=params, demand=od, dispersion=2.0)
    khorgos, dostyk = (
        _flow_through(res, "khorgos-altynkol"), _flow_through(res, "alashankou-dostyk")
    )  # fmt: skip
    assert khorgos + dostyk == pytest.approx(2e6)
    assert 0 < dostyk < khorgos  # the dearer route keeps a share
    assert res.assignment.algorithm == "logit-sue"
    assert res.assignment.converged and res.assignment.dispersion == 2.0
    sharper = flows_run.run_flows(2024, network=net, params=params, demand=od, dispersion=20.0)
    assert _flow_through(sharper, "alashankou-dostyk") < dostyk
