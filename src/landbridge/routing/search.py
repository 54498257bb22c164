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
from functools import cached_property

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

    @cached_property
    def forward_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Source and destination node of each forward entry, as platform indices (gathers
        with them are ~3x faster than with the matrix's int32 ones). Made on first use."""
        return (
            self.base.edge_src[self.forward_edge].astype(np.intp),
            self.forward.indices.astype(np.intp),
        )

    @cached_property
    def entry_of_edge(self) -> np.ndarray:
        """Per edge id, its forward entry (-1 where masked). Made on first use."""
        entry = np.full(len(self.mask), -1, dtype=np.int64)
        entry[self.forward_edge] = np.arange(len(self.forward_edge))
        entry.setflags(write=False)
        return entry

    @cached_property
    def _parts_of(self) -> dict[int, tuple[MaskedGraph, bool]]:
        return {}

    def part_of(self, whole: MaskedGraph) -> bool:
        """Whether every usable edge of this graph is usable in ``whole`` (remembered)."""
        hit = self._parts_of.get(id(whole))
        if hit is None or hit[0] is not whole:
            hit = (whole, not (self.mask & ~whole.mask).any())
            self._parts_of[id(whole)] = hit
        return hit[1]

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


def edges_of_nodes(g: MaskedGraph, nodes: list[int]) -> list[int]:
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


def walk_back(pred: np.ndarray, target: int) -> list[int]:
    return walk_forward(pred, target)[::-1]


def walk_forward(next_hop: np.ndarray, start: int) -> list[int]:
    step = next_hop.data  # a memoryview: a Python int per step, ~2x faster than ndarray.item
    nodes = [start]
    node = step[start]
    while node != NO_PRED:
        nodes.append(node)
        node = step[node]
    return nodes


Ends = tuple[int, ...]  # the nodes that stand for one place (a port node and its rail side)
WALKS_LIMIT = 4096  # path walks remembered per tree store


class Walks:
    """Edge ids of tree paths walked before, per (tree array, node, direction): the pairs of a
    skim walk the same trees from the same places again and again. ``walker`` (set by a warm
    planner: ``routing.kernels.tree_path``) walks them instead of the Python walk, taking the
    same edges."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int, bool], tuple[np.ndarray, list[int]]] = {}
        self.walker: Callable[[MaskedGraph, np.ndarray, int, bool], list[int]] | None = None

    def clear(self) -> None:
        self._memo.clear()

    def edges(self, g: MaskedGraph, tree: np.ndarray, node: int, back: bool) -> list[int]:
        """The edges from the root of ``tree`` to ``node`` (``back``: predecessors walked back)
        or from ``node`` to the root (next hops walked forward). Read-only."""
        key = (id(tree), node, back)
        hit = self._memo.get(key)
        if hit is None or hit[0] is not tree:
            if self.walker is not None:
                edges = self.walker(g, tree, node, back)
            else:
                nodes = walk_back(tree, node) if back else walk_forward(tree, node)
                edges = edges_of_nodes(g, nodes)
            if len(self._memo) >= WALKS_LIMIT:
                self._memo.clear()
            hit = (tree, edges)
            self._memo[key] = hit
        return hit[1]


class Trees:
    """Dijkstra trees (read-only arrays), shared by the variants that use the same masked graph
    and, kept on a planner cache, by the requests that share an end; at most ``limit`` trees,
    the oldest forgotten first."""

    def __init__(self, limit: int | None = None) -> None:
        self._memo: dict[tuple[int, bool, Ends], tuple[MaskedGraph, np.ndarray, np.ndarray]] = {}
        self._limit = limit
        self.walks = Walks()

    def clear(self) -> None:
        self._memo.clear()
        self.walks.clear()

    def _tree(self, g: MaskedGraph, nodes: Ends, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
        key = (id(g), reverse, nodes)
        hit = self._memo.get(key)
        if hit is None or hit[0] is not g:
            matrix = g.reverse if reverse else g.forward
            dist, pred, _ = dijkstra(
                matrix, indices=list(nodes), min_only=True, return_predecessors=True
            )
            dist.setflags(write=False)
            pred.setflags(write=False)
            if self._limit is not None and len(self._memo) >= self._limit:
                # tolerant of another thread of the server evicting at the same time
                oldest = next(iter(self._memo), None)
                if oldest is not None:
                    self._memo.pop(oldest, None)
            hit = (g, dist, pred)
            self._memo[key] = hit
        return hit[1], hit[2]

    def forward(self, g: MaskedGraph, origins: Ends) -> tuple[np.ndarray, np.ndarray]:
        """Costs from the nearest of ``origins`` and predecessors."""
        return self._tree(g, origins, False)

    def backward(self, g: MaskedGraph, destinations: Ends) -> tuple[np.ndarray, np.ndarray]:
        """Costs to the nearest of ``destinations`` and next hops towards it."""
        return self._tree(g, destinations, True)


def _reached(g: MaskedGraph, path: np.ndarray, starts: Ends, targets: Ends) -> int:
    """The node where ``path`` (from one of ``starts`` to one of ``targets``) ends."""
    if len(path):
        return int(g.edge_dst[path[-1]])
    return next(n for n in starts if n in targets)


def cut_off(g: MaskedGraph, origins: Ends, destinations: Ends) -> bool:
    """No usable edge leaves any origin, or none enters any destination (a variant that avoids
    the destination's country): no path, without a search."""
    out, into = g.forward.indptr, g.reverse.indptr
    return all(out[n + 1] == out[n] for n in origins) or all(
        into[n + 1] == into[n] for n in destinations
    )


def shortest_path(
    g: MaskedGraph, origins: Ends, destinations: Ends, trees: Trees
) -> np.ndarray | None:
    """Edge ids of the cheapest path, or None when no destination is reachable."""
    if set(origins) & set(destinations):
        return np.empty(0, dtype=np.int64)
    if cut_off(g, origins, destinations):
        return None
    dist, pred = trees.forward(g, origins)
    targets = np.asarray(destinations)
    best = int(targets[np.argmin(dist[targets])])
    if not np.isfinite(dist[best]):
        return None
    return np.asarray(trees.walks.edges(g, pred, best, back=True), dtype=np.int64)


def path_through(
    g: MaskedGraph, origins: Ends, destinations: Ends, via: Ends, trees: Trees
) -> np.ndarray | None:
    """Cheapest path that visits ``via`` (two legs, each cheapest).

    A first leg that already passes the destination is no route *via* that place (it would
    run past the destination and come back), so it gives None.
    """
    first = shortest_path(g, origins, via, trees)
    if first is None or np.isin(g.edge_dst[first], destinations).any():
        return None
    second = shortest_path(g, (_reached(g, first, origins, via),), destinations, trees)
    return None if second is None else np.concatenate([first, second])


def path_via_edges(
    g: MaskedGraph, origins: Ends, destinations: Ends, pin: np.ndarray, trees: Trees
) -> np.ndarray | None:
    """Cheapest path that uses one of the edges ``pin`` (a crossing or port of a variant)."""
    pin = pin[g.mask[pin]]
    if not len(pin) or cut_off(g, origins, destinations):
        return None
    d_from, pred = trees.forward(g, origins)
    d_to, next_hop = trees.backward(g, destinations)
    src, dst = g.edge_src[pin], g.edge_dst[pin]
    total = d_from[src] + g.weight[pin] + d_to[dst]
    best = int(np.argmin(total))
    if not np.isfinite(total[best]):
        return None
    head = trees.walks.edges(g, pred, int(src[best]), back=True)
    tail = trees.walks.edges(g, next_hop, int(dst[best]), back=False)
    return np.asarray([*head, int(pin[best]), *tail], dtype=np.int64)


def cheapest_within(
    sub: MaskedGraph, whole: MaskedGraph, search: Callable[[MaskedGraph], np.ndarray | None]
) -> np.ndarray | None:
    """``search(sub)``, answered from ``search(whole)`` when ``sub`` is a part of ``whole`` and
    the path found there lies inside ``sub`` (no cheaper path can exist in a part; none in
    ``whole`` means none in ``sub``): the corridor variants share the trees of the network
    under the user's constraints instead of searching their own masked copies."""
    if whole is not sub and sub.part_of(whole):
        path = search(whole)
        if path is None or sub.mask[path].all():
            return path
    return search(sub)


def path_via_edges_through(
    g: MaskedGraph,
    origins: Ends,
    destinations: Ends,
    pin: np.ndarray,
    via: Ends,
    trees: Trees,
    accept: Callable[[np.ndarray], bool],
) -> np.ndarray | None:
    """Cheapest acceptable path that uses one of the edges ``pin`` and visits ``via``,
    pin first or via first."""
    candidates = []
    head = path_via_edges(g, origins, via, pin, trees)
    if head is not None:
        tail = shortest_path(g, (_reached(g, head, origins, via),), destinations, trees)
        if tail is not None:
            candidates.append(np.concatenate([head, tail]))
    head = shortest_path(g, origins, via, trees)
    if head is not None:
        tail = path_via_edges(g, (_reached(g, head, origins, via),), destinations, pin, trees)
        if tail is not None:
            candidates.append(np.concatenate([head, tail]))
    candidates = [
        c for c in candidates if not np.isin(g.edge_dst[c][:-1], destinations).any() and accept(c)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda c: float(g.weight[c].sum()))
