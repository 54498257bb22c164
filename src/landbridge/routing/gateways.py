"""Shortest-path trees rooted at the gateways a corridor variant is pinned to (its crossing or
port edges), built once per masked graph and shared by every origin–destination pair.

For each pinned edge ``tail -> head``: the all-to-one tree into ``tail`` (cost from every node
and the next hop towards it) and the one-to-all tree from ``head`` (cost to every node and the
predecessors). The cheapest path through one of the edges is then array look-ups (cost from
the nearest origin to each tail, plus the edge, plus cost from each head to the nearest
destination) and two path walks, instead of two Dijkstra searches per pair.

The trees of a masked graph cost a Dijkstra search per gateway, so they are only built when
the graph is searched for a second time: a one-shot plan (``landbridge route``) searches each
variant's graph once, from the pair's ends, and gives the same options (a test over the standard
pairs compares the two searches); a server or a skim asks again and gets the trees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from landbridge.routing.search import Ends, MaskedGraph, Walks

GATEWAY_MASKS_LIMIT = 32  # masked graphs with gateway trees kept; ~20 MB each for Dostyk's 80 edges


@dataclass(frozen=True)
class GatewayTrees:
    """Trees at the tails and heads of the usable pinned edges ``pin`` of one masked graph."""

    pin: np.ndarray  # usable pinned edge ids
    tail_row: np.ndarray  # per pinned edge, its tail's row in ``to_tail``
    to_tail: np.ndarray  # [tails, nodes] cost from each node to the tail
    to_tail_next: np.ndarray  # [tails, nodes] next hop from each node towards the tail
    head_row: np.ndarray  # per pinned edge, its head's row in ``from_head``
    from_head: np.ndarray  # [heads, nodes] cost from the head to each node
    from_head_pred: np.ndarray  # [heads, nodes] predecessor of each node on that tree
    # the rows of ``to_tail_next`` and ``from_head_pred``, one view each (path walks are
    # remembered per tree array)
    next_rows: tuple[np.ndarray, ...]
    pred_rows: tuple[np.ndarray, ...]


def gateway_trees(g: MaskedGraph, pin: np.ndarray) -> GatewayTrees:
    pin = pin[g.mask[pin]]
    tails, tail_row = np.unique(g.edge_src[pin], return_inverse=True)
    heads, head_row = np.unique(g.edge_dst[pin], return_inverse=True)
    to_tail, to_tail_next = _trees(g, tails, reverse=True)
    from_head, from_head_pred = _trees(g, heads, reverse=False)
    return GatewayTrees(
        pin, tail_row.ravel(), to_tail, to_tail_next, head_row.ravel(), from_head, from_head_pred,
        tuple(to_tail_next), tuple(from_head_pred),
    )  # fmt: skip


def _trees(g: MaskedGraph, roots: np.ndarray, reverse: bool) -> tuple[np.ndarray, np.ndarray]:
    n = g.base.n_nodes
    if not len(roots):
        return np.empty((0, n)), np.empty((0, n), dtype=np.int32)
    dist, pred = dijkstra(
        g.reverse if reverse else g.forward, indices=roots, return_predecessors=True
    )
    dist.setflags(write=False)
    pred.setflags(write=False)
    return dist, pred


class Gateways:
    """Gateway trees per (masked graph, pinned edges), built on the second request for them and
    kept while the graph is (at most ``GATEWAY_MASKS_LIMIT`` entries, the oldest forgotten
    first)."""

    def __init__(self) -> None:
        # None: asked for once, not built yet
        self._memo: dict[tuple[int, bytes], tuple[MaskedGraph, GatewayTrees | None]] = {}
        self.walks = Walks()

    def trees(self, g: MaskedGraph, pin: np.ndarray) -> GatewayTrees | None:
        """The trees of ``g`` at ``pin``; None on the first request (search from the ends)."""
        key = (id(g), np.ascontiguousarray(pin).tobytes())
        hit = self._memo.get(key)
        if hit is not None and hit[0] is g and hit[1] is not None:
            return hit[1]
        built = gateway_trees(g, pin) if hit is not None and hit[0] is g else None
        if hit is None and len(self._memo) >= GATEWAY_MASKS_LIMIT:
            oldest = next(iter(self._memo), None)
            if oldest is not None:
                self._memo.pop(oldest, None)
        self._memo[key] = (g, built)
        return built


def path_via_gateways(
    g: MaskedGraph, gt: GatewayTrees, origins: Ends, destinations: Ends, walks: Walks
) -> np.ndarray | None:
    """Edge ids of the cheapest path from one of ``origins`` through one of the pinned edges of
    ``gt`` to one of ``destinations`` (None when there is none)."""
    if not len(gt.pin):
        return None
    o = np.asarray(origins, dtype=np.int64)
    d = np.asarray(destinations, dtype=np.int64)
    into = gt.to_tail[:, o]  # [tails, origins]
    start = np.argmin(into, axis=1)
    out = gt.from_head[:, d]  # [heads, destinations]
    end = np.argmin(out, axis=1)
    rows = np.arange(len(into))
    heads = np.arange(len(out))
    total = into[rows, start][gt.tail_row] + g.weight[gt.pin] + out[heads, end][gt.head_row]
    best = int(np.argmin(total))
    if not np.isfinite(total[best]):
        return None
    t, h = int(gt.tail_row[best]), int(gt.head_row[best])
    head = walks.edges(g, gt.next_rows[t], int(o[start[t]]), back=False)
    tail = walks.edges(g, gt.pred_rows[h], int(d[end[h]]), back=True)
    return np.asarray([*head, int(gt.pin[best]), *tail], dtype=np.int64)
