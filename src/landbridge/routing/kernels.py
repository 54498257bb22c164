"""Compiled searches of a warm planner (numba): a bounded Dijkstra on reduced weights (the
penalty rounds of the k shortest paths, ``routing.alternatives``) and the walk of a path in a
shortest-path tree.

The weights are reduced by a cost-to-go ``h`` to the destinations (each entry ``w + h[dst] -
h[src]``, never below zero), with a virtual source that starts each origin at ``h[origin] -
offset``, exactly as ``alternatives._GuidedSearch`` hands them to scipy. The search stops once the
nearest target is settled (the targets at exactly that cost too), or at ``limit``: it scans only
the nodes on paths as cheap as the one it returns, where scipy's search scans up to its limit
and starts again when the limit was short. Every node settled gets the cost scipy's search
gives it (predecessor ``NO_PRED`` for an origin); where two paths cost exactly the same, the
two searches may keep different predecessors (the tests compare the answers of the standard
pairs with the plain search's).

The walk follows predecessors (or next hops) from a node and takes between each two
consecutive nodes the cheapest usable edge, the lowest edge id among equally cheap ones: what
``search.edges_of_nodes`` takes (its sort by source, destination and weight is stable), without
a Python step per node.

numba is imported on the first call only: a one-shot ``landbridge route`` never pays for it
(the planner uses these from a prepared network's second search on).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from landbridge.routing.search import (
    NO_PRED,
    Ends,
    MaskedGraph,
    cut_off,
)

_COMPILED: dict[str, Callable[..., Any]] = {}
_COMPILING = threading.Lock()


def reduced_search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    h: np.ndarray,
    origins: np.ndarray,
    offset: float,
    is_target: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Reduced costs (offset) and predecessors from ``origins`` over the CSR graph ``indptr``,
    ``indices`` with ``weights`` per entry, up to the nearest node of ``is_target`` (bool per
    node) or ``limit``; inf and ``NO_PRED`` for the nodes not settled."""
    return _compiled("_search")(indptr, indices, weights, h, origins, offset, is_target, limit)


def tree_path(g: MaskedGraph, step: np.ndarray, node: int, back: bool) -> list[int]:
    """Edge ids of the path in a tree of ``g`` from its root to ``node`` (``back``: ``step``
    holds predecessors) or from ``node`` to its root (``step`` holds next hops)."""
    forward = g.forward
    edges = _compiled("_walk")(step, node, back, forward.indptr, forward.indices, forward.data,
                               g.forward_edge)  # fmt: skip
    return edges.tolist()


def _compiled(name: str) -> Callable[..., Any]:
    """The kernel ``name`` compiled (from numba's cache after the first time)."""
    with _COMPILING:  # the server's threads may ask at once
        if not _COMPILED:
            import numba

            for kernel in ("_search", "_walk"):
                _COMPILED[kernel] = numba.njit(cache=True, nogil=True)(globals()[kernel])
        return _COMPILED[name]


def _walk(
    step: np.ndarray,
    node: int,
    back: bool,
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    entry_edge: np.ndarray,
) -> np.ndarray:
    length = 0
    at = node
    while step[at] != NO_PRED:
        length += 1
        at = step[at]
    edges = np.empty(length, dtype=np.int64)
    at = node
    for i in range(length):
        nxt = step[at]
        u, v = (nxt, at) if back else (at, nxt)
        best = -1
        for k in range(indptr[u], indptr[u + 1]):
            if indices[k] == v and (best < 0 or weights[k] < weights[best]):
                best = k
        edges[length - 1 - i if back else i] = entry_edge[best]
        at = nxt
    return edges


def _search(
    indptr: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    h: np.ndarray,
    origins: np.ndarray,
    offset: float,
    is_target: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray]:
    # an indexed binary heap of nodes by cost, written out (numba's calls to helpers cost a
    # third more here); place: a node's position in it, -1 never reached, -2 settled
    n = indptr.shape[0] - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, NO_PRED, dtype=np.int32)
    place = np.full(n, -1, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    count = 0
    for o in origins:
        start = h[o] - offset
        if start <= limit and start < dist[o]:
            dist[o] = start
            i = place[o]
            if i < 0:
                i = count
                count += 1
            while i > 0:  # sift up
                parent = (i - 1) >> 1
                above = heap[parent]
                if dist[above] <= start:
                    break
                heap[i] = above
                place[above] = i
                i = parent
            heap[i] = o
            place[o] = i
    found = np.inf
    while count:
        node = heap[0]
        key = dist[node]
        if key > found:
            break
        count -= 1
        last = heap[count]
        last_key = dist[last]
        i = 0
        while True:  # sift down
            child = 2 * i + 1
            if child >= count:
                break
            if child + 1 < count and dist[heap[child + 1]] < dist[heap[child]]:
                child += 1
            below = heap[child]
            if dist[below] >= last_key:
                break
            heap[i] = below
            place[below] = i
            i = child
        if count:
            heap[i] = last
            place[last] = i
        place[node] = -2
        if is_target[node]:
            found = key
            continue
        h_node = h[node]
        for k in range(indptr[node], indptr[node + 1]):
            v = indices[k]
            if place[v] == -2:
                continue
            h_v = h[v]
            if not (np.isfinite(h_node) and np.isfinite(h_v)):
                continue
            step = weights[k] + (h_v - h_node)
            if step < 0.0:
                step = 0.0
            value = key + step
            if value <= limit and value < dist[v]:
                dist[v] = value
                pred[v] = node
                i = place[v]
                if i < 0:
                    i = count
                    count += 1
                while i > 0:  # sift up
                    parent = (i - 1) >> 1
                    above = heap[parent]
                    if dist[above] <= value:
                        break
                    heap[i] = above
                    place[above] = i
                    i = parent
                heap[i] = v
                place[v] = i
    for v in range(n):  # tentative costs are not answers
        if place[v] != -2:
            dist[v] = np.inf
            pred[v] = NO_PRED
    return dist, pred


def guided_path(
    g: MaskedGraph, origins: Ends, destinations: Ends, h: np.ndarray
) -> np.ndarray | None:
    """Edge ids of the cheapest path on ``g`` from one of ``origins`` to the nearest of
    ``destinations`` (None when there is none): ``search.shortest_path`` without a tree from the
    origins, by ``reduced_search`` at ``g``'s weights. ``h``: costs to ``destinations`` on a
    graph that holds every edge of ``g`` (never above ``g``'s own), so the search scans little
    more than the nodes on the path."""
    if set(origins) & set(destinations):
        return np.empty(0, dtype=np.int64)
    if cut_off(g, origins, destinations):
        return None
    starts = np.asarray(origins, dtype=np.int64)
    start = h[starts]
    if not np.isfinite(start).any():
        return None
    offset = float(start[np.isfinite(start)].min())
    targets = np.asarray(destinations, dtype=np.int64)
    is_target = np.zeros(len(h), dtype=bool)
    is_target[targets] = True
    dist, pred = reduced_search(
        g.forward.indptr, g.forward.indices, g.forward.data, h, starts, offset, is_target, np.inf
    )
    best = int(targets[np.argmin(dist[targets])])
    if not np.isfinite(dist[best]):
        return None
    return np.asarray(tree_path(g, pred, best, back=True), dtype=np.int64)
