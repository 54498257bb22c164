"""Runner, store round trip, comparison and report, with stand-in engines on the toy network.

The stand-ins are exact and small: routes are shortest paths by length (one option per OD,
labelled by the China–Kazakhstan crossing used), flows put all demand on that path.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from test_scenario_toy import toy_demand, toy_network, toy_params

from landbridge.errors import InvalidInputError, ScenarioError
from landbridge.network.model import Network
from landbridge.scenarios.compare import compare_runs
from landbridge.scenarios.load import parse_scenario
from landbridge.scenarios.report import write_report
from landbridge.scenarios.runner import (
    NOTES_KEY,
    Engines,
    ODPair,
    RunOptions,
    load_od_pairs,
    run_scenario,
    stored_run,
)
from landbridge.schema.scenario import Scenario
from landbridge.store.db import Store

SPEED_KMH = 50.0
TARIFF_USD_PER_KM = 1.0
PAIRS = (ODPair("Urumqi", "Almaty"), ODPair("Urumqi", "Baku"), ODPair("Urumqi", "Kurgan"))


def _path(net: Network, a: str, b: str) -> list[int] | None:
    """Edge ids of the shortest path by length (+1 m per edge so zero-length edges count)."""
    weights = net.edge_length_km + 1e-3
    graph = csr_matrix((weights, (net.edge_src, net.edge_dst)), shape=(net.n_nodes, net.n_nodes))
    src = int(np.flatnonzero(net.node_name == a)[0])
    dst = int(np.flatnonzero(net.node_name == b)[0])
    dist, pred = dijkstra(graph, indices=src, return_predecessors=True)
    if not np.isfinite(dist[dst]):
        return None
    edges, node = [], dst
    while node != src:
        prev = pred[node]
        e = np.flatnonzero((net.edge_src == prev) & (net.edge_dst == node))
        edges.append(int(e[np.argmin(net.edge_length_km[e])]))
        node = prev
    return edges[::-1]


def _routes(net: Network, params: object, pairs: Sequence[ODPair], depart: object) -> pd.DataFrame:
    rows = []
    for pair in pairs:
        edges = _path(net, pair.origin, pair.destination)
        base = {"od": pair.label, "origin": pair.origin, "destination": pair.destination}
        if edges is None:
            rows.append({**base, "option_rank": 0, "label": "no route", "corridor": "none"})
            continue
        fac = net.edge_facility[edges]
        used = net.facilities.to_frame().iloc[fac[fac >= 0]]
        length = float(net.edge_length_km[edges].sum())
        dwell = float(used["dwell_p50_h"].sum())
        crossing = used.loc[used["countries"] == "CN-KZ", "facility_id"].tolist()
        rows.append(
            {
                **base,
                "option_rank": 1,
                "corridor": "toy",
                "label": f"via {crossing[0]}" if crossing else "direct",
                "transit_p50_h": length / SPEED_KMH + dwell,
                "transit_p90_h": length / SPEED_KMH + float(used["dwell_p90_h"].sum()),
                "cost_usd_per_feu": length * TARIFF_USD_PER_KM
                + float(used["cost_usd_per_feu"].sum()),
                "co2e_kg_per_feu": length * 0.5,
                "length_km": length,
                "facility_ids": ";".join(used["facility_id"]),
                "geometry_geojson": None,
            }
        )
    return pd.DataFrame(rows)


def _flows(net: Network, params: object, demand: pd.DataFrame | None, s: Scenario) -> pd.DataFrame:
    assert demand is not None
    flow = np.zeros(len(net.facilities))
    for row in demand.itertuples():
        edges = _path(net, row.origin, row.destination)
        if edges is not None:
            rows = np.unique(net.edge_facility[edges])
            flow[rows[rows >= 0]] += row.t_per_yr
    fac = net.facilities.to_frame()
    return pd.DataFrame(
        {
            "facility_id": fac["facility_id"],
            "name": fac["name"],
            "kind": fac["kind"],
            "lat": 0.0,
            "lon": 0.0,
            "flow_t_per_yr": flow,
            "capacity_t_per_yr": fac["capacity_t_per_yr"],
            "utilization": flow / fac["capacity_t_per_yr"],
        }
    )


def _simulate(net: Network, params: object, demand: object, s: Scenario) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(s.seed)
    closed_days = sum(1 for c in net.meta.get("closures", []))
    transit = 300.0 + 24.0 * closed_days + rng.exponential(10.0, size=50)
    return {
        "sim_transit": pd.DataFrame({"od": "all", "replication": 0, "transit_h": transit}),
        "sim_kpis": pd.DataFrame(
            {"kpi": ["transit_mean_h"], "value": [float(transit.mean())], "unit": ["h"]}
        ),
        NOTES_KEY: pd.DataFrame({"note": ["the toy simulation ignores avoided countries"]}),
    }


ENGINES = Engines(
    base=lambda s: (toy_network(), toy_params(), toy_demand()),
    routes=_routes,
    flows=_flows,
    simulate=_simulate,
)
ALL = RunOptions(routes=True, flows=True, simulate=True, od_pairs=PAIRS)

BASE = parse_scenario("name: base\nbase: {year: 2023}\n")
CLOSED = parse_scenario(
    "name: khorgos-closed\nbase: {year: 2023}\nmodifications:\n"
    "  - {type: close_crossing, facility: khorgos-altynkol}\n"
    "  - {type: avoid_country, country: RU}\n"
)


def test_run_stores_everything_and_reads_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.duckdb")
    run = run_scenario(CLOSED, ENGINES, ALL, store=store, source="closed.yaml")
    assert run.run_id is not None
    assert set(run.timings_s) == {"load_base", "apply", "routes", "flows", "simulate"}
    back = stored_run(store, run.run_id)
    assert back.scenario == CLOSED
    assert back.scenario_hash == run.scenario_hash
    for table in ("route_options", "flows", "sim_kpis", "sim_transit"):
        assert len(back.results[table]) == len(run.results[table]), table
    meta = store.get_run(run.run_id)
    assert meta["parameters"]["od_pairs"] == [p.label for p in PAIRS]
    assert meta["parameters"]["source"] == "closed.yaml"
    assert run.notes == ["the toy simulation ignores avoided countries"]
    assert meta["parameters"]["notes"] == run.notes
    assert NOTES_KEY not in run.results


def test_invalid_scenario_runs_nothing_and_stores_nothing(tmp_path: Path) -> None:
    calls = []

    def routes(*args: object) -> pd.DataFrame:
        calls.append(1)
        return _routes(*args)  # type: ignore[arg-type]

    engines = Engines(base=ENGINES.base, routes=routes, flows=_flows, simulate=_simulate)
    bad = parse_scenario(
        "name: bad\nbase: {year: 2023}\nmodifications:\n"
        "  - {type: close_crossing, facility: horgos}\n"
    )
    store = Store(tmp_path / "runs.duckdb")
    with pytest.raises(ScenarioError, match="did you mean: khorgos-altynkol"):
        run_scenario(bad, engines, ALL, store=store)
    assert calls == []
    assert store.list_runs().empty


def test_compare_shows_the_diverted_route_and_lost_option() -> None:
    a = run_scenario(BASE, ENGINES, ALL)
    b = run_scenario(CLOSED, ENGINES, ALL)
    c = compare_runs(a, b)
    best = c.best.set_index("od")
    almaty = best.loc["Urumqi → Almaty"]
    assert almaty["best_a"] == "via khorgos-altynkol"
    assert almaty["best_b"] == "via alashankou-dostyk"
    # 670 + 380 km + 5 h dwell vs 460 + 314 + 600 km + 6 h dwell, at 50 km/h
    assert almaty["transit_p50_h_a"] == pytest.approx(1050 / SPEED_KMH + 5)
    assert almaty["d_transit_p50_h"] == pytest.approx((1374 - 1050) / SPEED_KMH + 1)
    assert best.loc["Urumqi → Kurgan", "best_b"] == "no route"
    statuses = c.routes.set_index(["od", "label"])["status"]
    assert statuses[("Urumqi → Almaty", "via khorgos-altynkol")] == "only in A"
    assert statuses[("Urumqi → Almaty", "via alashankou-dostyk")] == "only in B"
    assert statuses[("Urumqi → Kurgan", "via alashankou-dostyk")] == "only in A"
    # A: Urumqi→Baku (20 kt) via Khorgos, Urumqi→Kurgan (40 kt) via Alashankou; B: Kurgan is
    # cut off and Baku moves to Alashankou–Dostyk (20 Mt/yr capacity)
    flows = c.flows.set_index("facility_id")
    assert flows.loc["khorgos-altynkol", "flow_t_per_yr_a"] == pytest.approx(20000.0)
    assert flows.loc["alashankou-dostyk", "flow_t_per_yr_a"] == pytest.approx(40000.0)
    assert flows.loc["alashankou-dostyk", "flow_t_per_yr_b"] == pytest.approx(20000.0)
    assert flows.loc["alashankou-dostyk", "d_utilization"] == pytest.approx(-20000.0 / 20e6)
    kpis = c.kpis.set_index("kpi")
    # the stand-in adds 24 h per closure on the same seeded draws
    assert kpis.loc["transit_mean_h", "d_value"] == pytest.approx(24.0)
    payload = json.dumps(c.to_json(), allow_nan=False)
    assert "via alashankou-dostyk" in payload


def test_comparing_a_scenario_with_itself_shows_no_change() -> None:
    a = run_scenario(BASE, ENGINES, ALL)
    b = run_scenario(BASE, ENGINES, ALL)
    c = compare_runs(a, b)
    assert set(c.routes["status"]) == {"same"}
    assert np.allclose(c.best["d_transit_p50_h"], 0.0)
    assert np.allclose(c.kpis["d_value"], 0.0)


def test_report_writes_html_and_pngs(tmp_path: Path) -> None:
    sneaky = parse_scenario(
        "name: x-script\ntitle: <script>alert(1)</script>\nbase: {year: 2023}\n"
    )
    c = compare_runs(run_scenario(sneaky, ENGINES, ALL), run_scenario(CLOSED, ENGINES, ALL))
    page = write_report(c, tmp_path / "report")
    text = page.read_text(encoding="utf-8")
    for png in ("utilization.png", "transit.png"):
        assert (tmp_path / "report" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="{png}"' in text
    assert "via alashankou-dostyk" in text
    assert "<script>" not in text
    assert "the toy simulation ignores avoided countries" in text
    assert c.notes["b"] == ["the toy simulation ignores avoided countries"]


def test_report_without_flows_or_simulation_charts_the_best_routes(tmp_path: Path) -> None:
    routes_only = RunOptions(od_pairs=PAIRS)
    c = compare_runs(
        run_scenario(BASE, ENGINES, routes_only), run_scenario(CLOSED, ENGINES, routes_only)
    )
    write_report(c, tmp_path)
    assert (tmp_path / "transit.png").exists()
    assert not (tmp_path / "utilization.png").exists()


def test_od_files(tmp_path: Path) -> None:
    standard = load_od_pairs()
    assert ODPair("Xi'an", "Duisburg") in standard
    good = tmp_path / "od.csv"
    good.write_text("Origin, Destination\nUrumqi,Almaty\n")
    assert load_od_pairs(good) == (ODPair("Urumqi", "Almaty"),)
    for text, message in [
        ("from,to\na,b\n", "must name the columns origin,destination"),
        ("origin,destination\n", "no origin–destination pairs"),
        ("origin,destination\na,\n", "line 2: origin and destination are required"),
    ]:
        good.write_text(text)
        with pytest.raises(InvalidInputError, match=message):
            load_od_pairs(good)
    with pytest.raises(InvalidInputError, match="cannot read"):
        load_od_pairs(tmp_path / "missing.csv")
