"""Snapping places to a hand-made network: own country first, ports to port nodes, far → error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from landbridge.errors import UnreachableError
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.places.snap import (
    snap_distance_km,
    snap_index,
    snap_points,
    snap_to_network,
)
from landbridge.schema.place import Place
from landbridge.units import EARTH_RADIUS_KM

# node: (lat, lon, country index, kind)
NODES = [
    (52.0225, 23.60, 1, NodeKind.STATION),  # 0 BY, ~4.6 km east of Małaszewicze
    (52.0225, 23.40, 0, NodeKind.STATION),  # 1 PL, ~9.2 km west of Małaszewicze
    (52.0225, 23.00, 0, NodeKind.JUNCTION),  # 2 PL
    (42.15, 41.67, 2, NodeKind.PORT),  # 3 GE port node (Poti), joined by a PORT edge only
    (42.20, 41.80, 2, NodeKind.STATION),  # 4 GE rail, ~11.7 km from the port point
    (0.0, 10.0, 3, NodeKind.STATION),  # 5 far away rail
    (0.0, 10.5, 3, NodeKind.STATION),  # 6
    (52.0225, 23.534, 0, NodeKind.PORT),  # 7 a node at Małaszewicze with only a SEA edge
    (52.5, 24.0, 1, NodeKind.STATION),  # 8
]
# undirected links: (a, b, mode)
LINKS = [
    (0, 8, EdgeMode.RAIL),
    (1, 2, EdgeMode.RAIL),
    (3, 4, EdgeMode.PORT),
    (4, 0, EdgeMode.RAIL),
    (5, 6, EdgeMode.RAIL),
    (7, 3, EdgeMode.SEA),
]


def make_network() -> Network:
    src = [a for a, b, _ in LINKS] + [b for a, b, _ in LINKS]
    dst = [b for a, b, _ in LINKS] + [a for a, b, _ in LINKS]
    mode = [m for *_, m in LINKS] * 2
    m = len(LINKS)
    order = np.argsort(src, kind="stable")
    src_a, dst_a = np.asarray(src)[order], np.asarray(dst)[order]
    rev = np.empty(2 * m, dtype=np.int32)
    reverse_unsorted = np.r_[np.arange(m, 2 * m), np.arange(m)]
    position = np.empty(2 * m, dtype=np.int64)
    position[order] = np.arange(2 * m)
    rev[position] = position[reverse_unsorted]
    n = len(NODES)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, src_a + 1, 1)
    return Network(
        node_lat=np.array([x[0] for x in NODES]),
        node_lon=np.array([x[1] for x in NODES]),
        node_country=np.array([x[2] for x in NODES], dtype=np.int16),
        node_gauge_mm=np.full(n, 1435, dtype=np.int16),
        node_kind=np.array([x[3] for x in NODES], dtype=np.int8),
        node_name=np.array([""] * n, dtype=object),
        indptr=np.cumsum(indptr),
        edge_src=src_a.astype(np.int32),
        edge_dst=dst_a.astype(np.int32),
        edge_length_km=np.ones(2 * m),
        edge_mode=np.asarray(mode, dtype=np.int8)[order],
        edge_country=np.zeros(2 * m, dtype=np.int16),
        edge_gauge_mm=np.full(2 * m, 1435, dtype=np.int16),
        edge_facility=np.full(2 * m, -1, dtype=np.int32),
        edge_reverse=rev,
        edge_geom_offset=np.zeros(2 * m + 1, dtype=np.int64),
        geom_lonlat=np.zeros((0, 2), dtype=np.float32),
        countries=("PL", "BY", "GE", "XX"),
        facilities=pd.DataFrame(),
    )


def place(name: str, lat: float, lon: float, country: str = "", kind: str = "city") -> Place:
    return Place(place_id=f"test:{name}", name=name, kind=kind, country=country, lat=lat, lon=lon)


@pytest.fixture(scope="module")
def net() -> Network:
    return make_network()


def test_hand_made_network_is_valid_csr(net: Network) -> None:
    for i in range(net.n_nodes):
        assert (net.edge_src[net.indptr[i] : net.indptr[i + 1]] == i).all()
    e = np.arange(net.n_edges)
    assert (net.edge_src[net.edge_reverse] == net.edge_dst[e]).all()


def test_own_country_wins_over_a_nearer_foreign_node(net: Network) -> None:
    malaszewicze = place("Małaszewicze", 52.0225, 23.534167, "PL", "crossing")
    assert snap_to_network(malaszewicze, net) == 1  # PL node 9 km away, not the BY node at 4.6 km
    assert snap_distance_km(malaszewicze, net, 0) < snap_distance_km(malaszewicze, net, 1)


def test_without_own_country_node_the_nearest_rail_node(net: Network) -> None:
    assert snap_to_network(place("Somewhere", 52.0225, 23.534167, "DE"), net) == 0
    assert snap_to_network(place("Coordinate", 52.0225, 23.534167, "", "coordinate"), net) == 0


def test_node_without_rail_edges_is_never_a_rail_snap(net: Network) -> None:
    # node 7 sits exactly at Małaszewicze but has only a SEA edge
    assert 7 not in snap_index(net).rail_nodes.tolist()
    assert snap_to_network(place("M", 52.0225, 23.534, "PL"), net) == 1


def test_port_places_snap_to_port_nodes(net: Network) -> None:
    poti = place("Poti", 42.178129, 41.671971, "GE", "port")
    assert snap_to_network(poti, net) == 3
    assert snap_to_network(place("Poti town", 42.178129, 41.671971, "GE", "city"), net) == 4


def test_far_place_is_unreachable_with_the_distance(net: Network) -> None:
    lhasa = place("Lhasa", 0.0, 0.0, "CN")
    expected_km = EARTH_RADIUS_KM * np.radians(10.0)  # node 5 lies 10° of longitude east
    with pytest.raises(UnreachableError) as info:
        snap_to_network(lhasa, net)
    assert str(info.value) == (
        f"Lhasa (CN): nearest railway of the network is {expected_km:,.0f} km away "
        "(snapping limit 50 km)"
    )
    assert snap_to_network(lhasa, net, max_km=1200.0) == 5


def test_index_is_built_once_per_network(net: Network) -> None:
    assert snap_index(net) is snap_index(net)
    other = make_network()
    assert snap_index(other) is not snap_index(net)


def test_snapping_many_places_is_vectorised_over_the_same_tree(net: Network) -> None:
    lats = np.linspace(51.9, 52.1, 25)
    nodes = {
        snap_to_network(place(f"p{i}", float(lat), 23.2, "PL"), net) for i, lat in enumerate(lats)
    }
    assert nodes <= {1, 2}


def test_snap_points_vectorised_matches_single_snaps(net: Network) -> None:
    lat = np.array([52.0225, 52.0225, 0.0, 42.2, 52.4])
    lon = np.array([23.534167, 23.534167, 0.0, 41.79, 23.9])
    country = np.array([0, -1, 5, 2, 1])  # PL, none, not in network, GE, BY
    nodes, km = snap_points(net, lat, lon, country)
    assert nodes.tolist() == [1, 0, -1, 4, 8]
    assert km[2] == pytest.approx(EARTH_RADIUS_KM * np.radians(10.0))  # distance kept for -1
    for i in (0, 1, 3, 4):
        assert km[i] == pytest.approx(
            snap_distance_km(place("p", lat[i], lon[i]), net, int(nodes[i])), rel=1e-9
        )
    iso = {0: "PL", 1: "BY", 2: "GE"}
    for i in (0, 1, 3, 4):
        one = place("p", float(lat[i]), float(lon[i]), iso.get(int(country[i]), ""))
        assert snap_to_network(one, net) == nodes[i]


def test_snap_points_without_country_is_plain_nearest(net: Network) -> None:
    nodes, km = snap_points(net, np.array([52.0225]), np.array([23.534167]))
    assert nodes.tolist() == [0]
    assert km[0] < 5.0


def test_a_scan_leaves_ties_to_the_k_d_tree(net: Network) -> None:
    from landbridge.places import snap

    index = snap_index(net)
    # nodes 5 and 6 are equally far from a point on the meridian between them
    middle = place("Between", 0.0, 10.25, "XX")
    assert snap._snap_by_scan(index, middle, net, 1200.0) is None
    index.scans = 0
    assert snap_to_network(middle, net, max_km=1200.0) in (5, 6)
    # an unambiguous point is answered by the scan, as the trees would
    near_six = place("Near 6", 0.0, 10.4, "XX")
    assert snap._snap_by_scan(index, near_six, net, 1200.0) == 6
    index.scans = snap.SCAN_QUERIES
    assert snap_to_network(near_six, net, max_km=1200.0) == 6
