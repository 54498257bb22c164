"""All-or-nothing loading: shortest-path trees from every origin, loaded back to front.

Shortest paths come from ``scipy.sparse.csgraph.dijkstra`` on a CSR matrix of node pairs (parallel
edges collapse to the cheapest one each iteration). Loading walks each origin's predecessor tree
from the farthest node inwards and pushes the accumulated demand onto the edge to its predecessor,
in a numba loop: one pass per origin, no per-path Python work.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from landbridge.errors import InvalidInputError, UnreachableError

COST_FLOOR = 1e-12
"""Smallest edge cost handed to Dijkstra, so zero-cost edges (e.g. free transfers) stay edges."""


class PairGraph:
    """Directed graph on ``n_nodes`` with ``m`` edges, collapsed to unique (src, dst) pairs.

    Edge arrays stay in the caller's order; the pair CSR is private to the loading step.
    """

    def __init__(self, edge_src: np.ndarray, edge_dst: np.ndarray, n_nodes: int) -> None:
        src = np.asarray(edge_src, dtype=np.int64)
        dst = np.asarray(edge_dst, dtype=np.int64)
        if src.shape != dst.shape or src.ndim != 1:
            raise InvalidInputError("edge_src and edge_dst must be 1-D arrays of equal length")
        if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n_nodes):
            raise InvalidInputError(f"edge endpoints must lie in 0..{n_nodes - 1}")
        self.n_nodes = int(n_nodes)
        self.n_edges = int(src.size)
        key = src * n_nodes + dst
        order = np.argsort(key, kind="stable")
        ukey, first = np.unique(key[order], return_index=True)
        self.pair_ptr = np.append(first, src.size).astype(np.int64)
        self.pair_edges = order.astype(np.int64)
        pair_src = ukey // n_nodes
        self.pair_dst = (ukey % n_nodes).astype(np.int32)
        self.csr_indptr = np.searchsorted(pair_src, np.arange(n_nodes + 1)).astype(np.int32)
        self.has_parallel = bool(ukey.size < src.size)

    def matrix(self, pair_cost: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix(
            (np.maximum(pair_cost, COST_FLOOR), self.pair_dst, self.csr_indptr),
            shape=(self.n_nodes, self.n_nodes),
        )

    def cheapest_pairs(self, edge_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cost and edge id of the cheapest edge for each pair."""
        if not self.has_parallel:
            return edge_cost[self.pair_edges], self.pair_edges
        return _pair_min(edge_cost, self.pair_ptr, self.pair_edges)

    def reachable(self, origins: np.ndarray) -> np.ndarray:
        """[n_origins, n_nodes] bool: which nodes each origin can reach."""
        matrix = self.matrix(np.ones(self.pair_dst.size))
        dist = dijkstra(matrix, directed=True, indices=origins, unweighted=True)
        return np.isfinite(np.atleast_2d(dist))

    def all_or_nothing(
        self, edge_cost: np.ndarray, origins: np.ndarray, node_demand: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Load ``node_demand[o, v]`` (demand from ``origins[o]`` to node ``v``) on shortest paths.

        Returns (edge flows [m], shortest cost [n_origins, n_nodes]). Raises ``UnreachableError``
        when positive demand has no path.
        """
        pair_cost, pair_edge = self.cheapest_pairs(edge_cost)
        dist, pred = dijkstra(
            self.matrix(pair_cost), directed=True, indices=origins, return_predecessors=True
        )
        lost = (node_demand > 0) & ~np.isfinite(dist)
        if lost.any():
            o, v = np.argwhere(lost)[0]
            raise UnreachableError(
                f"demand from node {int(origins[o])} to node {int(v)} has no path in the network"
            )
        order = np.argsort(-np.where(np.isfinite(dist), dist, -1.0), axis=1, kind="stable")
        flow = _load_trees(
            pred.astype(np.int32),
            order,
            node_demand,
            self.csr_indptr,
            self.pair_dst,
            pair_edge,
            self.n_edges,
        )
        return flow, dist


@numba.njit(cache=True)
def _pair_min(
    edge_cost: np.ndarray, pair_ptr: np.ndarray, pair_edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n_pairs = pair_ptr.size - 1
    cost = np.empty(n_pairs)
    best = np.empty(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        e0 = pair_edges[pair_ptr[p]]
        c0 = edge_cost[e0]
        for k in range(pair_ptr[p] + 1, pair_ptr[p + 1]):
            e = pair_edges[k]
            if edge_cost[e] < c0:
                c0 = edge_cost[e]
                e0 = e
        cost[p] = c0
        best[p] = e0
    return cost, best


@numba.njit(cache=True)
def _load_trees(
    pred: np.ndarray,
    order: np.ndarray,
    node_demand: np.ndarray,
    csr_indptr: np.ndarray,
    pair_dst: np.ndarray,
    pair_edge: np.ndarray,
    n_edges: int,
) -> np.ndarray:
    flow = np.zeros(n_edges)
    n_orig, n = node_demand.shape
    load = np.empty(n)
    for o in range(n_orig):
        for v in range(n):
            load[v] = node_demand[o, v]
        for k in range(n):
            v = order[o, k]
            u = pred[o, v]
            if u < 0 or load[v] == 0.0:
                continue
            for p in range(csr_indptr[u], csr_indptr[u + 1]):
                if pair_dst[p] == v:
                    flow[pair_edge[p]] += load[v]
                    break
            load[u] += load[v]
    return flow
