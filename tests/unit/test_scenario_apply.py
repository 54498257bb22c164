"""Validation against a network and each modification's effect on a hand-made network."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from test_scenario_toy import check_csr, toy_demand, toy_network, toy_params

from landbridge.costs.params import RowRef
from landbridge.errors import ScenarioError
from landbridge.network.model import EdgeMode, Network
from landbridge.scenarios.apply import apply_scenario
from landbridge.scenarios.load import scenario_from_data
from landbridge.scenarios.modifications.close_crossing import closed_share_of_year
from landbridge.scenarios.validate import validate_scenario
from landbridge.schema.scenario import Scenario


def scenario(*mods: dict, **base: object) -> Scenario:
    return scenario_from_data(
        {"name": "t", "base": {"year": 2023, **base}, "modifications": list(mods)}
    )


def fac(net: Network, fid: str, column: str) -> float:
    return float(net.facilities.number(net.facilities.row_of(fid), column))


def edges_of(net: Network, fid: str) -> np.ndarray:
    rows = np.flatnonzero(net.facilities["facility_id"] == fid)
    return np.flatnonzero(np.isin(net.edge_facility, rows))


def node(net: Network, name: str) -> int:
    return int(np.flatnonzero(net.node_name == name)[0])


def has_link(net: Network, a: str, b: str) -> bool:
    s, d = node(net, a), node(net, b)
    return bool(np.any((net.edge_src == s) & (net.edge_dst == d)))


def snapshot(net: Network) -> dict:
    return {
        "arrays": {k: v.copy() for k, v in vars(net).items() if isinstance(v, np.ndarray)},
        "facilities": net.facilities.to_frame(),
        "meta": dict(net.meta),
    }


def assert_unchanged(net: Network, snap: dict) -> None:
    for name, arr in snap["arrays"].items():
        assert np.array_equal(getattr(net, name), arr), name
    assert net.facilities.to_frame().equals(snap["facilities"])
    assert net.meta == snap["meta"]


# --- validation ----------------------------------------------------------------------------


def _validation_error(s: Scenario) -> str:
    with pytest.raises(ScenarioError) as info:
        validate_scenario(s, toy_network(), toy_demand(), source="my.yaml")
    return str(info.value)


def test_unknown_facility_names_file_modification_field_and_near_match() -> None:
    msg = _validation_error(
        scenario(
            {"type": "close_crossing", "facility": "khorgos"},
        )
    )
    assert msg.startswith("my.yaml: modification 0 (close_crossing): field 'facility'")
    assert "unknown facility 'khorgos'" in msg
    assert "did you mean: khorgos-altynkol" in msg
    assert "allowed: " in msg and "alashankou-dostyk" in msg


def test_every_problem_is_listed_once() -> None:
    msg = _validation_error(
        scenario(
            {"type": "avoid_country", "country": "XX"},
            {"type": "set_dwell", "facility": "aktau-bak", "factor": 2},
            {"type": "scale_demand", "factor": 2, "od": {"origin": "Urumchi"}},
        )
    )
    assert "modification 0 (avoid_country): field 'country': unknown country 'XX'" in msg
    assert "allowed: AZ, CN, KZ, RU" in msg
    assert "modification 1 (set_dwell): field 'facility'" in msg
    assert "modification 2 (scale_demand): field 'od.origin'" in msg
    assert "did you mean: Urumqi" in msg


def test_wrong_facility_kind_lists_fitting_facilities() -> None:
    msg = _validation_error(
        scenario({"type": "set_ferry_fleet", "facility": "khorgos-altynkol", "fleet": 3})
    )
    assert "is a gauge_change, this modification needs a ferry or feeder" in msg
    assert "allowed: aktau-baku" in msg


def test_add_link_checks_places_and_gauges() -> None:
    msg = _validation_error(
        scenario(
            {
                "type": "add_link",
                "from_place": "Tachng",
                "to_place": "Ayagoz",
                "length_km": 297,
                "gauge_mm": 1520,
                "capacity": {"value": 20, "unit": "mt_per_yr"},
            }
        )
    )
    assert "field 'from_place': unknown place 'Tachng'; did you mean: Tacheng" in msg
    gauge = _validation_error(
        scenario(
            {
                "type": "add_link",
                "from_place": "Tacheng",
                "to_place": "Ayagoz",
                "length_km": 297,
                "gauge_mm": 1520,
                "capacity": {"value": 20, "unit": "mt_per_yr"},
            }
        )
    )
    assert "Tacheng is in the 1435 mm area" in gauge
    assert "different countries" in gauge


def test_nothing_is_applied_when_validation_fails() -> None:
    net = toy_network()
    snap = snapshot(net)
    s = scenario(
        {
            "type": "set_capacity",
            "facility": "dostyk-moyinty",
            "value": 60,
            "unit": "trains_per_day",
        },
        {"type": "close_crossing", "facility": "nowhere"},
    )
    with pytest.raises(ScenarioError):
        apply_scenario(s, net, toy_params(), toy_demand())
    assert_unchanged(net, snap)


# --- effects ---------------------------------------------------------------------------------


def test_base_is_never_mutated_by_any_modification() -> None:
    net, params, demand = toy_network(), toy_params(), toy_demand()
    snap, params0, demand0 = snapshot(net), toy_params(), demand.copy()
    s = scenario(
        {"type": "close_crossing", "facility": "khorgos-altynkol"},
        {"type": "set_capacity", "facility": "alashankou-dostyk", "value": 5, "unit": "mt_per_yr"},
        {"type": "set_ferry_fleet", "facility": "aktau-baku", "fleet": 8},
        {"type": "scale_demand", "factor": 2},
        {"type": "set_tariff", "country": "KZ", "value": 0.9, "unit": "usd_per_feu_km"},
        {"type": "set_tariff", "facility": "aktau-baku", "factor": 0.5},
        {"type": "set_dwell", "facility": "alashankou-dostyk", "dwell_p50_h": 2},
        {"type": "avoid_country", "country": "RU"},
        {
            "type": "add_link",
            "from_place": "Tacheng",
            "to_place": "Ayagoz",
            "length_km": 297,
            "gauge_mm": 1520,
            "capacity": {"value": 20, "unit": "mt_per_yr"},
            "crossing": {
                "facility_id": "tacheng-bakhty",
                "name": "Bakhty",
                "like": "alashankou-dostyk",
            },
        },
    )
    out_net, out_params, out_demand = apply_scenario(s, net, params, demand)
    assert_unchanged(net, snap)
    assert params.value("rail_tariff", "KZ") == params0.value("rail_tariff", "KZ") != 0.9
    assert demand.equals(demand0)
    # and the outputs do not share memory with the base
    out_net.edge_length_km[:] = -1
    with pytest.raises(ValueError, match="read-only"):  # facility columns cannot change in place
        out_net.facilities["dwell_p50_h"][:] = -1
    assert_unchanged(net, snap)
    check_csr(out_net)
    assert out_params.value("rail_tariff", "KZ") == 0.9
    assert out_demand["feu_per_yr"].tolist() == [2000.0, 4000.0, 600.0]


def test_permanent_closure_removes_both_directions() -> None:
    net = toy_network()
    out, _, _ = apply_scenario(
        scenario({"type": "close_crossing", "facility": "khorgos-altynkol"}), net
    )
    assert edges_of(net, "khorgos-altynkol").size == 2
    assert edges_of(out, "khorgos-altynkol").size == 0
    assert out.n_edges == net.n_edges - 2
    assert not has_link(out, "Khorgos", "Altynkol") and not has_link(out, "Altynkol", "Khorgos")
    assert has_link(out, "Alashankou", "Dostyk")
    check_csr(out)
    assert out.meta["closures"] == [
        {"facility_id": "khorgos-altynkol", "from_date": None, "to_date": None, "reason": ""}
    ]


def test_dated_closure_cuts_annual_capacity_and_routes_only_inside_window() -> None:
    closure = {
        "type": "close_crossing",
        "facility": "khorgos-altynkol",
        "from_date": "2023-07-03",
        "to_date": "2023-07-09",
    }
    outside, _, _ = apply_scenario(scenario(closure, departure_date="2023-08-01"), toy_network())
    inside, _, _ = apply_scenario(scenario(closure, departure_date="2023-07-05"), toy_network())
    assert edges_of(outside, "khorgos-altynkol").size == 2
    assert edges_of(inside, "khorgos-altynkol").size == 0
    assert fac(outside, "khorgos-altynkol", "capacity_t_per_yr") == pytest.approx(8e6 * 358 / 365)
    assert fac(outside, "khorgos-altynkol", "capacity_trains_per_day") == pytest.approx(
        15 * 358 / 365
    )
    assert outside.meta["closures"][0]["from_date"] == "2023-07-03"


def test_closed_share_of_year_clips_to_the_year() -> None:
    import datetime as dt

    assert closed_share_of_year(dt.date(2023, 12, 25), dt.date(2024, 1, 10), 2023) == pytest.approx(
        7 / 365
    )
    assert closed_share_of_year(dt.date(2024, 1, 1), dt.date(2024, 12, 31), 2024) == 1.0
    assert closed_share_of_year(dt.date(2022, 1, 1), dt.date(2022, 2, 1), 2023) == 0.0


@pytest.mark.parametrize(
    ("unit", "value", "column", "expected"),
    [
        ("train_pairs_per_day", 60, "capacity_trains_per_day", 60.0),
        ("trains_per_day", 28, "capacity_trains_per_day", 28.0),
        ("mt_per_yr", 35, "capacity_t_per_yr", 35e6),
        ("teu_per_yr", 240_000, "capacity_teu_per_yr", 240_000.0),
        ("t_per_yr", 1234, "capacity_t_per_yr", 1234.0),
        ("servers", 6, "servers", 6.0),
    ],
)
def test_set_capacity_units(unit: str, value: float, column: str, expected: float) -> None:
    s = scenario(
        {"type": "set_capacity", "facility": "dostyk-moyinty", "value": value, "unit": unit}
    )
    out, _, _ = apply_scenario(s, toy_network())
    assert fac(out, "dostyk-moyinty", column) == pytest.approx(expected)


def test_set_ferry_fleet_scales_headway_with_vessels() -> None:
    out, _, _ = apply_scenario(
        scenario({"type": "set_ferry_fleet", "facility": "aktau-baku", "fleet": 8}), toy_network()
    )
    assert fac(out, "aktau-baku", "fleet") == 8
    assert fac(out, "aktau-baku", "headway_h") == pytest.approx(72.0 * 4 / 8)
    given, _, _ = apply_scenario(
        scenario(
            {
                "type": "set_ferry_fleet",
                "facility": "aktau-baku",
                "fleet": 2,
                "headway_h": 24,
                "vessel_capacity_feu": 350,
            }
        ),
        toy_network(),
    )
    assert fac(given, "aktau-baku", "headway_h") == 24
    assert fac(given, "aktau-baku", "vessel_capacity_feu") == 350


def test_set_ferry_fleet_scales_yearly_capacity_with_fleet_times_size() -> None:
    net = toy_network()
    fac_table = net.facilities.to_frame()
    fac_table.loc[fac_table["facility_id"] == "aktau-baku", "capacity_t_per_yr"] = 890_000.0
    net = dataclasses.replace(net, facilities=fac_table)
    s = scenario(
        {"type": "set_ferry_fleet", "facility": "aktau-baku", "fleet": 8, "vessel_capacity_feu": 75}
    )
    out, _, _ = apply_scenario(s, net)
    # 4 vessels x 50 FEU -> 8 x 75 FEU: three times the lift
    assert fac(out, "aktau-baku", "capacity_t_per_yr") == pytest.approx(3 * 890_000.0)


def test_scale_demand_with_od_filter_and_pct() -> None:
    s = scenario(
        {"type": "scale_demand", "pct": -50, "od": {"origin": "Urumqi", "destination": "Baku"}}
    )
    _, _, out = apply_scenario(s, toy_network(), demand=toy_demand())
    assert out["feu_per_yr"].tolist() == [500.0, 2000.0, 300.0]
    assert out["t_per_yr"].tolist() == [10000.0, 40000.0, 6000.0]


def test_set_tariff_facility_and_country() -> None:
    s = scenario(
        {
            "type": "set_tariff",
            "facility": "alashankou-dostyk",
            "value": 100,
            "unit": "usd_per_feu",
        },
        {"type": "set_tariff", "facility": "khorgos-altynkol", "factor": 1.5},
        {"type": "set_tariff", "country": "cn", "factor": 2},
    )
    out, params, _ = apply_scenario(s, toy_network(), toy_params())
    assert fac(out, "alashankou-dostyk", "cost_usd_per_feu") == 100
    assert fac(out, "khorgos-altynkol", "cost_usd_per_feu") == pytest.approx(450)
    base = toy_params().value("rail_tariff", "CN")
    assert params.value("rail_tariff", "CN") == pytest.approx(2 * base)
    assert any("scenario t" in a for a in params.sources_of([RowRef("rail_tariff", "CN")])[1])


def test_country_tariff_without_params_is_a_scenario_error() -> None:
    s = scenario({"type": "set_tariff", "country": "KZ", "factor": 2})
    with pytest.raises(ScenarioError, match="set_tariff country KZ: no parameter set"):
        apply_scenario(s, toy_network(), None)


def test_set_dwell_hours_and_factor() -> None:
    out, _, _ = apply_scenario(
        scenario({"type": "set_dwell", "facility": "alashankou-dostyk", "dwell_p50_h": 4.25}),
        toy_network(),
    )
    assert fac(out, "alashankou-dostyk", "dwell_p50_h") == 4.25
    assert fac(out, "alashankou-dostyk", "dwell_p90_h") == 10.0
    raised, _, _ = apply_scenario(
        scenario({"type": "set_dwell", "facility": "alashankou-dostyk", "dwell_p50_h": 12}),
        toy_network(),
    )
    assert fac(raised, "alashankou-dostyk", "dwell_p90_h") == 12.0
    halved, _, _ = apply_scenario(
        scenario({"type": "set_dwell", "facility": "khorgos-altynkol", "factor": 0.5}),
        toy_network(),
    )
    assert fac(halved, "khorgos-altynkol", "dwell_p50_h") == 2.5
    assert fac(halved, "khorgos-altynkol", "dwell_p90_h") == 4.5


def test_avoid_country_removes_its_edges_and_border_facilities() -> None:
    net = toy_network()
    out, _, _ = apply_scenario(scenario({"type": "avoid_country", "country": "RU"}), net)
    ru = net.country_id("RU")
    assert not np.any(out.edge_country == ru)
    assert not np.any(out.node_country[out.edge_dst] == ru)
    assert edges_of(out, "petropavl-kurgan").size == 0
    assert out.n_edges == net.n_edges - 2
    assert has_link(out, "Ayagoz", "Petropavl")
    assert out.meta["avoided_countries"] == ["RU"]
    check_csr(out)


def test_add_link_without_crossing_adds_both_directions_with_geometry() -> None:
    net = toy_network()
    s = scenario(
        {
            "type": "add_link",
            "from_place": "Almaty",
            "to_place": "Ayagoz",
            "length_km": 800,
            "gauge_mm": 1520,
            "capacity": {"value": 24, "unit": "trains_per_day"},
            "name": "Almaty bypass north",
            "via": [[78.0, 45.0], [79.5, 46.5]],
        }
    )
    out, _, _ = apply_scenario(s, net)
    check_csr(out)
    assert out.n_edges == net.n_edges + 2
    e = edges_of(out, "almaty-bypass-north")
    assert e.size == 2
    fwd = e[out.edge_src[e] == node(out, "Almaty")][0]
    assert out.edge_length_km[fwd] == 800
    assert out.edge_mode[fwd] == EdgeMode.RAIL
    assert out.edge_gauge_mm[fwd] == 1520
    assert out.edge_country[fwd] == out.country_id("KZ")
    np.testing.assert_allclose(
        out.edge_geometry(fwd), [[76.9, 43.3], [78.0, 45.0], [79.5, 46.5], [80.4, 47.9]], atol=1e-4
    )
    np.testing.assert_allclose(
        out.edge_geometry(out.edge_reverse[fwd]), out.edge_geometry(fwd)[::-1]
    )
    assert fac(out, "almaty-bypass-north", "capacity_trains_per_day") == 24
    assert out.facilities["kind"][-1] == "section"


def test_add_link_with_crossing_builds_yard_transfer_and_line() -> None:
    net = toy_network()
    s = scenario(
        {
            "type": "add_link",
            "from_place": "Tacheng",
            "to_place": "Ayagoz",
            "length_km": 297,
            "gauge_mm": 1520,
            "capacity": {"value": 20, "unit": "mt_per_yr"},
            "name": "Bakhty–Ayagoz",
            "via": [[82.75, 46.7]],
            "crossing": {
                "facility_id": "tacheng-bakhty",
                "name": "Bakhty",
                "like": "alashankou-dostyk",
                "capacity": {"value": 20, "unit": "mt_per_yr"},
            },
        }
    )
    out, _, _ = apply_scenario(s, net)
    check_csr(out)
    assert out.n_nodes == net.n_nodes + 1
    assert out.n_edges == net.n_edges + 4
    bakhty = node(out, "Bakhty")
    assert out.node_gauge_mm[bakhty] == 1520
    assert out.node_country[bakhty] == out.country_id("KZ")
    assert has_link(out, "Tacheng", "Bakhty") and has_link(out, "Bakhty", "Ayagoz")
    transfer = edges_of(out, "tacheng-bakhty")
    assert set(out.edge_mode[transfer]) == {EdgeMode.TRANSFER}
    assert fac(out, "tacheng-bakhty", "dwell_p50_h") == 6.0  # taken over from alashankou-dostyk
    assert fac(out, "tacheng-bakhty", "capacity_t_per_yr") == 20e6
    row = out.facilities.record(out.facilities.row_of("tacheng-bakhty"))
    assert row["countries"] == "CN-KZ" and "alashankou-dostyk" in row["assumption"]
    line = edges_of(out, "bakhty-ayagoz")
    assert sorted(out.edge_length_km[line]) == [297.0, 297.0]
    # a later modification can refer to the new facility
    s2 = scenario(
        s.modifications[0].model_dump(mode="json"),
        {"type": "set_dwell", "facility": "tacheng-bakhty", "dwell_p50_h": 3},
    )
    out2, _, _ = apply_scenario(s2, net)
    assert fac(out2, "tacheng-bakhty", "dwell_p50_h") == 3


def test_modifications_apply_in_order() -> None:
    a = scenario(
        {"type": "set_dwell", "facility": "khorgos-altynkol", "dwell_p50_h": 8, "dwell_p90_h": 8},
        {"type": "set_dwell", "facility": "khorgos-altynkol", "factor": 0.5},
    )
    b = scenario(
        {"type": "set_dwell", "facility": "khorgos-altynkol", "factor": 0.5},
        {"type": "set_dwell", "facility": "khorgos-altynkol", "dwell_p50_h": 8, "dwell_p90_h": 8},
    )
    out_a, _, _ = apply_scenario(a, toy_network())
    out_b, _, _ = apply_scenario(b, toy_network())
    assert fac(out_a, "khorgos-altynkol", "dwell_p50_h") == 4
    assert fac(out_b, "khorgos-altynkol", "dwell_p50_h") == 8
