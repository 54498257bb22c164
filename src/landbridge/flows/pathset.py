"""Route choice sets: the corridor options of each OD pair, generated once before assignment.

For each OD pair the set holds the cheapest path and, for each *gateway* (a group of edges such as
a border facility or a sea link), the cheapest path forced through it: ``o -> tail(e)``, ``e``,
``head(e) -> d`` for the gateway edge ``e`` that makes this cheapest. One forward shortest-path
tree per origin and one backward tree per destination (scipy Dijkstra) give every candidate at
once. A candidate that revisits a node (a detour that doubles back through the gateway) is
dropped, duplicates are merged, and a path dearer than ``max_cost_ratio`` times the OD's cheapest
is left out: nobody routes a container over it, and a logit model would still give it a share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from landbridge.errors import InvalidInputError
from landbridge.flows.shortest import PairGraph


@dataclass(frozen=True)
class PathSet:
    """Paths over the full edge index (``m`` edges) of the caller's network."""

    incidence: sp.csr_matrix  # [n_paths, m]: 1 where the path uses the edge
    od: np.ndarray  # [n_paths] index into the OD arrays given to ``corridor_paths``
    cost: np.ndarray  # [n_paths] cost at generation (the edge costs given)
    gateway: np.ndarray  # [n_paths] index of the gateway the path was forced through, -1: none
    no_path: np.ndarray  # [n_od] bool: OD pairs without any path on the allowed edges

    @property
    def n_paths(self) -> int:
        return int(self.od.size)


def corridor_paths(
    edge_src: np.ndarray,
    edge_dst: np.ndarray,
    n_nodes: int,
    edge_cost: np.ndarray,
    allowed: np.ndarray,
    od_origin: np.ndarray,
    od_destination: np.ndarray,
    gateways: list[np.ndarray],
    max_cost_ratio: float,
) -> PathSet:
    """Cheapest path plus cheapest path through each gateway, for each OD pair (module docstring).

    ``allowed`` (bool, length m) restricts the edges paths may use; ``gateways`` are arrays of
    edge ids. Costs must be finite and non-negative on allowed edges.
    """
    src = np.asarray(edge_src, dtype=np.int64)
    dst = np.asarray(edge_dst, dtype=np.int64)
    cost = np.asarray(edge_cost, dtype=np.float64)
    m = src.size
    allowed = np.asarray(allowed, dtype=bool)
    o_all = np.asarray(od_origin, dtype=np.int64)
    d_all = np.asarray(od_destination, dtype=np.int64)
    if cost.shape != (m,) or allowed.shape != (m,) or dst.shape != (m,):
        raise InvalidInputError("edge arrays must all have one entry per edge")
    if np.any(~np.isfinite(cost[allowed])) or np.any(cost[allowed] < 0):
        raise InvalidInputError("edge costs must be finite and non-negative on allowed edges")
    if o_all.shape != d_all.shape or np.any(o_all == d_all):
        raise InvalidInputError("OD arrays must have equal length and distinct ends")
    if not max_cost_ratio >= 1:
        raise InvalidInputError("max_cost_ratio must be at least 1")
    idx = np.flatnonzero(allowed)
    graph = PairGraph(src[idx], dst[idx], n_nodes)
    pair_cost, pair_local = graph.cheapest_pairs(cost[idx])
    pair_edge = idx[pair_local]
    pair_src = np.repeat(np.arange(n_nodes), np.diff(graph.csr_indptr))
    pair_key = pair_src * n_nodes + graph.pair_dst
    forward = graph.matrix(pair_cost)
    origins, o_row = np.unique(o_all, return_inverse=True)
    dests, d_row = np.unique(d_all, return_inverse=True)
    n_od = o_all.size
    if n_od == 0:
        return _empty(m, n_od)
    dist_o, pred_o = dijkstra(forward, indices=origins, return_predecessors=True)
    dist_d, pred_d = dijkstra(forward.T.tocsr(), indices=dests, return_predecessors=True)
    dist_o, pred_o = np.atleast_2d(dist_o), np.atleast_2d(pred_o)
    dist_d, pred_d = np.atleast_2d(dist_d), np.atleast_2d(pred_d)
    best = dist_o[o_row, d_all]
    no_path = ~np.isfinite(best)
    limit = best * max_cost_ratio

    cand: list[tuple[int, int, int, float]] = []  # (od, gateway, gateway edge or -1, cost)
    for w in np.flatnonzero(~no_path).tolist():
        cand.append((w, -1, -1, float(best[w])))
    for g, edges in enumerate(gateways):
        e = np.asarray(edges, dtype=np.int64)
        e = e[allowed[e]]
        if not e.size:
            continue
        through = dist_o[o_row][:, src[e]] + cost[e][None, :] + dist_d[d_row][:, dst[e]]
        pick = np.argmin(through, axis=1)
        c = through[np.arange(n_od), pick]
        for w in np.flatnonzero(np.isfinite(c) & (c <= limit)).tolist():
            cand.append((w, g, int(e[pick[w]]), float(c[w])))

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    path_od: list[int] = []
    path_cost: list[float] = []
    path_gw: list[int] = []
    seen: set[tuple[int, bytes]] = set()
    for w, g, gate, _ in cand:
        o, d = int(o_all[w]), int(d_all[w])
        if gate < 0:
            nodes = _walk_back(pred_o[o_row[w]], o, d)
        else:
            head = _walk_back(pred_o[o_row[w]], o, int(src[gate]))
            tail = _walk_forward(pred_d[d_row[w]], int(dst[gate]), d)
            nodes = np.concatenate([head, tail])
        if np.unique(nodes).size != nodes.size:
            continue
        key = nodes[:-1] * n_nodes + nodes[1:]
        edges_on = pair_edge[np.searchsorted(pair_key, key)]
        if gate >= 0:
            edges_on[head.size - 1] = gate  # the gateway edge itself, not a parallel one
        sig = (w, edges_on.tobytes())
        if sig in seen:
            continue
        seen.add(sig)
        rows.append(np.full(edges_on.size, len(path_od)))
        cols.append(edges_on)
        path_od.append(w)
        path_cost.append(float(cost[edges_on].sum()))
        path_gw.append(g)
    n_paths = len(path_od)
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c_ = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    incidence = sp.csr_matrix((np.ones(r.size), (r, c_)), shape=(n_paths, m))
    return PathSet(
        incidence=incidence, od=np.asarray(path_od, dtype=np.int64),
        cost=np.asarray(path_cost), gateway=np.asarray(path_gw, dtype=np.int64), no_path=no_path,
    )  # fmt: skip


def _walk_back(pred: np.ndarray, origin: int, node: int) -> np.ndarray:
    """Nodes origin ... node along a forward predecessor tree."""
    out = [node]
    while node != origin:
        node = int(pred[node])
        out.append(node)
    return np.asarray(out[::-1], dtype=np.int64)


def _walk_forward(pred: np.ndarray, node: int, destination: int) -> np.ndarray:
    """Nodes node ... destination along a backward (reversed-graph) predecessor tree."""
    out = [node]
    while node != destination:
        node = int(pred[node])
        out.append(node)
    return np.asarray(out, dtype=np.int64)


def _empty(m: int, n_od: int) -> PathSet:
    return PathSet(
        sp.csr_matrix((0, m)), np.zeros(0, dtype=np.int64), np.zeros(0),
        np.zeros(0, dtype=np.int64), np.zeros(n_od, dtype=bool),
    )  # fmt: skip
