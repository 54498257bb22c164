"""Generated OSM XML and GeoJSON for the railway importers: a result or a typed error, no hang.

Documents are built from random nodes, ways, tags (any Unicode), references to missing nodes,
values of the wrong type and huge numbers; some are then cut short or spliced with raw bytes.
A result must be self-consistent (geometry from node to node, finite in-range coordinates,
lengths, one attribute row per line, counts that add up); anything else must be a
``LandbridgeError``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from landbridge.errors import LandbridgeError
from landbridge.io.geojson_import import railways_from_geojson, read_geojson
from landbridge.io.osm_import import (
    LINE_COLUMNS,
    OUT_OF_SERVICE_KEYS,
    ImportedRailways,
    read_osm,
)

# Generated documents are small: a call taking this long is a hang, not a slow machine.
FUZZ = settings(
    max_examples=60,
    deadline=10_000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

TAG_KEYS = ("railway", "gauge", "electrified", "voltage", "frequency", "usage", "service",
            "maxspeed", "name", *OUT_OF_SERVICE_KEYS, "highway")  # fmt: skip
TAG_VALUES = st.one_of(
    st.sampled_from(
        [
            "rail",
            "tram",
            "subway",
            "platform",
            "station",
            "halt",
            "yes",
            "no",
            "1520",
            "1435;1520",
            "25000",
            "50",
            "80 mph",
            "none",
            "-5",
            "1e999",
            "9" * 400,
            "NaN",
            "main",
            "yard",
        ]
    ),  # fmt: skip
    st.text(max_size=20),
)
# Text XML 1.0 can hold (no control characters): valid documents use it.
CLEAN_TAG_VALUES = st.one_of(
    TAG_VALUES.filter(lambda v: v.isprintable()),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
)
numbers = st.one_of(
    st.floats(min_value=-90, max_value=90).map(repr),
    st.integers(-90, 90).map(str),
    st.sampled_from(["60.17", "24.94", "0", "-45.5"]),
    st.floats().map(repr),
    st.integers(-(10**25), 10**25).map(str),
    st.sampled_from(["", "x", "1,5", "0x10", "1e400", "-0", "١٢"]),
)
node_ids = st.integers(-5, 40) | st.integers(-(10**20), 10**20)


def _attr(value: object, raw: bool) -> str:
    # raw: written without escaping, so quotes and '<' break the document
    return f'"{value}"' if raw else quoteattr(str(value))


@st.composite
def osm_documents(draw: st.DrawFn) -> tuple[str, int | None]:
    """An OSM XML text and, when it is well-formed by construction, its count of rail ways."""
    # half the documents are hostile (bad ids, coordinates, references, escaping, damage);
    # the other half are valid, so that results get checked too
    hostile = draw(st.booleans())
    raw = hostile and draw(st.booleans())
    ids_from = node_ids if hostile else st.integers(-5, 40)
    values = TAG_VALUES if hostile else CLEAN_TAG_VALUES
    parts = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6'>"]
    good = st.floats(-89, 89).map(lambda v: f"{v:.7f}")
    n_nodes = draw(st.integers(0 if hostile else 2, 12))
    ids = draw(st.lists(ids_from, min_size=n_nodes, max_size=n_nodes))
    coords = good | numbers if hostile else good
    for node_id in ids:
        lat, lon = draw(coords), draw(coords)
        tags = draw(st.dictionaries(st.sampled_from(TAG_KEYS), values, max_size=3))
        inner = "".join(f"<tag k={_attr(k, raw)} v={_attr(v, raw)}/>" for k, v in tags.items())
        parts.append(f"<node id={_attr(node_id, raw)} lat={_attr(lat, raw)} "
                     f"lon={_attr(lon, raw)}>{inner}</node>")  # fmt: skip
    refs_from = st.sampled_from(ids) if ids else ids_from
    if hostile:
        refs_from |= ids_from | st.sampled_from(["a", "", "1.5"])
    ways = draw(st.lists(st.tuples(ids_from, st.lists(refs_from, max_size=10),
                                   st.dictionaries(st.sampled_from(TAG_KEYS), values,
                                                   max_size=5),
                                   st.sampled_from(["rail", "rail", "tram", None])),
                         max_size=8))  # fmt: skip
    rail = 0
    for way_id, refs, tags, railway in ways:
        if railway is not None:
            tags["railway"] = railway
        nds = "".join(f"<nd ref={_attr(r, raw)}/>" for r in refs)
        tg = "".join(f"<tag k={_attr(k, raw)} v={_attr(v, raw)}/>" for k, v in tags.items())
        parts.append(f"<way id={_attr(way_id, raw)}>{nds}{tg}</way>")
        in_service = not any(tags.get(k) == "yes" for k in OUT_OF_SERVICE_KEYS)
        rail += tags.get("railway") == "rail" and in_service
    parts.append("<relation id='1'><member type='way' ref='1' role=''/></relation></osm>")
    text = "\n".join(parts)
    damage = draw(st.sampled_from(["none", "cut", "splice"])) if hostile else "none"
    if damage == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "splice":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text, (rail if damage == "none" and not raw else None)


def check_result(got: ImportedRailways) -> None:
    """Invariants every import result holds."""
    ls = got.lines
    event("result with lines" if ls.n_lines else "result without lines")
    assert ls.offsets[0] == 0 and (np.diff(ls.offsets) >= 2).all()
    assert ls.offsets[-1] == len(ls.coords)
    assert np.isfinite(ls.coords).all()
    assert (np.abs(ls.coords[:, 0]) <= 180).all() and (np.abs(ls.coords[:, 1]) <= 90).all()
    assert np.array_equal(ls.coords[ls.offsets[:-1]], ls.node_lonlat[ls.line_u])
    assert np.array_equal(ls.coords[ls.offsets[1:] - 1], ls.node_lonlat[ls.line_v])
    assert np.isfinite(ls.length_km).all() and (ls.length_km >= 0).all()
    assert list(got.attributes.columns) == list(LINE_COLUMNS)
    assert len(got.attributes) == ls.n_lines
    rep = got.report
    assert rep.rail_ways + sum(rep.skipped_ways.values()) == rep.ways_read
    assert rep.lost_ways <= rep.rail_ways
    if ls.n_lines:
        assert ls.degrees().min() > 0
    for v in got.attributes["maxspeed_kmh"]:
        assert math.isnan(v) or 0 <= v < math.inf


@settings(FUZZ, max_examples=100)
@given(doc=osm_documents())
def test_generated_osm_gives_a_result_or_a_typed_error(tmp_path: Path, doc) -> None:
    text, rail_ways = doc
    path = tmp_path / "fuzz.osm"
    path.write_text(text, encoding="utf-8")
    try:
        got = read_osm(path)
    except LandbridgeError as exc:
        assert str(path) in str(exc)
        return
    check_result(got)
    if rail_ways is not None:
        assert got.report.rail_ways == rail_ways


@settings(FUZZ, max_examples=40)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_osm(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.osm"
    path.write_bytes(b"<osm>" + data if data[:1] == b"<" else data)
    try:
        check_result(read_osm(path))
    except LandbridgeError as exc:
        assert str(path) in str(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers(-(10**30), 10**30) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),  # fmt: skip
    max_leaves=20,
)
good_positions = st.tuples(st.floats(-180, 180), st.floats(-90, 90)).map(list)
positions = st.one_of(
    good_positions,
    st.lists(st.floats() | st.integers(-(10**400), 10**400) | st.text(max_size=3), max_size=4),
    json_values,
)
geometries = st.one_of(
    st.fixed_dictionaries({"type": st.just("LineString"),
                           "coordinates": st.lists(good_positions, min_size=2, max_size=6)}),
    st.fixed_dictionaries({"type": st.just("LineString"),
                           "coordinates": st.lists(positions, max_size=6)}),
    st.fixed_dictionaries({"type": st.just("MultiLineString"),
                           "coordinates": st.lists(st.lists(positions, max_size=4), max_size=3)}),
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": positions}),
    st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "GeometryCollection", "line"]),
                           "coordinates": json_values}),
    json_values,
)  # fmt: skip
features = st.one_of(
    st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometries,
                           "properties": st.dictionaries(st.sampled_from(TAG_KEYS),
                                                         TAG_VALUES | json_values, max_size=4)
                           | json_values}),
    json_values,
)  # fmt: skip
documents = st.one_of(
    st.fixed_dictionaries({"type": st.just("FeatureCollection"),
                           "features": st.lists(features, max_size=6)}),
    features,
    geometries,
    json_values,
)  # fmt: skip


@FUZZ
@given(doc=documents)
def test_generated_geojson_gives_a_result_or_a_typed_error(doc) -> None:
    try:
        got = railways_from_geojson(doc, "fuzz.geojson")
    except LandbridgeError as exc:
        assert str(exc).startswith("fuzz.geojson")
        return
    check_result(got)


@settings(FUZZ, max_examples=40)
@given(doc=documents, cut=st.integers(0, 400), noise=st.text(max_size=5))
def test_geojson_text_cut_or_spliced(tmp_path: Path, doc, cut: int, noise: str) -> None:
    text = json.dumps(doc)  # may write NaN/Infinity, which the reader refuses
    text = text[:cut] + noise + text[cut:] if noise else text
    path = tmp_path / "fuzz.geojson"
    path.write_text(text, encoding="utf-8")
    try:
        check_result(read_geojson(path))
    except LandbridgeError as exc:
        assert str(path) in str(exc)


@settings(FUZZ, max_examples=80)
@given(present=st.lists(st.booleans(), min_size=1, max_size=30))
def test_clipped_way_pieces_match_the_runs_of_present_nodes(tmp_path: Path, present) -> None:
    """One rail way whose nodes are partly outside the file: split exactly at the gaps."""
    nodes = "".join(
        f"<node id='{i + 1}' lat='{60 + i / 1000:.4f}' lon='{24 + (i % 3) / 1000:.4f}'/>"
        for i, ok in enumerate(present)
        if ok
    )
    refs = "".join(f"<nd ref='{i + 1}'/>" for i in range(len(present)))
    path = tmp_path / "clip.osm"
    path.write_text(f"<osm>{nodes}<way id='7'>{refs}<tag k='railway' v='rail'/></way></osm>")
    got = read_osm(path)
    check_result(got)
    runs, run = [], 0
    for ok in [*present, False]:
        if ok:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    kept = [r for r in runs if r >= 2]
    assert got.lines.n_lines == len(kept)
    assert list(np.diff(got.lines.offsets)) == kept
    assert got.report.missing_node_refs == present.count(False)
    assert got.report.clipped_ways == (False in present)
    assert got.report.dropped_pieces == len(runs) - len(kept)
    assert got.report.lost_ways == (not kept)
    assert list(got.attributes["piece"]) == list(range(len(kept)))
