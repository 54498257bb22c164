"""The maritime lane graph (searoute "marnet") as arrays, and shortest sea paths on it.

One node per distinct lon/lat vertex, one undirected edge per pair of consecutive vertices of a
lane (as the searoute package builds its graph); edge length is the great-circle distance in km.
Edges of named chokepoint features keep their ``passage`` name (``suez``, ``bosporus``, ...) so a
route can be forced through or kept out of a passage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from landbridge.errors import NetworkDataError
from landbridge.network.geo import haversine_km  # searoute uses the same sphere
from landbridge.paths import RAW_DIR

MARNET_PATH = RAW_DIR / "searoute" / "marnet_searoute.geojson"

# Vertices closer than this (in degrees, ~0.1 m) are the same node: the geojson repeats shared
# vertices with identical six-decimal coordinates.
COORD_DECIMALS = 6
NO_PASSAGE = ""


def polyline_km(lonlat: np.ndarray) -> float:
    """Length in km of a lon/lat polyline ([k, 2] degrees)."""
    if len(lonlat) < 2:
        return 0.0
    return float(haversine_km(lonlat[:-1, 0], lonlat[:-1, 1], lonlat[1:, 0], lonlat[1:, 1]).sum())


@dataclass(frozen=True)
class SeaGraph:
    """Undirected lane graph: node coordinates and one row per edge (u < v, no duplicates)."""

    lonlat: np.ndarray  # float64 [n, 2], degrees
    edge_u: np.ndarray  # int32 [m]
    edge_v: np.ndarray  # int32 [m]
    edge_km: np.ndarray  # float64 [m]
    edge_passage: np.ndarray  # object [m], passage name or ''

    @property
    def n_nodes(self) -> int:
        return int(self.lonlat.shape[0])

    def adjacency(self, exclude_passages: tuple[str, ...] = ()) -> csr_matrix:
        """Symmetric km-weighted adjacency, without the edges of the excluded passages."""
        keep = (
            ~np.isin(self.edge_passage, list(exclude_passages)) if exclude_passages else slice(None)
        )
        u, v, w = self.edge_u[keep], self.edge_v[keep], self.edge_km[keep]
        n = self.n_nodes
        return csr_matrix(
            (np.concatenate([w, w]), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
        )

    def passage_nodes(self, passage: str) -> np.ndarray:
        """Nodes touched by the edges of a named passage."""
        sel = self.edge_passage == passage
        return np.unique(np.concatenate([self.edge_u[sel], self.edge_v[sel]]))

    def nearest_node(self, lon: float, lat: float) -> int:
        """Node closest (great circle) to a point."""
        d = haversine_km(self.lonlat[:, 0], self.lonlat[:, 1], lon, lat)
        return int(np.argmin(d))


def graph_from_lines(lines: list[np.ndarray], passages: list[str] | None = None) -> SeaGraph:
    """Build a ``SeaGraph`` from lon/lat polylines ([k, 2] each); ``passages`` names lines or ''.

    Longitudes beyond 180 are wrapped into [-180, 180) so lanes drawn across the antimeridian join.
    Where two lines share a pair of vertices the shorter edge is kept (they are the same length).
    """
    passages = passages if passages is not None else [NO_PASSAGE] * len(lines)
    if len(passages) != len(lines):
        raise NetworkDataError(f"sea lanes: {len(lines)} lines but {len(passages)} passage names")
    pts, seg_a, seg_b, seg_passage = [], [], [], []
    offset = 0
    for line, passage in zip(lines, passages, strict=True):
        arr = np.asarray(line, dtype=np.float64).reshape(-1, 2).copy()
        arr[:, 0] = (arr[:, 0] + 180.0) % 360.0 - 180.0
        k = len(arr)
        pts.append(arr)
        seg_a.append(np.arange(offset, offset + k - 1))
        seg_b.append(np.arange(offset + 1, offset + k))
        seg_passage.extend([passage or NO_PASSAGE] * (k - 1))
        offset += k
    if not pts:
        raise NetworkDataError("sea lanes: no lines to build a graph from")
    all_pts = np.round(np.concatenate(pts), COORD_DECIMALS)
    lonlat, inverse = np.unique(all_pts, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    a = inverse[np.concatenate(seg_a)]
    b = inverse[np.concatenate(seg_b)]
    passage_arr = np.asarray(seg_passage, dtype=object)
    u, v = np.minimum(a, b), np.maximum(a, b)
    keep = u != v
    u, v, passage_arr = u[keep], v[keep], passage_arr[keep]
    km = haversine_km(lonlat[u, 0], lonlat[u, 1], lonlat[v, 0], lonlat[v, 1])
    # Dedupe (u, v) pairs; a named passage wins over an unnamed copy of the same segment.
    order = np.lexsort((passage_arr == NO_PASSAGE, km, v, u))
    u, v, km, passage_arr = u[order], v[order], km[order], passage_arr[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return SeaGraph(
        lonlat=lonlat,
        edge_u=u[first].astype(np.int32),
        edge_v=v[first].astype(np.int32),
        edge_km=km[first],
        edge_passage=passage_arr[first],
    )


def _nearest_point_on_edges(
    graph: SeaGraph, lon: float, lat: float
) -> tuple[int, float, np.ndarray]:
    """Edge index, parameter t in [0, 1] along u→v, and lon/lat of the nearest point on any edge.

    Projection in a local equirectangular frame around the query point (good to well under 1% for
    the tens-of-km snaps of ports onto nearby lanes).
    """
    scale = np.cos(np.radians(lat))
    a = graph.lonlat[graph.edge_u]
    b = graph.lonlat[graph.edge_v]
    ax, ay = (a[:, 0] - lon) * scale, a[:, 1] - lat
    bx, by = (b[:, 0] - lon) * scale, b[:, 1] - lat
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(seg2 > 0, -(ax * dx + ay * dy) / seg2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    qx, qy = ax + t * dx, ay + t * dy
    d2 = qx * qx + qy * qy
    # Lanes drawn across the antimeridian are not straight in this frame; no port sits on them.
    d2[np.abs(b[:, 0] - a[:, 0]) > 180.0] = np.inf
    e = int(np.argmin(d2))
    point = a[e] + t[e] * (b[e] - a[e])
    return e, float(t[e]), point


def attach_points(graph: SeaGraph, points_lonlat: np.ndarray) -> tuple[SeaGraph, np.ndarray]:
    """Snap each point to the nearest point of the nearest lane, splitting that lane there.

    Returns the augmented graph and, per point, the node it joins (an existing end node when the
    nearest point is a lane end). Points themselves are not added: a caller draws the connector
    from the point to its node, so no route passes through another port's approach.
    """
    lonlat = graph.lonlat
    u, v, km, passage = graph.edge_u, graph.edge_v, graph.edge_km, graph.edge_passage
    joined = np.empty(len(points_lonlat), dtype=np.int64)
    for i, (lon, lat) in enumerate(np.asarray(points_lonlat, dtype=np.float64)):
        current = SeaGraph(lonlat, u, v, km, passage)
        e, t, point = _nearest_point_on_edges(current, lon, lat)
        if t <= 0.0 or t >= 1.0:
            joined[i] = int(u[e] if t <= 0.0 else v[e])
            continue
        new = len(lonlat)
        lonlat = np.vstack([lonlat, point[None, :]])
        eu, ev, ep = int(u[e]), int(v[e]), passage[e]
        keep = np.ones(len(u), dtype=bool)
        keep[e] = False
        add_u = np.array([eu, ev], dtype=np.int32)
        add_km = haversine_km(lonlat[add_u, 0], lonlat[add_u, 1], point[0], point[1])
        u = np.concatenate([u[keep], add_u])
        v = np.concatenate([v[keep], np.array([new, new], dtype=np.int32)])
        km = np.concatenate([km[keep], add_km])
        passage = np.concatenate([passage[keep], np.array([ep, ep], dtype=object)])
        joined[i] = new
    return SeaGraph(lonlat, u, v, km, passage), joined


@lru_cache(maxsize=2)
def load_marnet(path: Path = MARNET_PATH) -> SeaGraph:
    """Read the bundled searoute marnet GeoJSON into a ``SeaGraph`` (cached: treat as read-only)."""
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise NetworkDataError(f"cannot read the sea-lane network {path}: {exc}") from exc
    lines: list[np.ndarray] = []
    passages: list[str] = []
    for feature in features:
        geom = feature.get("geometry") or {}
        parts = geom.get("coordinates", [])
        if geom.get("type") == "LineString":
            parts = [parts]
        elif geom.get("type") != "MultiLineString":
            continue
        passage = (feature.get("properties") or {}).get("passage") or NO_PASSAGE
        for part in parts:
            lines.append(np.asarray(part, dtype=np.float64)[:, :2])
            passages.append(passage)
    return graph_from_lines(lines, passages)


@dataclass(frozen=True)
class SeaPaths:
    """Shortest paths from a set of source nodes (rows) to every node (columns)."""

    sources: np.ndarray  # int [s]
    dist_km: np.ndarray  # float64 [s, n]; inf where unreachable
    predecessors: np.ndarray  # int32 [s, n]; -9999 where none

    def path(self, source: int, target: int) -> np.ndarray:
        """Node sequence source → target (int64); empty if unreachable."""
        row = int(np.flatnonzero(self.sources == source)[0])
        if not np.isfinite(self.dist_km[row, target]):
            return np.empty(0, dtype=np.int64)
        nodes = [target]
        pred = self.predecessors[row]
        while nodes[-1] != source:
            nodes.append(int(pred[nodes[-1]]))
        return np.asarray(nodes[::-1], dtype=np.int64)


def shortest_paths(
    graph: SeaGraph, sources: np.ndarray, exclude_passages: tuple[str, ...] = ()
) -> SeaPaths:
    """Dijkstra from each source node over the graph without the excluded passages."""
    sources = np.unique(np.asarray(sources, dtype=np.int64))
    dist, pred = dijkstra(
        graph.adjacency(exclude_passages), directed=False, indices=sources, return_predecessors=True
    )
    return SeaPaths(sources=sources, dist_km=np.atleast_2d(dist), predecessors=np.atleast_2d(pred))
