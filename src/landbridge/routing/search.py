"""Shortest paths on a masked network with scipy.sparse.csgraph Dijkstra (generalized cost).

The network is already in CSR order by source node, so a mask keeps that order and the
forward matrix needs no sorting. ``GraphBase`` holds what every mask shares, sorted once per
network and weights: the edges in destination order (the reverse matrix of a mask is a subset
of it) and the edges sorted by (source, destination, weight), to find the cheapest usable edge
between two consecutive path nodes. Parallel edges stay separate entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from landbridge.network.model import Network

NO_PRED = -9999  # scipy's marker for "no predecessor"


@dataclass(frozen=True)
class GraphBase:
    """Per-network, per-weights sort orders shared by all masked graphs."""

    n_nodes: int
    edge_src: np.ndarray
    edge_dst: np.ndarray
    weight: np.ndarray  # generalized cost over all edges
    by_dst: np.ndarray  # edge ids in stable destination order
    pair_key: np.ndarray  # src * n + dst of the edges in ``pair_edge`` order (sorted)
    pair_edge: np.ndarray  # edge ids sorted by (src, dst, weight)


def graph_base(net: Network, weight: np.ndarray) -> GraphBase:
    n = net.n_nodes
    key = net.edge_src.astype(np.int64) * n + net.edge_dst
    order = np.lexsort((weight, key))
    return GraphBase(
        n,
        net.edge_src,
        net.edge_dst,
        weight,
        np.argsort(net.edge_dst, kind="stable"),
        key[order],
        order,
    )


@dataclass(frozen=True)
class MaskedGraph:
    """Forward and reverse CSR matrices of the usable edges, with their edge ids."""

    base: GraphBase
    mask: np.ndarray  # bool over edges
    forward: csr_matrix
    forward_edge: np.ndarray  # edge id of each forward entry
    reverse: csr_matrix
    reverse_edge: np.ndarray

    @property
    def weight(self) -> np.ndarray:
        return self.base.weight

    @property
    def edge_src(self) -> np.ndarray:
        return self.base.edge_src

    @property
    def edge_dst(self) -> np.ndarray:
        return self.base.edge_dst


def build_graph(base: GraphBase, mask: np.ndarray | None) -> MaskedGraph:
    n = base.n_nodes
    mask = np.ones(base.edge_src.shape[0], dtype=bool) if mask is None else mask
    kept = np.flatnonzero(mask)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(base.edge_src[kept], minlength=n), out=indptr[1:])
    forward = csr_matrix(
        (base.weight[kept], base.edge_dst[kept].astype(np.int32), indptr), shape=(n, n)
    )
    rkept = base.by_dst[mask[base.by_dst]]
    rindptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(base.edge_dst[rkept], minlength=n), out=rindptr[1:])
    reverse = csr_matrix(
        (base.weight[rkept], base.edge_src[rkept].astype(np.int32), rindptr), shape=(n, n)
    )
    return MaskedGraph(base, mask, forward, kept, reverse, rkept)


def _edges_of_nodes(g: MaskedGraph, nodes: list[int]) -> list[int]:
    """The cheapest usable edge between each pair of consecutive nodes."""
    seq = np.asarray(nodes, dtype=np.int64)
    keys = seq[:-1] * g.base.n_nodes + seq[1:]
    pos = np.searchsorted(g.base.pair_key, keys)
    edges = g.base.pair_edge[pos]
    for i in np.flatnonzero(~g.mask[edges]):  # a cheaper parallel edge is masked: take the next
        j = int(pos[i])
        while not g.mask[g.base.pair_edge[j]]:
            j += 1
        edges[i] = g.base.pair_edge[j]
    return edges.tolist()


def _walk_back(pred: np.ndarray, target: int) -> list[int]:
    nodes = [target]
    while pred[nodes[-1]] != NO_PRED:
        nodes.append(int(pred[nodes[-1]]))
    return nodes[::-1]


def _walk_forward(next_hop: np.ndarray, start: int) -> list[int]:
    nodes = [start]
    while next_hop[nodes[-1]] != NO_PRED:
        nodes.append(int(next_hop[nodes[-1]]))
    return nodes


class Trees:
    """Dijkstra trees of one request, shared by the variants that use the same masked graph."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int, bool, int], tuple[np.ndarray, np.ndarray]] = {}

    def _tree(self, g: MaskedGraph, node: int, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
        key = (id(g), reverse, node)
        hit = self._memo.get(key)
        if hit is None:
            matrix = g.reverse if reverse else g.forward
            hit = dijkstra(matrix, indices=node, return_predecessors=True)
            self._memo[key] = hit
        return hit

    def forward(self, g: MaskedGraph, origin: int) -> tuple[np.ndarray, np.ndarray]:
        """Costs from ``origin`` and predecessors."""
        return self._tree(g, origin, False)

    def backward(self, g: MaskedGraph, destination: int) -> tuple[np.ndarray, np.ndarray]:
        """Costs to ``destination`` and next hops towards it."""
        return self._tree(g, destination, True)


def shortest_path(g: MaskedGraph, origin: int, destination: int, trees: Trees) -> np.ndarray | None:
    """Edge ids of the cheapest path, or None when the destination is unreachable."""
    if origin == destination:
        return np.empty(0, dtype=np.int64)
    dist, pred = trees.forward(g, origin)
    if not np.isfinite(dist[destination]):
        return None
    return np.asarray(_edges_of_nodes(g, _walk_back(pred, destination)), dtype=np.int64)


def path_through(
    g: MaskedGraph, origin: int, destination: int, via: int, trees: Trees
) -> np.ndarray | None:
    """Cheapest path that visits node ``via`` (two legs, each cheapest).

    A first leg that already passes the destination is no route *via* that place (it would
    run past the destination and come back), so it gives None.
    """
    first = shortest_path(g, origin, via, trees)
    second = shortest_path(g, via, destination, trees) if first is not None else None
    if first is None or second is None or (g.edge_dst[first] == destination).any():
        return None
    return np.concatenate([first, second])


def path_via_edges(
    g: MaskedGraph, origin: int, destination: int, pin: np.ndarray, trees: Trees
) -> np.ndarray | None:
    """Cheapest path that uses one of the edges ``pin`` (a crossing or port of a variant)."""
    pin = pin[g.mask[pin]]
    if not len(pin):
        return None
    d_from, pred = trees.forward(g, origin)
    d_to, next_hop = trees.backward(g, destination)
    src, dst = g.edge_src[pin], g.edge_dst[pin]
    total = d_from[src] + g.weight[pin] + d_to[dst]
    best = int(np.argmin(total))
    if not np.isfinite(total[best]):
        return None
    u, v = int(src[best]), int(dst[best])
    head = _edges_of_nodes(g, _walk_back(pred, u)) if u != origin else []
    tail = _edges_of_nodes(g, _walk_forward(next_hop, v)) if v != destination else []
    return np.asarray([*head, int(pin[best]), *tail], dtype=np.int64)


def path_via_edges_through(
    g: MaskedGraph,
    origin: int,
    destination: int,
    pin: np.ndarray,
    via: int,
    trees: Trees,
    accept: Callable[[np.ndarray], bool],
) -> np.ndarray | None:
    """Cheapest acceptable path that uses one of the edges ``pin`` and visits node ``via``,
    pin first or via first."""
    candidates = []
    head = path_via_edges(g, origin, via, pin, trees)
    tail = shortest_path(g, via, destination, trees) if head is not None else None
    if head is not None and tail is not None:
        candidates.append(np.concatenate([head, tail]))
    head = shortest_path(g, origin, via, trees)
    tail = path_via_edges(g, via, destination, pin, trees) if head is not None else None
    if head is not None and tail is not None:
        candidates.append(np.concatenate([head, tail]))
    candidates = [
        c for c in candidates if not (g.edge_dst[c][:-1] == destination).any() and accept(c)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda c: float(g.weight[c].sum()))
