"""The network built from the bundled data: connectivity, crossings, gauges, lengths.

Built once per session through ``load_network()`` (into ``LANDBRIDGE_CACHE``; ``make test``
points it at a checkout-local folder, so a fresh clone builds it here).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.network import load_network
from landbridge.network.check import check_network, nearest_node, open_edges, rail_graph
from landbridge.network.geo import haversine_km
from landbridge.network.model import EdgeMode, Network
from landbridge.network.tables import (
    load_closed_borders,
    load_crossings,
    load_excluded_lines,
    load_gauges,
)

# Length checks farther than 5% from the published figure, with the explanation in
# docs/validation.md ("Network lengths"): (min, max) error in per cent that we accept.
EXPLAINED_LENGTH_ERRORS = {
    # the shortest paths take the Turkish high-speed lines (Ankara–Sivas, Ankara–Istanbul),
    # which the published conventional-line lengths do not
    ("Ankara", "Kars"): (-25.0, -10.0),
    ("Haydarpasa", "Ankara"): (-15.0, -5.0),
}
# Named crossings whose border point the source data lacks (the line is not in it).
NOT_IN_SOURCE = {"kars-gyumri"}


@pytest.fixture(scope="session")
def net() -> Network:
    return load_network()


@pytest.fixture(scope="session")
def report(net: Network) -> dict:
    return check_network(net)


def test_one_connected_network_with_every_hub(report: dict) -> None:
    assert report["largest_component_share"] > 0.99
    assert len(report["hubs"]) >= 20
    assert [h["name"] for h in report["hubs"] if not h["reachable"]] == []


ISSUE_PAIRS = [
    ("Aktogay", "Dostyk"), ("Beyneu", "Mangistau"), ("Urumqi", "Alashankou"), ("Baku", "Tbilisi"),
    ("Tbilisi", "Akhalkalaki"), ("Ankara", "Kars"), ("Warsaw", "Terespol"),
]  # fmt: skip


@pytest.mark.parametrize("pair", ISSUE_PAIRS)
def test_issue_length_checks_are_reported(report: dict, pair: tuple[str, str]) -> None:
    rows = [c for c in report["length_checks"] if (c["from"], c["to"]) == pair]
    assert len(rows) == 1 and rows[0]["modelled_km"] is not None


def test_lengths_within_five_percent_or_explained(report: dict) -> None:
    bad = []
    for c in report["length_checks"]:
        lo, hi = EXPLAINED_LENGTH_ERRORS.get((c["from"], c["to"]), (-5.0, 5.0))
        if c["error_pct"] is None or not lo <= c["error_pct"] <= hi:
            bad.append((c["from"], c["to"], c["modelled_km"], c["published_km"], c["error_pct"]))
    assert bad == []


def test_named_crossings_are_found_with_their_gauge_change(net: Network) -> None:
    named = load_crossings()
    named = named[named["lat"].notna()]
    fac = net.facilities.to_frame().set_index("facility_id")
    missing = sorted(set(named["facility_id"]) - set(fac.index) - NOT_IN_SOURCE)
    assert missing == []
    assert (
        fac.at["alashankou-dostyk", "gauge_change"] and fac.at["khorgos-altynkol", "gauge_change"]
    )
    assert fac.at["brest-malaszewicze", "gauge_change"] and fac.at["akhalkalaki", "gauge_change"]
    assert fac.at["sarakhs", "gauge_change"]
    assert (
        not fac.at["saryagash-keles", "gauge_change"]
        and not fac.at["bolashak-serhetyaka", "gauge_change"]
    )
    assert not fac.at["razi-kapikoy", "gauge_change"] and not fac.at["iletsk", "gauge_change"]
    assert fac.at["alashankou-dostyk", "dwell_p50_h"] == 8.0
    assert fac.at["brest-malaszewicze", "capacity_trains_per_day"] == 14.0


def test_closed_borders_are_closed_and_others_open(net: Network) -> None:
    fac = net.facilities.to_frame()
    pairs = set(load_closed_borders().index)
    border = fac[fac["kind"].isin(["crossing", "gauge_change"])]
    in_closed = border["countries"].isin(pairs)
    assert in_closed.any()
    assert border.loc[in_closed, "closed"].all()
    assert not border.loc[~in_closed, "closed"].any()
    # the source's only BY-UA line (Brest-Kovel) has a 7 km gap south of the border: no crossing
    assert {"GE-RU", "RU-UA"} <= set(border.loc[in_closed, "countries"])


def test_edges_carry_country_gauge_and_mode_consistently(net: Network) -> None:
    gauges = load_gauges()
    rail = net.edge_mode == EdgeMode.RAIL
    assert np.all(net.edge_country[rail] >= 0)
    expected = gauges.loc[list(net.countries), "gauge_mm"].to_numpy()[net.edge_country[rail]]
    np.testing.assert_array_equal(net.edge_gauge_mm[rail], expected)
    family = gauges.loc[list(net.countries), "gauge_family"].to_numpy()
    transfer = net.edge_mode == EdgeMode.TRANSFER
    a, b = net.node_country[net.edge_src[transfer]], net.node_country[net.edge_dst[transfer]]
    assert np.all(family[a] != family[b])
    border = net.edge_mode == EdgeMode.BORDER
    a, b = net.node_country[net.edge_src[border]], net.node_country[net.edge_dst[border]]
    assert np.all(family[a] == family[b]) and np.all(a != b)
    assert np.all(net.edge_length_km[transfer | border] == 0.0)
    assert np.all(net.edge_facility[transfer | border] >= 0)


def _path_edges(net: Network, a: int, b: int) -> list[int]:
    _, pred = dijkstra(rail_graph(net), indices=a, return_predecessors=True)
    edges = []
    cur = b
    while cur != a:
        p = int(pred[cur])
        assert p >= 0, "no path"
        out = np.arange(net.indptr[p], net.indptr[p + 1])
        cand = out[net.edge_dst[out] == cur]
        edges.append(int(cand[np.argmin(net.edge_length_km[cand])]))
        cur = p
    return edges[::-1]


def test_middle_corridor_reaches_kuryk_and_turkmenistan(net: Network) -> None:
    altynkol, _ = nearest_node(net, 44.1649, 80.2954)
    kuryk, d_kuryk = nearest_node(net, 43.1648, 51.4416)
    bereket, d_bereket = nearest_node(net, 39.2453, 55.5214)
    assert d_kuryk < 2.0 and d_bereket < 5.0
    to_kuryk = _path_edges(net, altynkol, kuryk)
    km = net.edge_length_km[to_kuryk].sum()
    assert 2500 < km < 3500  # Altynkol–Almaty–Shu–Arys–Kyzylorda–Beyneu–Mangistau–Kuryk
    to_bereket = _path_edges(net, kuryk, bereket)
    crossed = {
        net.facilities["facility_id"][int(net.edge_facility[e])]
        for e in to_bereket
        if net.edge_facility[e] >= 0
    }
    assert "bolashak-serhetyaka" in crossed


def test_dostyk_moyinty_section_covers_the_line(net: Network) -> None:
    fac = net.facilities.to_frame()
    row = int(np.flatnonzero(fac["facility_id"] == "dostyk-moyinty")[0])
    km = net.edge_length_km[net.edge_facility == row].sum() / 2
    assert km == pytest.approx(836.0, rel=0.05)  # published length of the doubled line
    assert fac.at[row, "capacity_trains_per_day"] == 60.0


def test_check_json_has_the_issue_keys(net: Network) -> None:
    result = CliRunner().invoke(app, ["network", "check", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "nodes",
        "edges",
        "components",
        "largest_component_share",
        "hubs",
        "crossings",
        "length_checks",
    } <= set(data)
    assert {"name", "reachable"} <= set(data["hubs"][0])
    assert {"name", "countries", "gauge_change"} <= set(data["crossings"][0])
    assert {"from", "to", "published_km", "modelled_km", "error_pct", "source"} <= set(
        data["length_checks"][0]
    )
    assert data["nodes"] == net.n_nodes


def test_info_json_counts_match_the_arrays(net: Network) -> None:
    result = CliRunner().invoke(app, ["network", "info", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["edges"] == net.n_edges
    assert sum(data["edges_by_mode"].values()) == net.n_edges
    assert "KZ" in data["rail_km_by_country"]


def test_caspian_ferry_joins_kuryk_to_alat(net: Network) -> None:
    fac = net.facilities.to_frame()
    ports = set(fac.loc[fac["kind"] == "port", "facility_id"])
    assert {"port-aktau", "port-kuryk", "port-alat", "port-poti", "port-constanta"} <= ports
    assert net.meta["ports_not_joined"] == []
    kuryk_ferry = int(np.flatnonzero(fac["facility_id"] == "kuryk-alat-ferry")[0])
    sea_edges = np.flatnonzero(net.edge_facility == kuryk_ferry)
    assert len(sea_edges) == 2 and np.all(net.edge_mode[sea_edges] == EdgeMode.SEA)
    altynkol, _ = nearest_node(net, 44.1649, 80.2954)
    baku, _ = nearest_node(net, 40.3777, 49.8486)
    no_ocean = (net.edge_mode != EdgeMode.OCEAN) & open_edges(net)
    km = dijkstra(rail_graph(net, no_ocean), indices=altynkol)[baku]
    assert 3000 < km < 4500  # Altynkol–Aktau/Kuryk by rail, then the Caspian crossing


def test_iran_reaches_ankara_over_razi_and_the_lake_van_ferry(net: Network) -> None:
    tabriz, _ = nearest_node(net, 38.08, 46.28)
    ankara, _ = nearest_node(net, 39.9364, 32.8437)
    edges = _path_edges(net, tabriz, ankara)
    used = {
        net.facilities["facility_id"][int(net.edge_facility[e])]
        for e in edges
        if net.edge_facility[e] >= 0
    }
    assert {"razi-kapikoy", "lake-van-ferry"} <= used
    ferry = [e for e in edges if net.edge_mode[e] == EdgeMode.SEA]
    assert len(ferry) == 1 and net.edge_length_km[ferry[0]] == pytest.approx(90.6)
    assert 1200 < net.edge_length_km[edges].sum() < 1900


def _path_lonlat(net: Network, edges: list[int]) -> np.ndarray:
    """The drawn geometry (lon, lat) of a path's edges."""
    off = net.edge_geom_offset
    return np.vstack([net.geom_lonlat[off[e] : off[e + 1]] for e in edges]).astype(float)


def _min_km(lonlat: np.ndarray, lat: float, lon: float) -> float:
    return float(np.min(haversine_km(lonlat[:, 0], lonlat[:, 1], lon, lat)))


def test_every_excluded_line_is_gone_from_the_network(net: Network) -> None:
    # the build raises when no railway is near a listed point; this checks the other side: after
    # the cut no railway is left that close (a point between two parallel lines would cut one
    # and leave the other in its place)
    excluded = load_excluded_lines()
    assert net.meta["lines_excluded"] == list(excluded["line_id"])
    rail = np.flatnonzero(net.edge_mode == EdgeMode.RAIL)
    drawn = _path_lonlat(net, rail.tolist())
    for row in excluded.itertuples(index=False):
        assert _min_km(drawn, row.lat, row.lon) > row.max_km, row.line_id


# (from, to, conventional town the path passes within 10 km of, high-speed town it stays 20 km
# from), approximate town coordinates (lat, lon); the lines are those of excluded_lines.csv
CONVENTIONAL_NOT_HIGH_SPEED = [
    # Lanzhou–Xinjiang railway via Wuwei, not the high-speed line via Xining and Menyuan
    ((36.035, 103.852), (38.93, 100.45), (37.93, 102.64), (37.38, 101.62)),
    # Longhai railway Tianshui–Dingxi via Longxi, not the Baoji–Lanzhou line via Tongwei
    ((34.58, 105.72), (35.58, 104.60), (35.00, 104.63), (35.21, 105.24)),
    # Xi'an–Chengdu over the Baoji–Chengdu or Xi'an–Ankang railways, not the Qinling line (Foping)
    ((34.27, 108.95), (30.66, 104.07), None, (33.52, 107.99)),
]


@pytest.mark.parametrize("case", CONVENTIONAL_NOT_HIGH_SPEED)
def test_freight_paths_in_china_take_the_conventional_line(net: Network, case: tuple) -> None:
    (a_lat, a_lon), (b_lat, b_lon), via, avoid = case
    a, _ = nearest_node(net, a_lat, a_lon)
    b, _ = nearest_node(net, b_lat, b_lon)
    drawn = _path_lonlat(net, _path_edges(net, a, b))
    if via is not None:
        assert _min_km(drawn, *via) < 10.0
    assert _min_km(drawn, *avoid) > 20.0
