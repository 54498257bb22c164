"""Snap places to network nodes: the nearest suitable node, preferring the place's own country.

A rail place snaps to a node with a RAIL edge; a port place snaps to a PORT node when one is
within ``PORT_SNAP_MAX_KM``, else to rail like any other place. Among the rail nodes within
``max_km``, those in the place's country win over nearer foreign ones, so "Małaszewicze" stays in
Poland and "Alashankou" in China even where the border is closer than the next own-country node.

The lookup uses k-d trees on unit-sphere xyz (all rail nodes, and the rail nodes of each
country), built once per ``Network`` object and cached. The first ``SCAN_QUERIES`` single
snaps of a network scan the coordinates instead: importing scipy.spatial and building the
trees costs ~110 ms, a scan ~0.3 ms, and a one-shot command (``landbridge route`` snaps two or
three places) needs no trees. A scan answers only when its nearest node is unambiguous; on a
(near) tie of distances, or a distance at the snapping limit, the trees decide as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from landbridge.errors import UnreachableError
from landbridge.network.derived import derived
from landbridge.network.geo import chord_to_km, km_to_chord, unit_vectors
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.schema.place import Place

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

# Assumption: a terminal, station or city centre lies within 50 km of its railway; farther than
# that the place is not on the network (e.g. Lhasa for a network without the Qinghai-Tibet line).
SNAP_MAX_KM = 50.0
# Assumption: a port's quay node lies within 25 km of the port's listed point (searoute/WPI
# points sit at harbour entrances, a few km from the terminals).
PORT_SNAP_MAX_KM = 25.0
# Single snaps of one network answered by scanning before the k-d trees are built.
SCAN_QUERIES = 32
# Squared distances within this relative margin count as equal: the k-d tree breaks the tie.
TIE_RTOL = 1e-9


@dataclass
class _SnapIndex:
    rail_nodes: np.ndarray  # int64 node ids with at least one RAIL edge
    rail_xyz: np.ndarray  # float [r, 3] unit vectors of the rail nodes
    port_nodes: np.ndarray
    port_xyz: np.ndarray
    rail_country: np.ndarray  # country id of each rail node
    by_country: dict[int, tuple[np.ndarray, cKDTree | None]] = field(default_factory=dict)
    scans: int = 0  # single snaps answered by scanning so far
    _trees: dict[str, cKDTree | None] = field(default_factory=dict)

    @property
    def rail_tree(self) -> cKDTree | None:
        if "rail" not in self._trees:
            self._trees["rail"] = _tree(self.rail_xyz)
        return self._trees["rail"]

    @property
    def port_tree(self) -> cKDTree | None:
        if "port" not in self._trees:
            self._trees["port"] = _tree(self.port_xyz)
        return self._trees["port"]

    def country_tree(self, network: Network, country: int) -> tuple[np.ndarray, cKDTree | None]:
        """Rail nodes of one country and their k-d tree (built on first use)."""
        if country not in self.by_country:
            own = self.rail_country == country
            self.by_country[country] = (self.rail_nodes[own], _tree(self.rail_xyz[own]))
        return self.by_country[country]




def _tree(xyz: np.ndarray) -> cKDTree | None:
    if not len(xyz):
        return None
    from scipy.spatial import cKDTree

    return cKDTree(xyz)


def _scan(xyz: np.ndarray, point: np.ndarray) -> tuple[int, float] | None:
    """Row of ``xyz`` nearest to ``point`` and its chord; None when another row is as near
    (within ``TIE_RTOL``), where the k-d tree's choice stands."""
    d2 = ((xyz - point) ** 2).sum(axis=1)
    i = int(np.argmin(d2))
    if np.count_nonzero(d2 <= d2[i] * (1.0 + TIE_RTOL)) > 1:
        return None
    return i, float(np.sqrt(d2[i]))


def snap_index(network: Network) -> _SnapIndex:
    """The snap index of ``network`` (made once per network; its k-d trees on first use)."""
    return derived(network, "snap-index", _snap_index)


def _snap_index(network: Network) -> _SnapIndex:
    rail_edges = network.edge_mode == EdgeMode.RAIL
    rail_nodes = np.unique(
        np.concatenate([network.edge_src[rail_edges], network.edge_dst[rail_edges]])
    ).astype(np.int64)
    port_nodes = np.flatnonzero(network.node_kind == NodeKind.PORT).astype(np.int64)
    return _SnapIndex(
        rail_nodes,
        unit_vectors(network.node_lon[rail_nodes], network.node_lat[rail_nodes]),
        port_nodes,
        unit_vectors(network.node_lon[port_nodes], network.node_lat[port_nodes]),
        network.node_country[rail_nodes].astype(np.int64),
    )


def snap_points(
    network: Network,
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
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
    lat_deg, lon_deg = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
    n = len(lat_deg)
    if index.rail_tree is None:
        return np.full(n, -1, np.int64), np.full(n, np.inf)
    points = unit_vectors(lon_deg, lat_deg)
    chord, idx = index.rail_tree.query(points, k=1)
    node = index.rail_nodes[idx]
    km = chord_to_km(chord)
    node = np.where(km <= max_km, node, -1)
    if country is not None:
        wanted = np.broadcast_to(np.asarray(country, np.int64), (n,))
        for c in np.unique(wanted[wanted >= 0]).tolist():
            nodes_c, tree_c = index.country_tree(network, c)
            if tree_c is None:
                continue
            rows = np.flatnonzero(wanted == c)
            bound = km_to_chord(max_km)
            found_c, at_c = tree_c.query(points[rows], k=1, distance_upper_bound=bound)
            chord_c, idx_c = np.asarray(found_c), np.asarray(at_c)
            hit = np.isfinite(chord_c)
            node[rows[hit]] = nodes_c[idx_c[hit]]
            km[rows[hit]] = chord_to_km(chord_c[hit])
    return node.astype(np.int64), km


def snap_to_network(place: Place, network: Network, max_km: float = SNAP_MAX_KM) -> int:
    """Node id for ``place``: its port node (ports), else the nearest rail node, own country first.

    Raises ``UnreachableError`` naming the distance when no rail node is within ``max_km``.
    """
    index = snap_index(network)
    if index.scans < SCAN_QUERIES:
        index.scans += 1
        node = _snap_by_scan(index, place, network, max_km)
        if node is not None:
            return node
    if place.kind == "port" and index.port_tree is not None:
        point = unit_vectors(np.array([place.lon]), np.array([place.lat]))[0]
        chord, i = index.port_tree.query(point, k=1)
        if chord_to_km(chord) <= PORT_SNAP_MAX_KM:
            return int(index.port_nodes[i])
    if index.rail_tree is None:
        raise UnreachableError(f"{_label(place)}: the network has no railway nodes")
    country = network.country_id(place.country) if place.country else -1
    nodes, km = snap_points(network, place.lat, place.lon, np.array([country]), max_km)
    if nodes[0] < 0:
        raise UnreachableError(
            f"{_label(place)}: nearest railway of the network is "
            f"{float(km[0]):,.0f} km away (snapping limit {max_km:,.0f} km)"
        )
    return int(nodes[0])


def _snap_by_scan(index: _SnapIndex, place: Place, network: Network, max_km: float) -> int | None:
    """``snap_to_network`` by scanning the coordinates; None where the k-d trees must decide
    (a tie, a distance at the limit, a network without rail nodes)."""
    point = unit_vectors(np.array([place.lon]), np.array([place.lat]))[0]
    if place.kind == "port" and len(index.port_nodes):
        hit = _scan(index.port_xyz, point)
        if hit is None or _at_limit(hit[1], PORT_SNAP_MAX_KM):
            return None
        if chord_to_km(hit[1]) <= PORT_SNAP_MAX_KM:
            return int(index.port_nodes[hit[0]])
    if not len(index.rail_nodes):
        return None
    hit = _scan(index.rail_xyz, point)
    if hit is None or _at_limit(hit[1], max_km):
        return None
    node, km = int(index.rail_nodes[hit[0]]), float(chord_to_km(hit[1]))
    country = network.country_id(place.country) if place.country else -1
    own = np.flatnonzero(index.rail_country == country) if country >= 0 else np.zeros(0, np.int64)
    if len(own):
        hit = _scan(index.rail_xyz[own], point)
        if hit is None or _at_limit(hit[1], max_km):
            return None
        if hit[1] <= km_to_chord(max_km):
            return int(index.rail_nodes[own[hit[0]]])
    if km > max_km:
        raise UnreachableError(
            f"{_label(place)}: nearest railway of the network is "
            f"{km:,.0f} km away (snapping limit {max_km:,.0f} km)"
        )
    return node


def _at_limit(chord: float, max_km: float) -> bool:
    """A chord this close to the limit's is settled by the k-d tree's own comparison."""
    return abs(chord - km_to_chord(max_km)) <= km_to_chord(max_km) * TIE_RTOL


def snap_distance_km(place: Place, network: Network, node: int) -> float:
    """Great-circle distance in km from ``place`` to ``node``."""
    a = unit_vectors(np.array([place.lon]), np.array([place.lat]))[0]
    b = unit_vectors(network.node_lon[[node]], network.node_lat[[node]])[0]
    return float(chord_to_km(np.linalg.norm(a - b)))


def _label(place: Place) -> str:
    return f"{place.name} ({place.country})" if place.country else place.name
