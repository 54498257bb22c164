"""Map layers and the basemap: exact features from a hand-made network, caching, bad layer names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.layers import basemap_countries, network_layer
from landbridge.api.settings import ApiSettings
from landbridge.errors import NetworkDataError
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.network.route_lines import LINE_SIMPLIFY_DEG


def tiny_network() -> Network:
    """CN (1435) -> yard -> KZ (1520) rail, a port and a ferry leg; both directions stored."""
    lon = np.array([80.0, 82.0, 82.0, 84.0, 50.0, 49.0])
    lat = np.array([45.0, 45.0, 45.0, 45.0, 43.0, 40.0])
    country = np.array([0, 0, 1, 1, 1, 2], dtype=np.int16)
    gauge = np.array([1435, 1435, 1520, 1520, 0, 0], dtype=np.int16)
    kind = np.array(
        [
            NodeKind.TERMINAL,
            NodeKind.YARD,
            NodeKind.YARD,
            NodeKind.TERMINAL,
            NodeKind.PORT,
            NodeKind.PORT,
        ],
        dtype=np.int8,
    )
    # (src, dst, length_km, mode, country, gauge, facility, geometry)
    bent = [
        [80.0, 45.0],
        [80.5, 45.252],
        [81.0, 45.5],
        [82.0, 45.0],
    ]  # the 80.5 vertex is 0.002 deg off the line
    links = [
        (0, 1, 160.0, EdgeMode.RAIL, 0, 1435, -1, bent),
        (1, 2, 0.0, EdgeMode.TRANSFER, 0, 0, 0, [[82.0, 45.0], [82.0, 45.0]]),
        (2, 3, 158.0, EdgeMode.RAIL, 1, 1520, -1, [[82.0, 45.0], [84.0, 45.0]]),
        (4, 5, 420.0, EdgeMode.SEA, -1, 0, 2, [[50.0, 43.0], [49.0, 40.0]]),
    ]
    directed = []
    for i, (s, d, km, mode, c, g, f, geom) in enumerate(links):
        directed.append((s, d, km, mode, c, g, f, geom, 2 * i + 1))
        directed.append((d, s, km, mode, c, g, f, geom[::-1], 2 * i))
    order = sorted(range(len(directed)), key=lambda k: directed[k][0])
    rank = {old: new for new, old in enumerate(order)}
    rows = [directed[k] for k in order]
    offsets = np.cumsum([0] + [len(r[7]) for r in rows])
    indptr = np.searchsorted([r[0] for r in rows], np.arange(len(lon) + 1)).astype(np.int64)
    facilities = pd.DataFrame(
        {
            "facility_id": ["khorgos-yard", "aktau-port", "aktau-baku-ferry"],
            "name": ["Khorgos yard", "Aktau port", "Aktau–Baku ferry"],
            "kind": ["gauge_change", "port", "ferry"],
            "countries": ["CN-KZ", "KZ", "KZ-AZ"],
            "lat": [45.0, 43.0, 41.5],
            "lon": [82.0, 50.0, 49.5],
            "dwell_p50_h": [10.0, 24.0, np.nan],
            "capacity_trains_per_day": [20.0, np.nan, 2.0],
        }
    )
    return Network(
        node_lat=lat,
        node_lon=lon,
        node_country=country,
        node_gauge_mm=gauge,
        node_kind=kind,
        node_name=np.array(["Urumqi", "", "", "Almaty", "Aktau", "Baku"], dtype=object),
        indptr=indptr,
        edge_src=np.array([r[0] for r in rows], dtype=np.int32),
        edge_dst=np.array([r[1] for r in rows], dtype=np.int32),
        edge_length_km=np.array([r[2] for r in rows]),
        edge_mode=np.array([int(r[3]) for r in rows], dtype=np.int8),
        edge_country=np.array([r[4] for r in rows], dtype=np.int16),
        edge_gauge_mm=np.array([r[5] for r in rows], dtype=np.int16),
        edge_facility=np.array([r[6] for r in rows], dtype=np.int32),
        edge_reverse=np.array([rank[r[8]] for r in rows], dtype=np.int32),
        edge_geom_offset=offsets.astype(np.int64),
        geom_lonlat=np.array([pt for r in rows for pt in r[7]], dtype=np.float32),
        countries=("CN", "KZ", "AZ"),
        facilities=facilities,
    )


def test_tiny_network_is_valid_csr() -> None:
    net = tiny_network()
    for i in range(net.n_nodes):
        assert (net.edge_src[net.indptr[i] : net.indptr[i + 1]] == i).all()
    assert (net.edge_reverse[net.edge_reverse] == np.arange(net.n_edges)).all()


def test_rail_layer_merges_lines_per_gauge_and_country_and_simplifies_them() -> None:
    layer = network_layer(tiny_network(), "rail")
    assert layer["type"] == "FeatureCollection"
    by_gauge = {f["properties"]["gauge_mm"]: f for f in layer["features"]}
    assert sorted(by_gauge) == [1435, 1520]
    assert len(layer["features"]) == 2  # each line once, not once per direction
    cn = by_gauge[1435]
    assert cn["properties"]["country"] == "CN"
    assert cn["properties"]["length_km"] == 160.0
    assert cn["geometry"]["type"] == "MultiLineString"
    (coords,) = cn["geometry"]["coordinates"]
    # the vertex 0.002 deg off the straight line goes, the 0.5 deg bend stays
    assert LINE_SIMPLIFY_DEG > 0.002
    assert [tuple(c) for c in coords] in (
        [(80.0, 45.0), (81.0, 45.5), (82.0, 45.0)],
        [(82.0, 45.0), (81.0, 45.5), (80.0, 45.0)],
    )
    assert by_gauge[1520]["properties"]["country"] == "KZ"


def test_facility_and_sea_layers_carry_ids_and_parameters() -> None:
    net = tiny_network()
    yards = network_layer(net, "yards")["features"]
    assert [f["properties"]["facility_id"] for f in yards] == ["khorgos-yard"]
    assert yards[0]["geometry"] == {"type": "Point", "coordinates": [82.0, 45.0]}
    assert yards[0]["properties"]["dwell_p50_h"] == 10.0
    ports = network_layer(net, "ports")["features"]
    assert ports[0]["properties"]["capacity_trains_per_day"] is None  # NaN becomes null, not "nan"
    assert network_layer(net, "crossings")["features"] == []
    sea = network_layer(net, "sea")["features"]
    assert len(sea) == 1
    assert sea[0]["properties"]["facility_id"] == "aktau-baku-ferry"
    assert sea[0]["properties"]["length_km"] == 420.0


def test_layer_endpoint_serves_cached_geojson_with_etag() -> None:
    calls = []

    def loader() -> Network:
        calls.append(1)
        return tiny_network()

    client = TestClient(create_app(ApiSettings(), network_loader=loader))
    first = client.get("/api/layers/rail")
    assert first.status_code == 200
    assert len(first.json()["features"]) == 2
    again = client.get("/api/layers/rail", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert (
        client.get("/api/layers/yards").json()["features"][0]["properties"]["name"]
        == "Khorgos yard"
    )
    assert calls == [1]  # the network is loaded once for all layers


def test_unknown_layer_is_a_422_naming_the_allowed_values() -> None:
    client = TestClient(create_app(ApiSettings(), network_loader=tiny_network))
    response = client.get("/api/layers/secret")
    assert response.status_code == 422
    assert "rail" in response.text


def test_basemap_keeps_countries_of_the_corridor() -> None:
    layer = basemap_countries()
    iso = {f["properties"]["iso_a2"] for f in layer["features"]}
    assert {"CN", "KZ", "RU", "BY", "PL", "DE", "AZ", "GE", "TR"} <= iso
    # the all-sea option sails round Arabia and Africa: the map must show them too
    assert {"EG", "SA", "ZA", "MA"} <= iso
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in layer["features"])


def test_basemap_missing_file_is_a_typed_error(tmp_path) -> None:
    with pytest.raises(NetworkDataError, match="basemap"):
        basemap_countries(tmp_path / "nothing.json")
