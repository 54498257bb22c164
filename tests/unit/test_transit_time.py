"""The parts-based time model: corridor-state correlation, p10, declared parameters, re-pricing."""

from __future__ import annotations

import numpy as np
import pytest
from test_routing_toy import build_network

from landbridge.costs import transit
from landbridge.costs.params import load_default_params
from landbridge.costs.time import TimeParts, transit_p10_p50_p90_h
from landbridge.routing.evaluate import Shipment, evaluate_path
from landbridge.routing.places import resolve_on_network
from landbridge.routing.plan import edge_costs, plan_routes_with_paths
from landbridge.schema.route import RouteRequest

PARAMS = load_default_params()
TT = transit.transit_time(PARAMS)


def _lognormal(p50: float, p90: float, rho: float) -> TimeParts:
    return TimeParts(np.array([p50]), np.array([p90]), np.zeros(0), 0.0, corridor_rho=rho)


def test_correlation_keeps_each_part_and_widens_the_sum() -> None:
    for rho in (0.0, 0.5, 1.0):  # one part: its own lognormal whatever the correlation
        p10, p50, p90 = transit_p10_p50_p90_h(_lognormal(10.0, 30.0, rho))
        assert p50 == pytest.approx(10.0, rel=0.03)
        assert p90 == pytest.approx(30.0, rel=0.05)
        assert p10 == pytest.approx(10.0 * 10.0 / 30.0, rel=0.05)  # symmetric in log
    parts = [
        TimeParts(np.array([10.0, 100.0]), np.array([72.0, 125.0]), np.array([96.0]), 5.0,
                  corridor_rho=rho)
        for rho in (0.0, 0.5, 1.0)
    ]  # fmt: skip
    spreads = [q[2] - q[0] for q in map(transit_p10_p50_p90_h, parts)]
    assert spreads[0] < spreads[1] < spreads[2]
    # comonotone parts: the quantiles of the sum are the sums of the parts' quantiles
    p10, p50, p90 = transit_p10_p50_p90_h(parts[2])
    assert p90 == pytest.approx(72.0 + 125.0 + 0.9 * 96.0 + 5.0, rel=0.04)  # MC: 4000 draws
    assert p50 == pytest.approx(10.0 + 100.0 + 48.0 + 5.0, rel=0.02)
    assert p10 == pytest.approx(10 / 7.2 + 100 / 1.25 + 9.6 + 5.0, rel=0.04)
    # independent parts: the Monte Carlo p50 of two uniforms is the analytic one
    waits = TimeParts(np.zeros(0), np.zeros(0), np.array([100.0, 100.0]), 0.0)
    assert transit_p10_p50_p90_h(waits)[1] == pytest.approx(100.0, rel=0.02)


def test_declared_parameters_set_the_parts_they_name() -> None:
    assert TT.running_role("CN") == TT.index("delay_factor_cn")
    assert TT.running_role("KZ") == TT.index("delay_factor_kz")
    assert TT.running_role("DE") == TT.index("delay_factor_eu")
    assert TT.running_role("AZ") == TT.index("delay_factor_other")  # the '*' row
    assert TT.facility_role("alashankou-dostyk", "gauge_change", "CN-KZ") == TT.index(
        "cn_kz_dwell_p50_h"
    )
    assert TT.facility_role("x", "gauge_change", "BY-PL") == TT.index("eu_entry_dwell_p50_h")
    assert TT.facility_role("x", "gauge_change", "GE-TR") == transit.NO_ROLE
    assert TT.facility_role("aktau-alat-feeder", "feeder", "AZ-KZ") == TT.index(
        "caspian_wait_scale"
    )
    role = TT.index("eu_entry_dwell_p50_h")
    p50 = TT.value[role]
    assert transit.dwell_h(TT, role, 10.0, 1.0) == (p50, p50 * TT.p90_over_p50[role])
    assert transit.dwell_h(TT, role, 10.0, 1e4) == (p50, 1e4)  # a longer sourced p90 stays


def test_reparametrised_parts_equal_a_repricing_at_the_new_values() -> None:
    """The calibration re-prices fixed paths: it must give what the model gives."""
    net = build_network()
    response, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), net, PARAMS, resolve_on_network
    )
    lower = {k: TT.lower[i] for i, k in enumerate(TT.keys) if TT.kind[i] == "dwell"}
    ref_params = transit.with_values(PARAMS, lower)
    ref_tt = transit.transit_time(ref_params)
    trial = {k: (TT.lower[i] + TT.upper[i]) / 2 for i, k in enumerate(TT.keys)}
    trial_params = transit.with_values(PARAMS, trial)
    value = transit.transit_time(trial_params).value
    for option, edges in zip(response.options, paths, strict=True):
        ref = evaluate_path(net, edge_costs(net, ref_params), edges, Shipment(1, 20),
                            option.corridor, option.label).parts  # fmt: skip
        direct = evaluate_path(net, edge_costs(net, trial_params), edges, Shipment(1, 20),
                               option.corridor, option.label).parts  # fmt: skip
        again = transit.reparametrised(ref, ref_tt, value)
        np.testing.assert_allclose(again.lognormal_p50_h, direct.lognormal_p50_h, rtol=1e-9)
        np.testing.assert_allclose(again.lognormal_p90_h, direct.lognormal_p90_h, rtol=1e-9)
        np.testing.assert_allclose(again.headway_h, direct.headway_h, rtol=1e-9)
        assert again.corridor_rho == direct.corridor_rho
        assert transit_p10_p50_p90_h(again) == pytest.approx(transit_p10_p50_p90_h(direct))


def test_options_carry_p10_and_scope() -> None:
    net = build_network()
    response, _ = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), net, PARAMS, resolve_on_network
    )
    for option in response.options:
        days = option.transit_days
        assert 0 < days.p10 < days.p50 < days.p90
        assert option.scope == "terminal to terminal"
        # Xi'an - Duisburg is case C01 of the calibration set (northern): beside those options
        expected = "C01" if option.corridor == "northern" else None
        assert (option.published.case if option.published else None) == expected
    ids = {s.source_id for s in response.sources}
    assert "cpmm-2023-prc" in ids  # the CN delay factor's bounds cite CPMM


def test_door_to_door_adds_the_carriage_to_every_quantile() -> None:
    net = build_network()
    base, _ = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), net, PARAMS, resolve_on_network
    )
    door, _ = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg", scope="door to door"), net, PARAMS,
        resolve_on_network,
    )  # fmt: skip
    keys, p50, p90 = TT.carriage_h()
    assert keys == ["pre_carriage_h", "on_carriage_h"]
    by_label = {o.label: o for o in base.options}
    for option in door.options:
        t2t = by_label[option.label]
        assert option.scope == "door to door"
        assert option.time_breakdown_h.carriage == pytest.approx(p50.sum())
        for q in ("p10", "p50", "p90"):
            added = getattr(option.transit_days, q) - getattr(t2t.transit_days, q)
            # more than the carriage's own p10s, less than its p90s (one corridor state)
            assert p50.sum() / 1.5 / 24 - 0.01 < added < p90.sum() / 24 + 0.01
    assert any(s.source_id == "val-xinhua-2013-chengdu-lodz" for s in door.sources)


def test_a_region_takes_its_own_delay_factor_and_sections_keep_theirs() -> None:
    """Xinjiang (west of 95 E) runs at its own factor; a rail edge on a capacity section
    (Dostyk-Moyinty) keeps its country's factor, so the calibration re-prices it."""
    from landbridge.network.model import EdgeMode
    from landbridge.routing.plan import load_bundled_network

    xj, cn, kz = (TT.index(k) for k in ("delay_factor_cn_xj", "delay_factor_cn",
                                        "delay_factor_kz"))  # fmt: skip
    places = np.array(["CN", "CN", "KZ"], dtype=object)
    assert transit.region_roles(TT, places, np.array([87.6, 108.9, 76.9])).tolist() == [
        xj, transit.NO_ROLE, transit.NO_ROLE,
    ]  # fmt: skip
    net = load_bundled_network()
    costs = edge_costs(net, PARAMS)
    rail = net.edge_mode == EdgeMode.RAIL
    lon = (net.node_lon[net.edge_src] + net.node_lon[net.edge_dst]) / 2.0
    in_cn = rail & (net.edge_country == net.country_id("CN"))
    assert set(costs.time_role[in_cn & (lon < 95.0)].tolist()) == {xj}
    assert set(costs.time_role[in_cn & (lon >= 95.0)].tolist()) == {cn}
    ids = net.facilities["facility_id"]
    section = rail & np.isin(net.edge_facility, np.flatnonzero(ids == "dostyk-moyinty"))
    assert section.sum() > 0 and set(costs.time_role[section].tolist()) == {kz}
    response, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg", corridor="northern"), net, PARAMS
    )
    lower = {k: TT.lower[i] for i, k in enumerate(TT.keys) if TT.kind[i] == "dwell"}
    ref_params = transit.with_values(PARAMS, lower)
    trial = transit.with_values(PARAMS, {"delay_factor_kz": 2.0, "delay_factor_cn_xj": 2.5})
    option, edges = response.options[0], paths[0]
    ref = evaluate_path(net, edge_costs(net, ref_params), edges, Shipment(1, 20),
                        option.corridor, option.label).parts  # fmt: skip
    direct = evaluate_path(net, edge_costs(net, trial), edges, Shipment(1, 20),
                           option.corridor, option.label).parts  # fmt: skip
    again = transit.reparametrised(ref, transit.transit_time(ref_params),
                                   transit.transit_time(trial).value)  # fmt: skip
    np.testing.assert_allclose(again.lognormal_p50_h, direct.lognormal_p50_h, rtol=1e-9)
