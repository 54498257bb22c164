"""The sea-lane graph: exact shortest paths on hand-made lanes, lane snapping, passage exclusion."""

from __future__ import annotations

import math

import numpy as np
import pytest

from landbridge.errors import NetworkDataError
from landbridge.network.build.marnet import (
    attach_points,
    graph_from_lines,
    load_marnet,
    polyline_km,
    shortest_paths,
)
from landbridge.network.geo import haversine_km
from landbridge.network.sea import load_searoute_ports
from landbridge.units import EARTH_RADIUS_KM

KM_PER_DEG_EQUATOR = 2 * math.pi * EARTH_RADIUS_KM / 360.0
KM_PER_NMI = 1.852


def _mini_graph():
    """A square of lanes on the equator/meridian grid plus a short 'canal' diagonal.

    Nodes (lon, lat): A(0,0) B(2,0) C(2,2) D(0,2); lanes A-B, B-C, C-D, D-A, and the canal A-C.
    """
    lines = [
        np.array([[0, 0], [1, 0], [2, 0]]),  # A-B through a shared vertex at (1, 0)
        np.array([[2, 0], [2, 2]]),  # B-C
        np.array([[2, 2], [0, 2]]),  # C-D
        np.array([[0, 2], [0, 0]]),  # D-A
        np.array([[0, 0], [2, 2]]),  # canal A-C
        np.array([[2, 0], [1, 0]]),  # duplicate of half of A-B, drawn backwards
    ]
    passages = ["", "", "", "", "canal", ""]
    return graph_from_lines(lines, passages)


def _node(graph, lon, lat):
    return int(np.flatnonzero((graph.lonlat[:, 0] == lon) & (graph.lonlat[:, 1] == lat))[0])


def test_haversine_one_degree_on_the_equator() -> None:
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(KM_PER_DEG_EQUATOR, rel=1e-12)
    assert haversine_km(10.0, -45.0, 10.0, -44.0) == pytest.approx(KM_PER_DEG_EQUATOR, rel=1e-12)


def test_graph_merges_shared_vertices_and_duplicate_segments() -> None:
    g = _mini_graph()
    assert g.n_nodes == 5  # A, B, C, D and the shared (1, 0)
    assert len(g.edge_u) == 6  # A-(1,0), (1,0)-B, B-C, C-D, D-A, A-C: the duplicate is dropped
    assert np.all(g.edge_u < g.edge_v)


def test_shortest_path_uses_the_canal_unless_excluded() -> None:
    g = _mini_graph()
    a, c = _node(g, 0, 0), _node(g, 2, 2)
    with_canal = shortest_paths(g, np.array([a]))
    assert with_canal.dist_km[0, c] == pytest.approx(float(haversine_km(0, 0, 2, 2)), rel=1e-12)
    assert with_canal.path(a, c).tolist() == [a, c]
    without = shortest_paths(g, np.array([a]), exclude_passages=("canal",))
    # Two equal detours: A-B-C and A-D-C; both are 2 equator degrees + one meridian 2 degrees.
    detour = 2 * KM_PER_DEG_EQUATOR + float(haversine_km(2, 0, 2, 2))
    alt = float(haversine_km(0, 0, 0, 2)) + float(haversine_km(0, 2, 2, 2))
    assert without.dist_km[0, c] == pytest.approx(min(detour, alt), rel=1e-12)
    path = without.path(a, c)
    assert path[0] == a and path[-1] == c and len(path) >= 3


def test_unreachable_target_gives_empty_path() -> None:
    g = graph_from_lines([np.array([[0, 0], [1, 0]]), np.array([[5, 5], [6, 5]])])
    sp = shortest_paths(g, np.array([_node(g, 0, 0)]))
    assert sp.path(_node(g, 0, 0), _node(g, 6, 5)).size == 0


def test_antimeridian_lanes_join() -> None:
    g = graph_from_lines(
        [np.array([[179.0, 0.0], [180.0, 0.0]]), np.array([[-180.0, 0.0], [-179.0, 0.0]])]
    )
    assert g.n_nodes == 3
    sp = shortest_paths(g, np.array([_node(g, 179.0, 0.0)]))
    assert sp.dist_km[0, _node(g, -179.0, 0.0)] == pytest.approx(2 * KM_PER_DEG_EQUATOR, rel=1e-9)


def test_attach_point_splits_the_nearest_lane_at_the_foot_of_the_perpendicular() -> None:
    g = _mini_graph()
    g2, joined = attach_points(g, np.array([[1.5, -0.3], [2.4, 2.3]]))
    first, second = joined.tolist()
    assert g2.lonlat[first] == pytest.approx([1.5, 0.0], abs=1e-9)  # foot on lane (1,0)-(2,0)
    assert second == _node(g2, 2, 2)  # beyond the lane ends: the end node itself
    assert g2.n_nodes == g.n_nodes + 1
    # The split keeps the lane length: (1,0)-(1.5,0) + (1.5,0)-(2,0) = one equator degree.
    sp = shortest_paths(g2, np.array([_node(g2, 1, 0)]))
    assert sp.dist_km[0, _node(g2, 2, 0)] == pytest.approx(KM_PER_DEG_EQUATOR, rel=1e-9)


def test_bad_passage_list_is_a_typed_error() -> None:
    with pytest.raises(NetworkDataError, match="2 lines but 1 passage"):
        graph_from_lines([np.zeros((2, 2)), np.ones((2, 2))], [""])


def test_polyline_length() -> None:
    line = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    assert polyline_km(line) == pytest.approx(2 * KM_PER_DEG_EQUATOR, rel=1e-12)
    assert polyline_km(line[:1]) == 0.0


@pytest.fixture(scope="module")
def marnet():
    return load_marnet()


def _marnet_km(graph, a_lonlat, b_lonlat, exclude=("northwest", "bering")) -> float:
    g2, (na, nb) = attach_points(graph, np.array([a_lonlat, b_lonlat]))
    sp = shortest_paths(g2, np.array([na]), exclude)
    nodes = sp.path(na, nb)
    return polyline_km(np.vstack([a_lonlat, g2.lonlat[nodes], b_lonlat]))


def test_baku_turkmenbashi_against_published_306_km(marnet) -> None:
    ports = load_searoute_ports()
    km = _marnet_km(marnet, ports["AZBAK"], ports["TMKRW"])
    # Published: 306 km (eurasia.travel) and 343 km (azerbaijans.com); the lane graph gives ~316.
    assert km == pytest.approx(306.0, rel=0.05)
    assert km < 343.0


def test_shanghai_rotterdam_against_published_sailing_distances(marnet) -> None:
    ports = load_searoute_ports()
    suez_km = _marnet_km(marnet, ports["CNSHA"], ports["NLRTM"])
    cape_km = _marnet_km(
        marnet, ports["CNSHA"], ports["NLRTM"], ("northwest", "bering", "suez", "panama")
    )
    # Port Economics (2024): about 10,600 nmi via Suez and 13,800 nmi via the Cape.
    assert suez_km / KM_PER_NMI == pytest.approx(10_600, rel=0.03)
    assert cape_km / KM_PER_NMI == pytest.approx(13_800, rel=0.05)


def test_arctic_lanes_are_shorter_so_they_must_be_excluded(marnet) -> None:
    ports = load_searoute_ports()
    arctic_km = _marnet_km(marnet, ports["CNSHA"], ports["NLRTM"], ())
    assert arctic_km / KM_PER_NMI < 9_000  # the Northern Sea Route; no mainline loop sails it
