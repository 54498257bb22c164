"""Shortest paths on a masked network with scipy.sparse.csgraph Dijkstra (generalized cost).

The network is already in CSR order by source node, so a mask keeps that order and the
forward matrix is built without sorting; the reverse matrix (for routing *to* a node) is one
stable argsort. Parallel edges stay separate entries; the path keeps the cheapest of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from landbridge.network.model import Network

NO_PRED = -9999  # scipy's marker for "no predecessor"


@dataclass(frozen=True)
class MaskedGraph:
    """Forward and reverse CSR matrices of the usable edges, with their edge ids."""

    forward: csr_matrix
    forward_edge: np.ndarray  # edge id of each forward entry
    reverse: csr_matrix
    reverse_edge: np.ndarray
    mask: np.ndarray  # bool over edges
    weight: np.ndarray  # generalized cost over all edges
    edge_src: np.ndarray  # the network's edge arrays (for pinned edges)
    edge_dst: np.ndarray
    pair_key: np.ndarray  # sorted unique src * n + dst of usable edges
    pair_edge: np.ndarray  # the cheapest usable edge of each pair


def build_graph(net: Network, weight: np.ndarray, mask: np.ndarray | None) -> MaskedGraph:
    n = net.n_nodes
    mask = np.ones(net.n_edges, dtype=bool) if mask is None else mask
    kept = np.flatnonzero(mask)
    src = net.edge_src[kept]
    dst = net.edge_dst[kept].astype(np.int32)
    data = weight[kept]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    forward = csr_matrix((data, dst, indptr), shape=(n, n))
    order = np.argsort(dst, kind="stable")
    rindptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=rindptr[1:])
    reverse = csr_matrix((data[order], src[order].astype(np.int32), rindptr), shape=(n, n))
    key = src.astype(np.int64) * n + dst
    by_key = np.lexsort((data, key))
    first = np.ones(len(by_key), dtype=bool)
    first[1:] = key[by_key][1:] != key[by_key][:-1]
    pairs = by_key[first]
    return MaskedGraph(
        forward, kept, reverse, kept[order], mask, weight, net.edge_src, net.edge_dst,
        key[pairs], kept[pairs],
    )  # fmt: skip


def _edges_of_nodes(g: MaskedGraph, nodes: list[int]) -> list[int]:
    """The cheapest usable edge between each pair of consecutive nodes (vectorised)."""
    seq = np.asarray(nodes, dtype=np.int64)
    keys = seq[:-1] * g.forward.shape[0] + seq[1:]
    return g.pair_edge[np.searchsorted(g.pair_key, keys)].tolist()


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


def shortest_path(g: MaskedGraph, origin: int, destination: int) -> np.ndarray | None:
    """Edge ids of the cheapest path, or None when the destination is unreachable."""
    if origin == destination:
        return np.empty(0, dtype=np.int64)
    dist, pred = dijkstra(g.forward, indices=origin, return_predecessors=True)
    if not np.isfinite(dist[destination]):
        return None
    return np.asarray(_edges_of_nodes(g, _walk_back(pred, destination)), dtype=np.int64)


def path_through(g: MaskedGraph, origin: int, destination: int, via: int) -> np.ndarray | None:
    """Cheapest path that visits node ``via`` (two legs, each cheapest).

    A first leg that already passes the destination is no route *via* that place (it would
    run past the destination and come back), so it gives None.
    """
    first = shortest_path(g, origin, via)
    second = shortest_path(g, via, destination) if first is not None else None
    if first is None or second is None or (g.edge_dst[first] == destination).any():
        return None
    return np.concatenate([first, second])


def path_via_edges(
    g: MaskedGraph, origin: int, destination: int, pin: np.ndarray
) -> np.ndarray | None:
    """Cheapest path that uses one of the edges ``pin`` (a crossing or port of a variant)."""
    pin = pin[g.mask[pin]]
    if not len(pin):
        return None
    d_from, pred = dijkstra(g.forward, indices=origin, return_predecessors=True)
    d_to, next_hop = dijkstra(g.reverse, indices=destination, return_predecessors=True)
    src, dst = g.edge_src[pin], g.edge_dst[pin]
    total = d_from[src] + g.weight[pin] + d_to[dst]
    best = int(np.argmin(total))
    if not np.isfinite(total[best]):
        return None
    u, v = int(src[best]), int(dst[best])
    head = _edges_of_nodes(g, _walk_back(pred, u)) if u != origin else []
    tail = _edges_of_nodes(g, _walk_forward(next_hop, v)) if v != destination else []
    return np.asarray([*head, int(pin[best]), *tail], dtype=np.int64)
