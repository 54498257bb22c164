"""Topology repair and simplification of a ``LineSet``.

- ``snap_dead_ends``: close the small gaps the source's simplification left at junctions.
- ``add_links``: add missing lines (``rail_links.csv``) between the nearest rail vertices.
- ``largest_component``: drop the islands no corridor can reach.
- ``prune_spurs``: drop short dead-end sidings nobody needs.
- ``collapse_chains``: merge degree-2 chains into one line (true geometry and length kept).
"""

from __future__ import annotations

import heapq
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from landbridge.errors import NetworkDataError
from landbridge.network.build.lines import LineOrigin, LineSet
from landbridge.network.geo import PointIndex, haversine_km

# A dead end is joined to the nearest rail vertex within this distance (the source's gaps at
# junctions are 0.1–2 km; see data/raw/scgraph-world-railways/SOURCE.md).
SNAP_MAX_KM = 2.0
# ... but only when the rails do not already connect the two within this many km: a siding
# that ends beside its own main line is a real dead end, not a gap.
SNAP_MIN_DETOUR_KM = 20.0
# Dead-end chains shorter than this are sidings, yards and industrial spurs: dropped unless they
# reach a protected point (a terminal, station or port the model names).
SPUR_MAX_KM = 10.0
# Collapsed chains are cut at a node once they reach this length, so that every place along a
# line has a node within half of it to snap to.
MAX_EDGE_KM = 50.0
# Link end points (rail_links.csv) must lie this close to an existing rail vertex.
LINK_SNAP_MAX_KM = 10.0


def node_incidence(ls: LineSet, alive: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CSR (indptr, line ids) of the lines at each node (a self-loop is listed twice)."""
    lines = np.arange(ls.n_lines) if alive is None else np.flatnonzero(alive)
    ends = np.concatenate([ls.line_u[lines], ls.line_v[lines]])
    ids = np.concatenate([lines, lines])
    order = np.argsort(ends, kind="stable")
    indptr = np.zeros(ls.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=ls.n_nodes), out=indptr[1:])
    return indptr, ids[order]


def _within_km(
    ls: LineSet, indptr: np.ndarray, inc: np.ndarray, source: int, cutoff_km: float
) -> dict[int, float]:
    """Rail distance (km) from ``source`` to every node closer than ``cutoff_km``."""
    dist = {source: 0.0}
    heap = [(0.0, source)]
    while heap:
        d, n = heapq.heappop(heap)
        if d > dist.get(n, np.inf):
            continue
        for li in inc[indptr[n] : indptr[n + 1]]:
            other = int(ls.line_v[li] if ls.line_u[li] == n else ls.line_u[li])
            nd = d + float(ls.length_km[li])
            if nd < cutoff_km and nd < dist.get(other, np.inf):
                dist[other] = nd
                heapq.heappush(heap, (nd, other))
    return dist


def snap_dead_ends(
    ls: LineSet, max_km: float = SNAP_MAX_KM, min_detour_km: float = SNAP_MIN_DETOUR_KM
) -> tuple[LineSet, int]:
    """Join each dead end to the nearest rail vertex within ``max_km`` that the rails do not
    already reach within ``min_detour_km``. Returns the repaired set and the number of joins."""
    deg = ls.degrees()
    dead = np.flatnonzero(deg == 1)
    if not len(dead):
        return ls, 0
    indptr, inc = node_incidence(ls)
    vline = ls.vertex_line()
    vpos = np.arange(len(ls.coords)) - ls.offsets[vline]
    index = PointIndex(ls.coords[:, 0], ls.coords[:, 1])
    k = 16
    dist_km, nearest = index.nearest(
        ls.node_lonlat[dead, 0], ls.node_lonlat[dead, 1], k=k, max_km=max_km
    )
    chainage = np.concatenate(
        [
            [0.0],
            np.cumsum(
                haversine_km(
                    ls.coords[:-1, 0], ls.coords[:-1, 1], ls.coords[1:, 0], ls.coords[1:, 1]
                )
            ),
        ]
    )
    labels = component_labels(ls)
    joins: list[tuple[int, int, int]] = []  # (dead node, line, vertex position)
    seen_pairs: set[tuple[int, int]] = set()
    for row, d in enumerate(dead):
        own_line = inc[indptr[d]]
        reach: dict[int, float] | None = None
        for dk, vi in zip(dist_km[row], nearest[row], strict=True):
            if not np.isfinite(dk) or dk > max_km:
                break
            li = int(vline[vi])
            if li == own_line:
                continue
            if labels[ls.line_u[li]] == labels[d]:
                if reach is None:
                    reach = _within_km(ls, indptr, inc, int(d), min_detour_km)
                along = chainage[vi] - chainage[ls.offsets[li]]
                via_u = reach.get(int(ls.line_u[li]), np.inf) + along
                via_v = reach.get(int(ls.line_v[li]), np.inf) + (ls.length_km[li] - along)
                if min(via_u, via_v) < min_detour_km:
                    continue
            target_end = (
                int(ls.line_u[li])
                if vpos[vi] == 0
                else int(ls.line_v[li])
                if vi == ls.offsets[li + 1] - 1
                else -1
            )
            if target_end >= 0:
                pair = (min(int(d), target_end), max(int(d), target_end))
                if pair in seen_pairs:
                    break
                seen_pairs.add(pair)
            joins.append((int(d), li, int(vpos[vi])))
            break
    if not joins:
        return ls, 0
    arr = np.array(joins, dtype=np.int64)
    ls2, target = ls.split_at_vertices(arr[:, 1], arr[:, 2])
    geoms = [
        np.vstack([ls2.node_lonlat[d], ls2.node_lonlat[t]])
        for d, t in zip(arr[:, 0], target, strict=True)
    ]
    out = ls2.with_lines(
        np.zeros((0, 2)), arr[:, 0], target, geoms, np.full(len(arr), LineOrigin.SNAP)
    )
    return out, len(arr)


def nearest_vertices(
    ls: LineSet, lon: np.ndarray, lat: np.ndarray, max_km: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each query point: distance (km), line and vertex position of the nearest rail vertex
    (``inf``, -1, -1 where none lies within ``max_km``)."""
    index = PointIndex(ls.coords[:, 0], ls.coords[:, 1])
    dist, vi = index.nearest(np.asarray(lon, float), np.asarray(lat, float), max_km=max_km)
    dist, vi = np.atleast_1d(dist), np.atleast_1d(vi)
    found = vi < len(ls.coords)
    vline = ls.vertex_line()
    line = np.where(found, vline[np.where(found, vi, 0)], -1)
    pos = np.where(found, vi - ls.offsets[np.maximum(line, 0)], -1)
    return dist, line, pos


def make_nodes_at(
    ls: LineSet, lon: np.ndarray, lat: np.ndarray, max_km: float
) -> tuple[LineSet, np.ndarray, np.ndarray]:
    """Turn the rail vertex nearest to each point into a node. Returns the set, the node id
    per point (-1 where no vertex lies within ``max_km``) and the snap distance (km)."""
    if not len(lon):
        return ls, np.zeros(0, dtype=np.int64), np.zeros(0)
    dist, line, pos = nearest_vertices(ls, lon, lat, max_km)
    ok = dist <= max_km
    node = np.full(len(dist), -1, dtype=np.int64)
    ls2, got = ls.split_at_vertices(line[ok], pos[ok])
    node[ok] = got
    return ls2, node, dist


def add_links(ls: LineSet, links: pd.DataFrame) -> tuple[LineSet, list[str]]:
    """Add the lines of ``rail_links.csv`` (straight through their ``via`` points), joined to the
    nearest rail vertices. An end off the railway is a new terminus, shared by every link that
    names the same point (so links can be chained). A published ``length_km`` replaces the
    geometric length."""
    if links.empty:
        return ls, []
    n = len(links)
    lon = np.concatenate([links["from_lon"].to_numpy(float), links["to_lon"].to_numpy(float)])
    lat = np.concatenate([links["from_lat"].to_numpy(float), links["to_lat"].to_numpy(float)])
    ls, nodes, _ = make_nodes_at(ls, lon, lat, LINK_SNAP_MAX_KM)
    free = np.flatnonzero(nodes < 0)
    if len(free):
        key = np.round(np.column_stack([lon[free], lat[free]]), 6)
        uniq, inverse = np.unique(key, axis=0, return_inverse=True)
        nodes[free] = ls.n_nodes + inverse.ravel()
        ls = ls.with_lines(uniq, [], [], [], [])
    free_set = set(free.tolist())
    geoms = []
    for i, row in enumerate(links.itertuples(index=False)):
        if (
            i in free_set
            and i + n in free_set
            and np.sum(nodes == nodes[i]) == 1
            and np.sum(nodes == nodes[i + n]) == 1
        ):
            raise NetworkDataError(
                f"rail_links.csv: both ends of {row.link_id} are more than "
                f"{LINK_SNAP_MAX_KM:g} km from any railway and from every other link; "
                "a link must join something"
            )
        via = _parse_via(str(row.via), str(row.link_id))
        geoms.append(
            np.array([ls.node_lonlat[nodes[i]], *via, ls.node_lonlat[nodes[i + n]]], dtype=float)
        )
    base = ls.n_lines
    ls = ls.with_lines(np.zeros((0, 2)), nodes[:n], nodes[n:], geoms, np.full(n, LineOrigin.LINK))
    published = links["length_km"].to_numpy(float)
    has = np.isfinite(published)
    length = ls.length_km.copy()
    length[base + np.flatnonzero(has)] = published[has]
    return replace(ls, length_km=length), [str(x) for x in links["link_id"]]


def _parse_via(text: str, link_id: str) -> list[tuple[float, float]]:
    """``"lat lon; lat lon"`` → [(lon, lat), ...]."""
    text = text.strip()
    if not text or text.lower() == "nan":
        return []
    pts = []
    for part in text.split(";"):
        bits = part.split()
        if len(bits) != 2:
            raise NetworkDataError(
                f"rail_links.csv {link_id}: via point '{part.strip()}' is not 'lat lon'"
            )
        pts.append((float(bits[1]), float(bits[0])))
    return pts


def exclude_lines(ls: LineSet, excluded: pd.DataFrame) -> tuple[LineSet, list[str]]:
    """Drop the line nearest to each point of ``excluded_lines.csv`` (e.g. a passenger-only
    high-speed line that freight does not use); ``NetworkDataError`` if none is that close."""
    if excluded.empty:
        return ls, []
    dist, line, _ = nearest_vertices(
        ls, excluded["lon"].to_numpy(float), excluded["lat"].to_numpy(float),
        float(excluded["max_km"].max()),
    )  # fmt: skip
    far = dist > excluded["max_km"].to_numpy(float)
    if far.any():
        names = excluded.loc[far, "line_id"].tolist()
        raise NetworkDataError(f"excluded_lines.csv: no railway near the point of {names}")
    keep = np.ones(ls.n_lines, dtype=bool)
    keep[line] = False
    return ls.subset(keep), [str(x) for x in excluded["line_id"]]


def component_labels(ls: LineSet) -> np.ndarray:
    """Connected-component label of every node."""
    n = ls.n_nodes
    graph = coo_matrix((np.ones(ls.n_lines), (ls.line_u, ls.line_v)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def largest_component(ls: LineSet) -> tuple[LineSet, int, float]:
    """Keep the component with the most km; returns it, the number of others and their km."""
    labels = component_labels(ls)
    line_label = labels[ls.line_u]
    km = np.bincount(line_label, weights=ls.length_km, minlength=labels.max() + 1)
    best = int(np.argmax(km))
    keep = line_label == best
    n_other = int(np.count_nonzero(km > 0)) - 1
    return ls.subset(keep), n_other, float(ls.length_km[~keep].sum())


def prune_spurs(
    ls: LineSet, protected: np.ndarray, max_km: float = SPUR_MAX_KM
) -> tuple[LineSet, float]:
    """Drop dead-end chains shorter than ``max_km`` that hold no protected node (repeated until
    none is left, so a siding on a siding goes too). Returns the set and the km dropped."""
    alive = np.ones(ls.n_lines, dtype=bool)
    is_protected = np.zeros(ls.n_nodes, dtype=bool)
    is_protected[protected[protected >= 0]] = True
    while True:
        indptr, inc = node_incidence(ls, alive)
        deg = np.diff(indptr)
        removed = False
        for d in np.flatnonzero((deg == 1) & ~is_protected):
            path = []
            total = 0.0
            cur, prev = int(d), -1
            end = -1
            while True:
                lines_here = [
                    li for li in inc[indptr[cur] : indptr[cur + 1]] if li != prev and alive[li]
                ]
                if len(lines_here) != 1:
                    break
                li = int(lines_here[0])
                path.append(li)
                total += float(ls.length_km[li])
                nxt = int(ls.line_v[li] if ls.line_u[li] == cur else ls.line_u[li])
                if total >= max_km or is_protected[nxt] or deg[nxt] != 2:
                    end = nxt
                    break
                cur, prev = nxt, li
            if path and total < max_km and end >= 0 and not is_protected[end] and deg[end] >= 3:
                alive[path] = False
                removed = True
        if not removed:
            break
    return ls.subset(alive), float(ls.length_km[~alive].sum())


def collapse_chains(
    ls: LineSet, protected: np.ndarray, max_edge_km: float = MAX_EDGE_KM
) -> LineSet:
    """Merge chains through degree-2 nodes into single lines. Chains stop at protected nodes,
    at junctions and dead ends, where the country or origin changes, and after ``max_edge_km``."""
    indptr, inc = node_incidence(ls)
    deg = np.diff(indptr)
    keep = deg != 2
    keep[protected[protected >= 0]] = True
    two = np.flatnonzero(~keep)
    a = inc[indptr[two]]
    b = inc[indptr[two] + 1]
    keep[two[(a == b) | (ls.country[a] != ls.country[b]) | (ls.origin[a] != ls.origin[b])]] = True
    visited = np.zeros(ls.n_lines, dtype=bool)
    us: list[int] = []
    vs: list[int] = []
    geoms: list[np.ndarray] = []
    lengths: list[float] = []
    countries: list[int] = []
    origins: list[int] = []

    def walk(start: int, first_line: int) -> None:
        cur, li = start, first_line
        parts = []
        total = 0.0
        while True:
            visited[li] = True
            g = ls.geometry(li)
            forward = ls.line_u[li] == cur
            parts.append(g if forward else g[::-1])
            total += float(ls.length_km[li])
            nxt = int(ls.line_v[li] if forward else ls.line_u[li])
            if keep[nxt] or total >= max_edge_km or nxt == start:
                break
            pair = inc[indptr[nxt] : indptr[nxt + 1]]
            li = int(pair[1] if pair[0] == li else pair[0])
            if visited[li]:
                break
            cur = nxt
        us.append(start)
        vs.append(nxt)
        geoms.append(np.vstack([parts[0], *[p[1:] for p in parts[1:]]]))
        lengths.append(total)
        countries.append(int(ls.country[first_line]))
        origins.append(int(ls.origin[first_line]))
        if not keep[nxt]:
            keep[nxt] = (
                True  # chain was cut at max_edge_km: its end becomes a node others start from
            )

    def start_from(node: int) -> None:
        for li in inc[indptr[node] : indptr[node + 1]]:
            if not visited[li]:
                walk(node, int(li))

    stack = np.flatnonzero(keep).tolist()
    while stack:
        node = int(stack.pop())
        before = len(vs)
        start_from(node)
        stack.extend(
            v for v in vs[before:] if any(not visited[li] for li in inc[indptr[v] : indptr[v + 1]])
        )
    for li in np.flatnonzero(~visited):  # rings made only of degree-2 nodes
        if not visited[li]:
            keep[ls.line_u[li]] = True
            start_from(int(ls.line_u[li]))
    counts = np.array([len(g) for g in geoms], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    out = LineSet(
        node_lonlat=ls.node_lonlat,
        line_u=np.array(us, dtype=np.int64),
        line_v=np.array(vs, dtype=np.int64),
        coords=np.vstack(geoms),
        offsets=offsets,
        length_km=np.array(lengths),
        country=np.array(countries, dtype=np.int16),
        origin=np.array(origins, dtype=np.int8),
    )
    return out.compact()


# Station throats, crossovers and yard ladders appear as clusters of very short lines. Lines
# shorter than this are contracted into one node, so long as the cluster stays within
# ``CLUSTER_MAX_EXTENT_KM``: this shrinks the graph several times at a length cost below 1%.
CONTRACT_MAX_KM = 0.5
CLUSTER_MAX_EXTENT_KM = 1.5


def contract_short_lines(
    ls: LineSet,
    protected: np.ndarray,
    max_line_km: float = CONTRACT_MAX_KM,
    max_extent_km: float = CLUSTER_MAX_EXTENT_KM,
) -> LineSet:
    """Merge the nodes joined by lines shorter than ``max_line_km`` (same country, at most one
    protected node per cluster, cluster extent below ``max_extent_km``); drop the loops and keep
    the shortest of parallel lines."""
    n = ls.n_nodes
    parent = np.arange(n)
    has_protected = np.zeros(n, dtype=bool)
    has_protected[protected[protected >= 0]] = True
    lon0, lat0 = ls.node_lonlat[:, 0].copy(), ls.node_lonlat[:, 1].copy()
    bbox = np.column_stack([lon0, lat0, lon0, lat0])

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    indptr, inc = node_incidence(ls)
    node_country = np.full(n, -1, dtype=np.int64)
    node_country[ls.line_u] = ls.country
    mixed = np.zeros(n, dtype=bool)
    mixed[ls.line_v[ls.country != node_country[ls.line_v]]] = True
    node_country[ls.line_v] = np.where(
        node_country[ls.line_v] < 0, ls.country, node_country[ls.line_v]
    )
    mixed[ls.line_u[ls.country != node_country[ls.line_u]]] = True
    for li in np.argsort(ls.length_km):
        if ls.length_km[li] >= max_line_km:
            break
        a, b = find(int(ls.line_u[li])), find(int(ls.line_v[li]))
        if a == b or mixed[a] or mixed[b] or (has_protected[a] and has_protected[b]):
            continue
        box = np.array(
            [
                min(bbox[a, 0], bbox[b, 0]),
                min(bbox[a, 1], bbox[b, 1]),
                max(bbox[a, 2], bbox[b, 2]),
                max(bbox[a, 3], bbox[b, 3]),
            ]
        )
        if haversine_km(box[0], box[1], box[2], box[3]) > max_extent_km:
            continue
        root, child = (
            (a, b)
            if has_protected[a]
            or (not has_protected[b] and indptr[a + 1] - indptr[a] >= indptr[b + 1] - indptr[b])
            else (b, a)
        )
        parent[child] = root
        bbox[root] = box
        has_protected[root] |= has_protected[child]
    roots = np.array([find(i) for i in range(n)])
    u, v = roots[ls.line_u], roots[ls.line_v]
    keep = u != v
    # parallel lines between the same two nodes: keep the shortest
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((ls.length_km, hi, lo))
    order = order[keep[order]]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (lo[order][1:] != lo[order][:-1]) | (hi[order][1:] != hi[order][:-1])
    chosen = np.zeros(ls.n_lines, dtype=bool)
    chosen[order[first]] = True
    coords = ls.coords.copy()
    coords[ls.offsets[:-1]] = ls.node_lonlat[u]
    coords[ls.offsets[1:] - 1] = ls.node_lonlat[v]
    moved = replace(ls, line_u=u, line_v=v, coords=coords)
    return moved.subset(chosen)
