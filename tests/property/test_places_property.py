"""Any text a user may type gets ranked matches or a typed error: never a crash, never a hang."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from landbridge.errors import InvalidInputError, LandbridgeError, UnreachableError
from landbridge.places.gazetteer import RESOLVE_MIN_SCORE, Gazetteer
from landbridge.places.names import normalize
from landbridge.places.place_query import MAX_QUERY_CHARS
from landbridge.places.place_sources import TERMINALS_TABLE
from landbridge.places.snap import (
    SCAN_QUERIES,
    snap_index,
    snap_points,
    snap_to_network,
)
from landbridge.schema.place import Place
from landbridge.units import EARTH_RADIUS_KM

GAZ = Gazetteer.load()
with TERMINALS_TABLE.open(encoding="utf-8", newline="") as _fh:
    TERMINAL_NAMES = sorted({r["name"] for r in csv.DictReader(_fh)})

queries = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі -'", max_size=30),
    st.text(alphabet="西安阿拉山口霍尔果斯乌鲁木齐连云港 ", max_size=10),
    st.text(alphabet="0123456789.,;-+ NSEW°", max_size=25),
    st.text(min_size=MAX_QUERY_CHARS - 5, max_size=1000),
)


@settings(max_examples=300, deadline=None)
@given(queries, st.integers(min_value=1, max_value=20))
def test_search_returns_ranked_matches_or_a_typed_error(query: str, limit: int) -> None:
    try:
        matches = GAZ.search(query, limit=limit)
    except LandbridgeError as exc:
        assert str(exc)
        return
    assert len(matches) <= limit
    scores = [m.score for m in matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    non_coordinate = [m.score for m in matches if m.place.kind != "coordinate"]
    assert non_coordinate == sorted(non_coordinate, reverse=True)


@settings(max_examples=200, deadline=None)
@given(queries)
def test_resolve_returns_a_place_or_a_typed_error(query: str) -> None:
    try:
        place = GAZ.resolve(query)
    except LandbridgeError as exc:
        assert "\n" not in str(exc)
        return
    assert GAZ.search(query, limit=1)[0].score >= RESOLVE_MIN_SCORE
    assert place.name


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=MAX_QUERY_CHARS + 1, max_size=5000))
def test_over_long_queries_are_refused(query: str) -> None:
    try:
        GAZ.search(query)
    except InvalidInputError as exc:
        assert "too long" in str(exc)
    else:
        raise AssertionError("an over-long query was searched")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TERMINAL_NAMES), st.data())
def test_terminal_names_survive_case_and_spacing_changes(name: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    mangled = "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=True))
    mangled = (
        data.draw(st.sampled_from(["", " ", "  "]))
        + mangled
        + data.draw(st.sampled_from(["", " "]))
    )
    assert GAZ.resolve(mangled).name == name


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    key = normalize(text)
    assert normalize(key) == key


def _random_rail_network(seed: int, n: int):
    import pandas as pd

    from landbridge.network.model import EdgeMode, Network, NodeKind

    rng = np.random.default_rng(seed)
    src = np.arange(n - 1, dtype=np.int32)
    edge_src, edge_dst = np.concatenate([src, src + 1]), np.concatenate([src + 1, src])
    order = np.argsort(edge_src, kind="stable")
    counts = np.bincount(edge_src, minlength=n)
    m = len(edge_src)
    return Network(
        node_lat=rng.uniform(40.0, 46.0, n), node_lon=rng.uniform(75.0, 85.0, n),
        node_country=rng.integers(0, 3, n).astype(np.int16),
        node_gauge_mm=np.full(n, 1520, np.int16), node_kind=np.full(n, NodeKind.STATION, np.int8),
        node_name=np.array([""] * n, dtype=object),
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        edge_src=edge_src[order], edge_dst=edge_dst[order], edge_length_km=np.ones(m),
        edge_mode=np.full(m, EdgeMode.RAIL, np.int8), edge_country=np.zeros(m, np.int16),
        edge_gauge_mm=np.full(m, 1520, np.int16), edge_facility=np.full(m, -1, np.int32),
        edge_reverse=np.zeros(m, np.int32), edge_geom_offset=np.zeros(m + 1, np.int64),
        geom_lonlat=np.zeros((0, 2), np.float32), countries=("CN", "KZ", "UZ"),
        facilities=pd.DataFrame(),
    )  # fmt: skip


def _haversine_km(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la0, lo0, la, lo = np.radians(lat0), np.radians(lon0), np.radians(lat), np.radians(lon)
    a = np.sin((la - la0) / 2) ** 2 + np.cos(la0) * np.cos(la) * np.sin((lo - lo0) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 400),
    st.lists(
        st.tuples(st.floats(38.0, 48.0), st.floats(72.0, 88.0), st.integers(-1, 3)),
        min_size=1,
        max_size=30,
    ),
    st.floats(5.0, 200.0),
)
def test_snap_points_equals_brute_force(seed: int, n: int, points, max_km: float) -> None:
    net = _random_rail_network(seed, n)
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    country = np.array([p[2] for p in points])
    nodes, km = snap_points(net, lat, lon, country, max_km=max_km)
    for i in range(len(points)):
        d = _haversine_km(lat[i], lon[i], net.node_lat, net.node_lon)
        assume(np.abs(d - max_km).min() > 1e-6)  # no node exactly on the snapping limit
        own = (net.node_country == country[i]) & (d <= max_km)
        near = d <= max_km
        expected = (
            int(np.flatnonzero(own)[np.argmin(d[own])]) if own.any()
            else int(np.argmin(np.where(near, d, np.inf))) if near.any()
            else -1
        )  # fmt: skip
        assert nodes[i] == expected
        reference = d[expected] if expected >= 0 else d.min()
        assert km[i] == pytest.approx(reference, rel=1e-6, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 300),
    st.lists(
        st.tuples(st.floats(38.0, 48.0), st.floats(72.0, 88.0), st.sampled_from(["", "KZ", "XX"])),
        min_size=1,
        max_size=20,
    ),
    st.floats(5.0, 200.0),
)
def test_snap_by_scan_equals_snap_by_trees(seed: int, n: int, points, max_km: float) -> None:
    """The first snaps of a network scan the coordinates; later ones use the k-d trees: the
    node, or the error message, is the same either way."""
    net = _random_rail_network(seed, n)
    index = snap_index(net)

    def snapped(p: Place, scans: int) -> int | str:
        index.scans = scans
        try:
            return snap_to_network(p, net, max_km=max_km)
        except UnreachableError as exc:
            return str(exc)

    for i, (lat, lon, iso2) in enumerate(points):
        p = Place(place_id=f"p{i}", name=f"p{i}", kind="city", country=iso2, lat=lat, lon=lon)
        assert snapped(p, 0) == snapped(p, SCAN_QUERIES)
