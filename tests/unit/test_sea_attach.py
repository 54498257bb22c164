"""attach_sea_layer: ports, PORT/SEA/OCEAN edges added to a compiled Network, CSR kept valid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

import landbridge.network.sea as sea
from landbridge.network.marnet import haversine_km
from landbridge.network.model import EdgeMode, Network, NodeKind

# Rail nodes: 0 at Aktau's rail yard, 1 inland Kazakhstan, 2 at Alat station, 3 inland Azerbaijan.
NODES = np.array([[51.25, 43.65], [52.0, 43.7], [49.42, 39.97], [48.9, 40.2]])
RAIL = [(0, 1, "KZ"), (2, 3, "AZ")]


def _tiny_network() -> Network:
    countries = ("KZ", "AZ")
    u = np.array([a for a, _, _ in RAIL])
    v = np.array([b for _, b, _ in RAIL])
    ctry = np.array([countries.index(c) for _, _, c in RAIL], dtype=np.int16)
    length = haversine_km(NODES[u, 0], NODES[u, 1], NODES[v, 0], NODES[v, 1])
    src, dst = np.concatenate([u, v]), np.concatenate([v, u])
    order = np.argsort(src, kind="stable")
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    k = len(u)
    twin = np.concatenate([np.arange(k) + k, np.arange(k)])
    geoms = [NODES[[src[e], dst[e]]] for e in order]
    indptr = np.zeros(len(NODES) + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=len(NODES)), out=indptr[1:])
    facilities = pd.DataFrame(
        {
            "facility_id": ["section-x"],
            "name": ["X"],
            "kind": ["section"],
            "closed": [False],
            "gauge_change": [False],
        }
    )
    return Network(
        node_lat=NODES[:, 1].copy(),
        node_lon=NODES[:, 0].copy(),
        node_country=np.array([0, 0, 1, 1], dtype=np.int16),
        node_gauge_mm=np.full(4, 1520, dtype=np.int16),
        node_kind=np.full(4, NodeKind.JUNCTION, dtype=np.int8),
        node_name=np.array(["", "", "", ""], dtype=object),
        indptr=indptr,
        edge_src=src[order].astype(np.int32),
        edge_dst=dst[order].astype(np.int32),
        edge_length_km=np.concatenate([length, length])[order],
        edge_mode=np.full(2 * k, EdgeMode.RAIL, dtype=np.int8),
        edge_country=np.concatenate([ctry, ctry])[order],
        edge_gauge_mm=np.full(2 * k, 1520, dtype=np.int16),
        edge_facility=np.array([0, -1, 0, -1], dtype=np.int32)[order],
        edge_reverse=inv[twin[order]].astype(np.int32),
        edge_geom_offset=np.arange(0, 2 * len(geoms) + 1, 2, dtype=np.int64),
        geom_lonlat=np.vstack(geoms).astype(np.float32),
        countries=countries,
        facilities=facilities,
        meta={"built": "by hand"},
    )


@pytest.fixture(scope="module")
def small_layer() -> sea.SeaLayer:
    full = sea.build_sea_layer()
    ports = full.ports[full.ports["port_id"].isin(["aktau", "kuryk", "alat"])].reset_index(
        drop=True
    )
    keep = full.links["link_id"].isin(["aktau-alat-ferry", "kuryk-alat-ferry"]).to_numpy()
    links = full.links[keep].reset_index(drop=True)
    geometry = [g for g, k in zip(full.link_geometry, keep, strict=True) if k]
    return sea.SeaLayer(ports=ports, links=links, link_geometry=geometry, rate_year=full.rate_year)


@pytest.fixture(scope="module")
def joined(small_layer) -> Network:
    return sea.attach_sea_layer(_tiny_network(), small_layer)


def test_csr_invariants_hold(joined) -> None:
    n = joined.n_nodes
    assert n == 4 + 3
    assert np.all(np.diff(joined.edge_src) >= 0)
    for i in range(n):
        assert np.all(joined.edge_src[joined.indptr[i] : joined.indptr[i + 1]] == i)
    rev = joined.edge_reverse
    assert np.array_equal(rev[rev], np.arange(joined.n_edges))
    assert np.array_equal(joined.edge_src[rev], joined.edge_dst)
    assert joined.edge_geom_offset[-1] == len(joined.geom_lonlat)


def test_ports_are_nodes_and_rail_served_ports_join_the_nearest_rail_node(joined) -> None:
    names = list(joined.node_name)
    aktau, kuryk, alat = (names.index(x) for x in ("Aktau", "Kuryk", "Baku (Alat)"))
    assert set(joined.node_kind[[aktau, kuryk, alat]]) == {NodeKind.PORT}
    assert set(joined.node_gauge_mm[[aktau, kuryk, alat]]) == {0}
    port_edges = np.flatnonzero(joined.edge_mode == EdgeMode.PORT)
    pairs = {(int(joined.edge_src[e]), int(joined.edge_dst[e])) for e in port_edges}
    assert pairs == {(0, aktau), (aktau, 0), (2, alat), (alat, 2)}
    assert np.all(joined.edge_length_km[port_edges] == 0.0)
    fac = joined.facilities["facility_id"]
    assert {fac.iat[int(joined.edge_facility[e])] for e in port_edges} == {
        "port-aktau",
        "port-alat",
    }
    # Kuryk's rail point is about 60 km from the nearest rail node: sea-only, and reported.
    assert joined.meta["sea"]["ports_without_rail"] == ["kuryk"]
    assert joined.meta["built"] == "by hand"


def test_sea_edges_carry_the_link_length_geometry_and_facility(joined, small_layer) -> None:
    sea_edges = np.flatnonzero(joined.edge_mode == EdgeMode.SEA)
    assert len(sea_edges) == 4
    links = small_layer.links.set_index("facility_id")
    for e in sea_edges:
        fid = joined.facilities["facility_id"].iat[int(joined.edge_facility[e])]
        assert joined.edge_length_km[e] == pytest.approx(links.at[fid, "length_km"])
        assert joined.edge_country[e] == -1
        line = joined.edge_geometry(int(e))
        start = (joined.node_lon[joined.edge_src[e]], joined.node_lat[joined.edge_src[e]])
        assert line[0] == pytest.approx(start, abs=1e-4)
        back = joined.edge_geometry(int(joined.edge_reverse[e]))
        np.testing.assert_array_equal(back, line[::-1])


def test_old_edges_keep_their_geometry_and_facilities(joined) -> None:
    base = _tiny_network()
    for e in range(base.n_edges):
        s, d = base.edge_src[e], base.edge_dst[e]
        hit = np.flatnonzero((joined.edge_src == s) & (joined.edge_dst == d))
        assert len(hit) == 1
        np.testing.assert_array_equal(joined.edge_geometry(int(hit[0])), base.edge_geometry(e))
        assert joined.edge_facility[hit[0]] == base.edge_facility[e]
    pd.testing.assert_frame_equal(
        joined.facilities.iloc[:1][base.facilities.columns], base.facilities
    )
    assert not joined.facilities["closed"].any()


def test_rail_to_rail_across_the_caspian(joined, small_layer) -> None:
    graph = csr_matrix(
        (joined.edge_length_km + 0.0, (joined.edge_src, joined.edge_dst)),
        shape=(joined.n_nodes,) * 2,
    )
    dist = dijkstra(graph, indices=1)
    rail_kz = float(haversine_km(*NODES[0], *NODES[1]))
    rail_az = float(haversine_km(*NODES[2], *NODES[3]))
    ferry = small_layer.links.set_index("link_id").at["aktau-alat-ferry", "length_km"]
    assert dist[3] == pytest.approx(rail_kz + ferry + rail_az)


def test_ocean_links_become_ocean_edges() -> None:
    full = sea.build_sea_layer()
    ports = full.ports[full.ports["port_id"].isin(["shanghai", "rotterdam"])].reset_index(drop=True)
    keep = (full.links["from_port"] == "shanghai") & (full.links["to_port"] == "rotterdam")
    layer = sea.SeaLayer(
        ports=ports,
        links=full.links[keep].reset_index(drop=True),
        link_geometry=[g for g, k in zip(full.link_geometry, keep, strict=True) if k],
        rate_year=full.rate_year,
    )
    net = sea.attach_sea_layer(_tiny_network(), layer)
    ocean = np.flatnonzero(net.edge_mode == EdgeMode.OCEAN)
    assert len(ocean) == 4  # Suez and Cape, both directions
    assert set(net.countries) >= {"CN", "NL"}  # countries outside the rail network are appended
    assert net.meta["sea"]["ports_without_rail"] == ["shanghai", "rotterdam"]
