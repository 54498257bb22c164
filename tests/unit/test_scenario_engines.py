"""The bundled scenarios against the real network, and the adapters to the real layers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from landbridge.errors import ScenarioError
from landbridge.network.model import EdgeMode
from landbridge.scenarios.apply import apply_scenario
from landbridge.scenarios.load import bundled_names, load_scenario, parse_scenario
from landbridge.scenarios.runner import ODPair

TONNES_PER_TEU = 10.0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def network():  # type: ignore[no-untyped-def]
    from landbridge.network import load_network

    return load_network()


def _has_sea(net) -> bool:  # type: ignore[no-untyped-def]
    return bool(np.any(net.edge_mode == EdgeMode.SEA))


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenario_applies_to_the_bundled_network(network, name: str) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(name)
    sea_ids = ("port-", "-feeder", "-ferry")
    if not _has_sea(network) and any(
        any(s in str(getattr(m, "facility", "")) for s in sea_ids) for m in scenario.modifications
    ):
        pytest.skip("the bundled network has no sea layer attached yet")
    out, _, _ = apply_scenario(scenario, network)
    assert out is not network
    if name == "khorgos-closed-one-week":
        rows = np.flatnonzero(out.facilities["facility_id"] == "khorgos-altynkol")
        assert not np.isin(out.edge_facility, rows).any()
        assert network.n_edges - out.n_edges >= 2
    if name == "bakhty-ayagoz-line":
        assert out.n_edges == network.n_edges + 4
        assert "tacheng-bakhty" in set(out.facilities["facility_id"])
    if name == "northern-route-closed-to-eu-transit":
        ru, by = out.country_id("RU"), out.country_id("BY")
        assert not np.isin(out.edge_country, [ru, by]).any()


def test_routes_adapter_prices_options_and_draws_them(network) -> None:  # type: ignore[no-untyped-def]
    from landbridge.app.engines import plan_route_options
    from landbridge.costs.params import load_default_params

    frame = plan_route_options(network, load_default_params(), (ODPair("Xi'an", "Duisburg"),), None)
    options = frame[frame["option_rank"] > 0]
    assert len(options) >= 1
    assert (options["transit_p90_h"] >= options["transit_p50_h"]).all()
    assert (options["cost_usd_per_feu"] > 0).all()
    drawn = options.dropna(subset=["geometry_geojson"])
    assert len(drawn) >= 1
    line = json.loads(drawn["geometry_geojson"].iloc[0])
    lon0, lat0 = line["coordinates"][0]
    assert 100 < lon0 < 115 and 30 < lat0 < 40  # starts near Xi'an
    assert drawn["facility_ids"].iloc[0]


def test_stored_route_line_is_the_line_the_map_draws(network) -> None:  # type: ignore[no-untyped-def]
    """One rule for a path's line (issue 16): a stored run keeps what the planner map shows."""
    from landbridge.api.route_geometry import option_lines
    from landbridge.app.engines import plan_route_options
    from landbridge.costs.params import load_default_params
    from landbridge.routing.plan import plan_routes_with_paths
    from landbridge.schema.route import RouteRequest

    params = load_default_params()
    frame = plan_route_options(network, params, (ODPair("Xi'an", "Duisburg"),), None)
    stored = [json.loads(g)["coordinates"] for g in frame["geometry_geojson"].dropna()]
    response, paths = plan_routes_with_paths(
        RouteRequest(origin="Xi'an", destination="Duisburg"), network=network, params=params
    )
    drawn = option_lines(network, [(o.label, o.corridor) for o in response.options], paths)
    assert stored and stored == [f["geometry"]["coordinates"] for f in drawn["features"]]


def test_khorgos_closure_removes_its_options(network) -> None:  # type: ignore[no-untyped-def]
    from landbridge.app.engines import plan_route_options
    from landbridge.costs.params import load_default_params

    params = load_default_params()
    closed, _, _ = apply_scenario(load_scenario("khorgos-closed-one-week"), network, params)
    pairs = (ODPair("Urumqi", "Duisburg"),)
    before = plan_route_options(network, params, pairs, None)
    after = plan_route_options(closed, params, pairs, None)
    assert before["facility_ids"].str.contains("khorgos-altynkol").any()
    assert not after["facility_ids"].fillna("").str.contains("khorgos-altynkol").any()


def test_default_demand_of_a_year_without_a_table_is_a_clear_error() -> None:
    from landbridge.app.base import base_demand as _demand

    with pytest.raises(ScenarioError, match="set base.demand to one of od-2023, od-2024"):
        _demand(parse_scenario("name: x\nbase: {year: 2031}\n"), TONNES_PER_TEU)
    assert (
        len(
            _demand(
                parse_scenario("name: x\nbase: {year: 2031, demand: od-2023}\n"), TONNES_PER_TEU
            )
        )
        > 0
    )


def test_simulation_adapter_sees_the_closure() -> None:
    from landbridge.app.engines import simulate_corridor

    base = simulate_corridor(None, None, None, load_scenario("baseline-2023"))  # type: ignore[arg-type]
    closed = simulate_corridor(None, None, None, load_scenario("khorgos-closed-one-week"))  # type: ignore[arg-type]
    kpi_a = base["sim_kpis"].set_index("kpi")["value"]
    kpi_b = closed["sim_kpis"].set_index("kpi")["value"]
    trains = [k for k in kpi_a.index if k.startswith("trains[")]
    # every arrived train has a transit sample (2 replications)
    assert len(base["sim_transit"]) == int(kpi_a[trains].sum())
    assert (base["sim_transit"]["transit_h"] > 0).all()
    # same seed, same trains: the week-long closure can only add waiting
    assert closed["sim_transit"]["transit_h"].mean() > base["sim_transit"]["transit_h"].mean()
    mean_keys = [k for k in kpi_a.index if k.startswith("transit_mean_days[")]
    assert any(kpi_b[k] > kpi_a[k] for k in mean_keys)


def test_simulation_adapter_notes_what_it_cannot_simulate() -> None:
    from landbridge.app.engines import simulate_corridor
    from landbridge.scenarios.runner import NOTES_KEY

    out = simulate_corridor(None, None, None, load_scenario("middle-corridor-2030"))  # type: ignore[arg-type]
    notes = out[NOTES_KEY]["note"].tolist()
    # the port tonnage is a flows figure; the feeder fleet and Aktau/Alat dwell are simulated
    assert notes[0].startswith("modification 1 (set_capacity): ")
    assert "mt_per_yr" in notes[0] and notes[0].endswith("not simulated")
    assert not any("aktau-alat-feeder" in n.split(":")[0] or "modification 6" in n for n in notes)


def test_demand_file_of_a_scenario_is_checked_like_flows_demand(tmp_path) -> None:
    from landbridge.app.base import base_demand as _demand

    good = tmp_path / "od.csv"
    good.write_text("origin,destination,t_per_yr\ncn-xian,eu-duisburg,1000\n", encoding="utf-8")
    got = _demand(
        parse_scenario(f"name: x\nbase: {{year: 2023, demand: {good}}}\n"), TONNES_PER_TEU
    )
    assert got[["origin", "destination", "t_per_yr", "year"]].values.tolist() == [
        ["cn-xian", "eu-duisburg", 1000.0, 2023]
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("origin,destination,t_per_yr\ncn-xian,eu-duisburg,-5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"line 2, t_per_yr: '-5' must be a finite"):
        _demand(parse_scenario(f"name: x\nbase: {{year: 2023, demand: {bad}}}\n"), TONNES_PER_TEU)
    with pytest.raises(ScenarioError, match="not a bundled demand set .*demand file not found"):
        _demand(
            parse_scenario(f"name: x\nbase: {{year: 2023, demand: {tmp_path / 'no.csv'}}}\n"),
            TONNES_PER_TEU,
        )
