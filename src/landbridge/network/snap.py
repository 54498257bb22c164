"""Snap places to network nodes: the nearest suitable node, preferring the place's own country.

A rail place snaps to a node with a RAIL edge; a port place snaps to a PORT node when one is
within ``PORT_SNAP_MAX_KM``, else to rail like any other place. Among the rail nodes within
``max_km``, those in the place's country win over nearer foreign ones, so "Małaszewicze" stays in
Poland and "Alashankou" in China even where the border is closer than the next own-country node.

The lookup uses k-d trees on unit-sphere xyz (all rail nodes, and the rail nodes of each
country), built once per ``Network`` object and cached.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from landbridge.errors import UnreachableError
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.schema.place import Place

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
# Assumption: a terminal, station or city centre lies within 50 km of its railway; farther than
# that the place is not on the network (e.g. Lhasa for a network without the Qinghai-Tibet line).
SNAP_MAX_KM = 50.0
# Assumption: a port's quay node lies within 25 km of the port's listed point (searoute/WPI
# points sit at harbour entrances, a few km from the terminals).
PORT_SNAP_MAX_KM = 25.0


@dataclass(frozen=True)
class _SnapIndex:
    rail_nodes: np.ndarray  # int64 node ids with at least one RAIL edge
    rail_tree: cKDTree | None
    port_nodes: np.ndarray
    port_tree: cKDTree | None
    rail_country: np.ndarray  # country id of each rail node
    by_country: dict[int, tuple[np.ndarray, cKDTree]] = field(default_factory=dict)

    def country_tree(self, network: Network, country: int) -> tuple[np.ndarray, cKDTree | None]:
        """Rail nodes of one country and their k-d tree (built on first use)."""
        if country not in self.by_country:
            nodes = self.rail_nodes[self.rail_country == country]
            self.by_country[country] = (nodes, _tree(network, nodes))
        return self.by_country[country]


_INDEX: dict[int, tuple[weakref.ref[Network], _SnapIndex]] = {}


def _unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def _chord_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def _km_chord(km: float) -> float:
    return 2.0 * float(np.sin(min(km / (2.0 * EARTH_RADIUS_KM), np.pi / 2)))


def _tree(network: Network, nodes: np.ndarray) -> cKDTree | None:
    if not len(nodes):
        return None
    return cKDTree(_unit_xyz(network.node_lat[nodes], network.node_lon[nodes]))


def snap_index(network: Network) -> _SnapIndex:
    """The cached k-d trees of ``network`` (built on first use for this object)."""
    key = id(network)
    cached = _INDEX.get(key)
    if cached is not None and cached[0]() is network:
        return cached[1]
    rail_edges = network.edge_mode == EdgeMode.RAIL
    rail_nodes = np.unique(
        np.concatenate([network.edge_src[rail_edges], network.edge_dst[rail_edges]])
    ).astype(np.int64)
    port_nodes = np.flatnonzero(network.node_kind == NodeKind.PORT).astype(np.int64)
    index = _SnapIndex(
        rail_nodes,
        _tree(network, rail_nodes),
        port_nodes,
        _tree(network, port_nodes),
        network.node_country[rail_nodes].astype(np.int64),
    )
    _INDEX[key] = (weakref.ref(network, lambda _ref, k=key: _INDEX.pop(k, None)), index)
    return index


def snap_points(
    network: Network,
    lat: np.ndarray,
    lon: np.ndarray,
    country: np.ndarray | None = None,
    max_km: float = SNAP_MAX_KM,
) -> tuple[np.ndarray, np.ndarray]:
    """Rail node and distance (km) for many points at once, own country first.

    ``country`` holds network country ids per point (-1: no preference). A point takes the
    nearest rail node of its country within ``max_km``, else the nearest rail node of any
    country within ``max_km``; with neither it gets node -1 and the distance to the nearest
    rail node.
    """
    index = snap_index(network)
    lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
    n = len(lat)
    if index.rail_tree is None:
        return np.full(n, -1, np.int64), np.full(n, np.inf)
    points = _unit_xyz(lat, lon)
    chord, idx = index.rail_tree.query(points, k=1)
    node = index.rail_nodes[idx]
    km = _chord_km(chord)
    node = np.where(km <= max_km, node, -1)
    if country is not None:
        wanted = np.broadcast_to(np.asarray(country, np.int64), (n,))
        for c in np.unique(wanted[wanted >= 0]).tolist():
            nodes_c, tree_c = index.country_tree(network, c)
            if tree_c is None:
                continue
            rows = np.flatnonzero(wanted == c)
            chord_c, idx_c = tree_c.query(points[rows], k=1, distance_upper_bound=_km_chord(max_km))
            hit = np.isfinite(chord_c)
            node[rows[hit]] = nodes_c[idx_c[hit]]
            km[rows[hit]] = _chord_km(chord_c[hit])
    return node.astype(np.int64), km


def snap_to_network(place: Place, network: Network, max_km: float = SNAP_MAX_KM) -> int:
    """Node id for ``place``: its port node (ports), else the nearest rail node, own country first.

    Raises ``UnreachableError`` naming the distance when no rail node is within ``max_km``.
    """
    index = snap_index(network)
    if place.kind == "port" and index.port_tree is not None:
        point = _unit_xyz(np.array([place.lat]), np.array([place.lon]))[0]
        chord, i = index.port_tree.query(point, k=1)
        if _chord_km(chord) <= PORT_SNAP_MAX_KM:
            return int(index.port_nodes[i])
    if index.rail_tree is None:
        raise UnreachableError(f"{_label(place)}: the network has no railway nodes")
    country = network.country_id(place.country) if place.country else -1
    node, km = snap_points(network, place.lat, place.lon, np.array([country]), max_km)
    if node[0] < 0:
        raise UnreachableError(
            f"{_label(place)}: nearest railway of the network is "
            f"{float(km[0]):,.0f} km away (snapping limit {max_km:,.0f} km)"
        )
    return int(node[0])


def snap_distance_km(place: Place, network: Network, node: int) -> float:
    """Great-circle distance in km from ``place`` to ``node``."""
    a = _unit_xyz(np.array([place.lat]), np.array([place.lon]))[0]
    b = _unit_xyz(network.node_lat[[node]], network.node_lon[[node]])[0]
    return float(_chord_km(np.linalg.norm(a - b)))


def _label(place: Place) -> str:
    return f"{place.name} ({place.country})" if place.country else place.name
