"""Time, tariff and emission models: analytic answers, and per-edge arrays on the toy network."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_routing_toy import build_network

from landbridge.costs import emissions, tariff, time
from landbridge.costs.edges import compute_edge_costs
from landbridge.costs.params import load_default_params
from landbridge.costs.transit import transit_time
from landbridge.distributions import lognormal_sigma
from landbridge.errors import ParameterError
from landbridge.network.model import EdgeMode
from landbridge.schema.params import ParamsOverride


def test_running_and_sailing_hours() -> None:
    assert time.running_h(1000.0, 50.0) == pytest.approx(20.0)
    np.testing.assert_allclose(time.sailing_h(np.array([300.0, 25.0]), 25.0), [12.0, 1.0])
    np.testing.assert_allclose(time.mean_wait_h(np.array([96.0, 0.0])), [48.0, 0.0])


def test_lognormal_sigma_puts_the_p90_where_asked() -> None:
    sigma = lognormal_sigma(np.array([10.0, 10.0, 0.0]), np.array([30.0, 5.0, 3.0]))
    assert stats.lognorm.ppf(0.9, sigma[0], scale=10.0) == pytest.approx(30.0)
    assert sigma[1] == 0.0 and sigma[2] == 0.0  # p90 below p50, or no p50: no spread


def test_monte_carlo_matches_analytic_quantiles() -> None:
    one = time.TimeParts(np.array([10.0]), np.array([30.0]), np.empty(0), 5.0)
    p50, p90 = time.transit_quantiles_h(one)
    assert p50 == pytest.approx(15.0, rel=0.02)
    assert p90 == pytest.approx(35.0, rel=0.03)
    wait = time.TimeParts(np.empty(0), np.empty(0), np.array([100.0]), 0.0)
    p50, p90 = time.transit_quantiles_h(wait)
    assert p50 == pytest.approx(50.0, rel=0.03)
    assert p90 == pytest.approx(90.0, rel=0.02)
    fixed = time.TimeParts(np.empty(0), np.empty(0), np.empty(0), 7.0)
    assert time.transit_quantiles_h(fixed) == (7.0, 7.0)


def test_monte_carlo_is_deterministic_and_sums_parts() -> None:
    parts = time.TimeParts(np.array([10.0, 20.0]), np.array([15.0, 40.0]), np.array([48.0]), 12.0)
    assert time.transit_quantiles_h(parts) == time.transit_quantiles_h(parts)
    p50, p90 = time.transit_quantiles_h(parts)
    assert 12.0 + 30.0 < p50 < p90 < 12.0 + 55.0 + 48.0


def test_tariff_and_emission_formulas() -> None:
    np.testing.assert_allclose(
        tariff.line_haul_usd_per_feu(np.array([100.0, 0.0]), 0.5), [50.0, 0.0]
    )
    assert tariff.shipment_usd(300.0, 2.5) == pytest.approx(750.0)
    diesel, kwh = 0.0222, 0.027
    factors = emissions.rail_kg_per_tkm(np.array([0.0, 1.0, 0.5]), 800.0, kwh, diesel)
    np.testing.assert_allclose(factors, [diesel, kwh * 0.8, 0.5 * diesel + 0.5 * kwh * 0.8])
    assert emissions.co2e_kg(20.0, 1000.0, 0.02) == pytest.approx(400.0)
    assert emissions.shipment_tonnes(2.0, 10.0) == 20.0


def _edge(net, src_name: str, dst_name: str) -> int:
    names = list(net.node_name)
    u, v = names.index(src_name), names.index(dst_name)
    return int(np.flatnonzero((net.edge_src == u) & (net.edge_dst == v))[0])


def test_edge_arrays_on_the_toy_network() -> None:
    net = build_network()
    params = load_default_params()
    costs = compute_edge_costs(net, params)
    e = _edge(net, "Dostyk", "Almaty")  # 900 km KZ rail
    tt = transit_time(params)
    delay = tt.value[tt.index("delay_factor_kz")]  # running at commercial speed in Kazakhstan
    assert costs.running_p50_h[e] == pytest.approx(
        900 / params.value("rail_speed", "KZ", "speed_p50_kmh") * delay
    )
    assert costs.running_p90_h[e] == pytest.approx(
        900 / params.value("rail_speed", "KZ", "speed_p90_kmh") * delay
    )
    assert costs.linehaul_usd_per_feu[e] == pytest.approx(900 * params.value("rail_tariff", "KZ"))
    share, grid = params.value("electric_share", "KZ"), params.value("grid_intensity", "KZ")
    factor = share * params.factor("rail_electric") * grid / 1000 + (1 - share) * params.factor(
        "rail_diesel"
    )
    assert costs.co2e_kg_per_t[e] == pytest.approx(900 * factor)
    # a crossing row without values takes the 'crossing' defaults
    k = _edge(net, "Smolensk", "Osinovka")
    assert net.edge_mode[k] == EdgeMode.BORDER
    assert costs.dwell_p50_h[k] == params.value("facility_defaults", "crossing", "dwell_p50_h")
    assert costs.fixed_usd_per_feu[k] == params.value(
        "facility_defaults", "crossing", "cost_usd_per_feu"
    )
    # the ferry: own headway and speed, no dwell, GLEC Ro-Pax factor
    f = _edge(net, "Aktau port", "Baku port")
    assert costs.headway_h[f] == 96.0 and costs.sailing_h[f] == pytest.approx(450 / 25.0)
    assert costs.co2e_kg_per_t[f] == pytest.approx(450 * params.factor("ferry"))
    # the ocean leg has no own charge: per-km freight from scalars
    o = _edge(net, "Lianyungang port", "Rotterdam port")
    assert costs.linehaul_usd_per_feu[o] == pytest.approx(
        20000 * params.scalar("ocean_freight_usd_per_feu_km")
    )
    assert costs.fixed_usd_per_feu[o] == 0.0
    assert (costs.weight > 0).all()


def test_facility_override_by_id_beats_the_network_row() -> None:
    net = build_network()
    params = load_default_params().with_overrides(
        ParamsOverride.model_validate(
            {"facilities": {"alashankou-dostyk": {"cost_usd_per_feu": 1.0}}}
        ),
        "test",
    )
    costs = compute_edge_costs(net, params)
    e = _edge(net, "Alashankou", "Dostyk")
    assert costs.fixed_usd_per_feu[e] == 1.0
    # dwell not overridden: the declared China-Kazakhstan dwell beats the network row (12 h)
    tt = transit_time(params)
    assert costs.dwell_p50_h[e] == tt.value[tt.index("cn_kz_dwell_p50_h")] != 12.0
    assert costs.facilities.overridden[net.edge_facility[e]]
    dwell = load_default_params().with_overrides(
        ParamsOverride.model_validate({"facilities": {"alashankou-dostyk": {"dwell_p50_h": 3.0}}}),
        "test",
    )
    assert compute_edge_costs(net, dwell).dwell_p50_h[e] == 3.0  # the user's file beats both


def test_unknown_facility_override_is_refused_with_a_suggestion() -> None:
    params = load_default_params().with_overrides(
        ParamsOverride.model_validate({"facilities": {"alashankou-dostik": {"dwell_p50_h": 1.0}}}),
        "p.yaml",
    )
    with pytest.raises(
        ParameterError,
        match=r"p\.yaml: facilities\.alashankou-dostik: .*did you mean alashankou-dostyk",
    ):
        compute_edge_costs(build_network(), params)


def test_remembered_quantiles_are_the_drawn_ones_and_follow_every_part() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        k, j, c = rng.integers(0, 5, size=3)
        p50 = rng.uniform(1, 50, k)
        parts = time.TimeParts(
            lognormal_p50_h=p50, lognormal_p90_h=p50 * rng.uniform(1, 3, k),
            headway_h=rng.uniform(0, 100, j), fixed_h=float(rng.uniform(0, 30)),
            closure_share=rng.uniform(0, 0.3, c), closure_h=rng.uniform(0, 48, c),
        )  # fmt: skip
        drawn = time._simulated_quantiles_h(parts, time.DRAWS, time.SEED)
        assert time.transit_p10_p50_p90_h(parts) == drawn
        assert time.transit_p10_p50_p90_h(parts) == drawn  # from memory now
        assert time.transit_quantiles_h(parts) == drawn[1:]
        if j:
            longer = time.TimeParts(
                parts.lognormal_p50_h, parts.lognormal_p90_h, parts.headway_h * 2,
                parts.fixed_h, parts.closure_share, parts.closure_h,
            )  # fmt: skip
            assert time.transit_p10_p50_p90_h(longer) != drawn
