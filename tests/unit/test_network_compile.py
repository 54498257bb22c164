"""Border splitting, crossing and gauge-change detection, CSR arrays and the cache (hand-made)."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import box

from landbridge.errors import NetworkDataError
from landbridge.network import cache as cache_mod
from landbridge.network.build.borders import split_at_borders
from landbridge.network.build.compile import compile_network
from landbridge.network.build.countries import CountryPolygons
from landbridge.network.build.lines import LineSet
from landbridge.network.model import EdgeMode, NodeKind
from landbridge.network.tables import FACILITY_COLUMNS


def two_countries() -> CountryPolygons:
    """AA west of lon 10, BB east of it (lat -10..10)."""
    geoms = np.array([box(0, -10, 10, 10), box(10, -10, 20, 10)], dtype=object)
    shapely.prepare(geoms)
    verts, owner = shapely.get_coordinates(shapely.boundary(geoms), return_index=True)
    return CountryPolygons(("AA", "BB"), geoms, cKDTree(verts), owner.astype(np.int16))


def line_across() -> LineSet:
    coords = np.array([(5.0, 0.0), (9.0, 0.0), (11.0, 0.0), (15.0, 0.0)])
    return LineSet.from_arrays(coords[[0, 3]], [0], [1], coords, np.array([0, 4]))


def gauges(bb_gauge: int, family: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gauge_mm": [1435, bb_gauge],
            "gauge_family": ["standard", family],
            "source_ids": ["x", "x"],
        },
        index=pd.Index(["AA", "BB"], name="iso2"),
    )


def crossings_table(named_lat: float | None = 0.0, closed: bool = False) -> pd.DataFrame:
    base = {c: np.nan for c in FACILITY_COLUMNS}
    common = {"source_ids": "x", "assumption": "default", "closed": False, "match_km": np.nan}
    rows = [
        {**base, **common, "facility_id": "default-border", "name": "d", "kind": "crossing",
         "countries": "", "dwell_p50_h": 2.0},
        {**base, **common, "facility_id": "default-gauge-change", "name": "g",
         "kind": "gauge_change", "countries": "", "dwell_p50_h": 10.0, "cost_usd_per_feu": 329.0},
    ]  # fmt: skip
    if named_lat is not None:
        rows.append(
            {**base, "facility_id": "aa-bb", "name": "Aa–Bb", "kind": "gauge_change",
             "countries": "BB-AA", "lat": named_lat, "lon": 10.0, "match_km": 50.0,
             "dwell_p50_h": 8.0, "source_ids": "y", "assumption": "", "closed": closed}
        )  # fmt: skip
    return pd.DataFrame(rows)


def no_closed() -> pd.DataFrame:
    return pd.DataFrame(
        {"countries": [], "source_ids": [], "note": []}, index=pd.Index([], name="pair")
    )


def compiled(
    bb_gauge: int = 1520,
    family: str = "russian",
    named_lat: float | None = 0.0,
    closed: bool = False,
):
    ls, borders = split_at_borders(line_across(), two_countries())
    sections = pd.DataFrame(
        columns=[
            "facility_id",
            "name",
            "countries",
            "from_lat",
            "from_lon",
            "to_lat",
            "to_lon",
            "source_ids",
        ]
    )
    return compile_network(
        ls, ("AA", "BB"), gauges(bb_gauge, family), crossings_table(named_lat, closed),
        no_closed(), sections, [], np.zeros((0, 2), dtype=np.int64), {"inputs_sha256": "test"},
    )  # fmt: skip


def test_split_at_border_puts_a_node_on_the_border_and_keeps_the_length() -> None:
    src = line_across()
    ls, borders = split_at_borders(src, two_countries())
    assert ls.n_lines == 2
    assert sorted(ls.country.tolist()) == [0, 1]
    assert len(borders) == 1
    assert ls.node_lonlat[borders[0]] == pytest.approx([10.0, 0.0])
    assert ls.total_km() == pytest.approx(src.total_km())


def test_short_excursion_across_a_border_is_smoothed_away() -> None:
    # a line in AA that dips 0.01° (~1 km) into BB and back
    coords = np.array([(5.0, 0.0), (9.99, 0.0), (10.005, 0.001), (9.99, 0.002), (5.0, 0.003)])
    ls = LineSet.from_arrays(coords[[0, 4]], [0], [1], coords, np.array([0, 5]))
    out, borders = split_at_borders(ls, two_countries())
    assert out.n_lines == 1 and len(borders) == 0
    assert out.country.tolist() == [0]


def test_gauge_break_becomes_a_transfer_edge_with_the_named_facility() -> None:
    net = compiled()
    transfer = np.flatnonzero(net.edge_mode == EdgeMode.TRANSFER)
    assert len(transfer) == 2
    assert net.edge_length_km[transfer].tolist() == [0.0, 0.0]
    fac = net.facilities.record(net.edge_facility[transfer[0]])
    assert fac["facility_id"] == "aa-bb"
    assert fac["dwell_p50_h"] == 8.0
    assert bool(fac["gauge_change"])
    assert set(net.node_kind[net.edge_src[transfer]].tolist()) == {NodeKind.YARD}
    assert sorted(net.node_gauge_mm[net.edge_src[transfer]].tolist()) == [1435, 1520]


def test_same_gauge_family_gives_a_border_edge_with_the_default_facility() -> None:
    net = compiled(bb_gauge=1435, family="standard", named_lat=None)
    border = np.flatnonzero(net.edge_mode == EdgeMode.BORDER)
    assert len(border) == 2 and not np.any(net.edge_mode == EdgeMode.TRANSFER)
    fac = net.facilities.record(net.edge_facility[border[0]])
    assert fac["facility_id"] == "border-aa-bb-0.00n-10.00e"
    assert fac["dwell_p50_h"] == 2.0
    assert "default-border" in fac["assumption"]


def test_named_crossing_too_far_away_is_not_used() -> None:
    net = compiled(named_lat=5.0)  # 556 km from the border point, match radius 50 km
    fac = net.facilities
    assert "aa-bb" not in set(fac["facility_id"])
    assert fac["kind"].tolist() == ["gauge_change"]
    assert fac["cost_usd_per_feu"].tolist() == [329.0]


def test_closed_crossing_is_flagged() -> None:
    net = compiled(closed=True)
    assert net.facilities["closed"].tolist() == [True]


def test_csr_order_reverse_pairs_and_geometry_direction() -> None:
    net = compiled()
    cache_mod.validate_network(net)
    assert net.n_nodes == 4 and net.n_edges == 6
    for e in range(net.n_edges):
        g = net.edge_geometry(e)
        assert g[0] == pytest.approx([net.node_lon[net.edge_src[e]], net.node_lat[net.edge_src[e]]])
        assert g[-1] == pytest.approx(
            [net.node_lon[net.edge_dst[e]], net.node_lat[net.edge_dst[e]]]
        )
        assert net.edge_length_km[net.edge_reverse[e]] == net.edge_length_km[e]
    rail = net.edge_mode == EdgeMode.RAIL
    assert net.edge_length_km[rail].sum() / 2 == pytest.approx(line_across().total_km())
    assert sorted(net.edge_country[rail].tolist()) == [0, 0, 1, 1]


def test_cache_round_trip(tmp_path) -> None:
    net = compiled()
    path = tmp_path / "n.npz"
    cache_mod.save_network(net, path)
    back = cache_mod.read_network(path, expected_hash="test")
    for f in cache_mod.ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(back, f), getattr(net, f))
    assert back.countries == net.countries
    assert list(back.node_name) == list(net.node_name)
    assert back.facilities.equals(net.facilities)
    pd.testing.assert_frame_equal(back.facilities.to_frame(), net.facilities.to_frame())


def test_truncated_or_stale_cache_is_detected(tmp_path) -> None:
    net = compiled()
    path = tmp_path / "n.npz"
    cache_mod.save_network(net, path)
    with pytest.raises(NetworkDataError, match="stale"):
        cache_mod.read_network(path, expected_hash="other")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(NetworkDataError, match="corrupted"):
        cache_mod.read_network(path, expected_hash="test")


def test_inconsistent_arrays_are_rejected() -> None:
    net = compiled()
    bad = net.edge_reverse.copy()
    bad[0], bad[1] = bad[1], bad[0]
    with pytest.raises(NetworkDataError, match="edge_reverse"):
        cache_mod.validate_network(net.__class__(**{**net.__dict__, "edge_reverse": bad}))


def test_load_network_rebuilds_a_corrupted_cache_with_a_warning(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    calls = []

    def fake_build(progress=None):
        calls.append(1)
        return compiled()

    monkeypatch.setattr(cache_mod, "build_network", fake_build)
    monkeypatch.setattr(cache_mod, "inputs_hash", lambda: "test")
    cache_mod._memo.clear()
    first = cache_mod.load_network()
    assert calls == [1] and cache_mod.cache_path().is_file()
    cache_mod._memo.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache_mod.load_network()  # current cache: no rebuild, no warning
    assert calls == [1]
    cache_mod._memo.clear()
    cache_mod.cache_path().write_bytes(b"not a zip file")
    with pytest.warns(cache_mod.CacheRebuildWarning, match="corrupted"):
        again = cache_mod.load_network()
    assert calls == [1, 1]
    assert again.n_edges == first.n_edges
    cache_mod._memo.clear()


def test_builds_of_other_inputs_are_kept_side_by_side(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LANDBRIDGE_CACHE", str(tmp_path))
    calls = []

    def fake_build(progress=None):
        calls.append(1)
        net = compiled()
        net.meta["inputs_sha256"] = current["h"]
        return net

    monkeypatch.setattr(cache_mod, "build_network", fake_build)
    hashes = iter(["a" * 64, "b" * 64, "a" * 64])
    current = {"h": ""}

    def fake_hash():
        return current["h"]

    monkeypatch.setattr(cache_mod, "inputs_hash", fake_hash)
    for _ in range(3):  # inputs A, then B, then A again: the third load reads A's file
        current["h"] = next(hashes)
        cache_mod._memo.clear()
        cache_mod.load_network()
    assert calls == [1, 1]
    assert sorted(p.name for p in tmp_path.glob("network-v*-*.npz")) == [
        f"network-v{cache_mod.CACHE_FORMAT}-{'a' * 16}.npz",
        f"network-v{cache_mod.CACHE_FORMAT}-{'b' * 16}.npz",
    ]
    for i in range(cache_mod.KEEP_BUILDS + 2):  # older builds are pruned, the newest kept
        current["h"] = f"{i:02d}" + "c" * 62
        cache_mod._memo.clear()
        cache_mod.load_network()
    assert len(list(tmp_path.glob("network-v*-*.npz"))) == cache_mod.KEEP_BUILDS
    assert cache_mod.cache_path().is_file()
    cache_mod._memo.clear()


def tiny_sea():
    from landbridge.network.build.sea_layer import SeaLayer

    base = {c: np.nan for c in FACILITY_COLUMNS}
    ports = pd.DataFrame(
        [
            {**base, "facility_id": "port-a", "name": "Port A", "kind": "port", "countries": "AA",
             "lat": 0.1, "lon": 5.0, "source_ids": "s", "assumption": "", "port_id": "a",
             "country": "AA", "rail_served": True, "rail_lat": 0.01, "rail_lon": 5.0},
            {**base, "facility_id": "port-b", "name": "Port B", "kind": "port", "countries": "BB",
             "lat": 0.1, "lon": 15.0, "source_ids": "s", "assumption": "", "port_id": "b",
             "country": "BB", "rail_served": False, "rail_lat": np.nan, "rail_lon": np.nan},
        ]
    )  # fmt: skip
    links = pd.DataFrame(
        [{**base, "facility_id": "a-b", "name": "A–B", "kind": "ferry", "countries": "AA-BB",
          "source_ids": "s", "assumption": "", "link_id": "a-b", "from_port": "a", "to_port": "b",
          "length_km": 1200.0}]
    )  # fmt: skip
    geometry = [np.array([[5.0, 0.1], [10.0, 1.0], [15.0, 0.1]], dtype=np.float32)]
    return SeaLayer(ports=ports, links=links, link_geometry=geometry, rate_year=2024)


def test_sea_layer_joins_rail_served_ports_and_adds_sea_links() -> None:
    ls, _ = split_at_borders(line_across(), two_countries())
    sections = pd.DataFrame(columns=["facility_id", "name", "countries", "from_lat", "from_lon",
                                     "to_lat", "to_lon", "source_ids"])  # fmt: skip
    net = compile_network(
        ls, ("AA", "BB"), gauges(1520, "russian"), crossings_table(0.0), no_closed(), sections, [],
        np.zeros((0, 2), dtype=np.int64), {}, tiny_sea(),
    )  # fmt: skip
    cache_mod.validate_network(net)
    ports = np.flatnonzero(net.node_kind == NodeKind.PORT)
    assert len(ports) == 2 and list(net.node_name[ports]) == ["Port A", "Port B"]
    port_edges = np.flatnonzero(net.edge_mode == EdgeMode.PORT)
    assert len(port_edges) == 2  # Port A only (B is not rail-served), both directions
    e = port_edges[net.edge_src[port_edges] < ports[0]][0]
    assert (net.node_lon[net.edge_src[e]], net.node_lat[net.edge_src[e]]) == (5.0, 0.0)
    assert net.facilities["facility_id"][int(net.edge_facility[e])] == "port-a"
    sea = np.flatnonzero(net.edge_mode == EdgeMode.SEA)
    assert net.edge_length_km[sea].tolist() == [1200.0, 1200.0]
    assert np.all(net.edge_country[sea] == -1) and np.all(net.edge_gauge_mm[sea] == 0)
    forward = sea[net.edge_src[sea] == ports[0]][0]
    assert net.edge_geometry(forward)[1] == pytest.approx([10.0, 1.0])
    assert net.edge_geometry(int(net.edge_reverse[forward]))[0] == pytest.approx([15.0, 0.1])
    ports = net.facilities["kind"] == "port"
    assert net.facilities["rail_served"][ports].tolist() == [1, 0]  # yes, no
    assert set(net.facilities["rail_served"][~ports].tolist()) == {-1}  # unknown: not a port
    assert net.facilities.to_frame()["rail_served"].dtype == "boolean"
    path = Path(tempfile.mkdtemp()) / "sea.npz"
    cache_mod.save_network(net, path)
    assert cache_mod.read_network(path).facilities.equals(net.facilities)
