"""Distinct good paths between two places: k shortest by generalized cost with an overlap limit.

Penalty method: after each path found, the weights of its edges are raised by
``PENALTY_FACTOR`` and the search is run again; a new path is kept when it shares at most
``OVERLAP_MAX`` of its length with every path kept before and costs at most ``COST_RATIO_MAX``
times the cheapest (at the true weights).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from landbridge.network.model import EdgeMode, Network
from landbridge.routing.search import (
    NO_PRED,
    Ends,
    MaskedGraph,
    Trees,
    edges_of_nodes,
    walk_back,
)

K_PATHS = 3  # distinct paths offered besides the corridor families' best ones
OVERLAP_MAX = 0.6  # share of a path's km it may have in common with one already kept
COST_RATIO_MAX = 1.25  # dearest kept path / cheapest path, generalized cost
PENALTY_FACTOR = 2.0  # weight multiplier on the edges of the paths found so far
MAX_SEARCHES = 8
# relative margin on a search's stopping cost, far above the rounding of a sum of weights
LIMIT_SLACK = 1e-9
# deepening of the penalised searches' limit (``_GuidedSearch.run``): the first limit as a share
# of the bound, and the growth from the last run's reached cost and after a miss
DEEPEN_FIRST_SHARE = 0.125
DEEPEN_GROWTH = 2.0


def _cheapest(
    g: MaskedGraph,
    dist: np.ndarray,
    pred: np.ndarray,
    origins: Ends,
    destinations: Ends,
    compiled: bool = False,
) -> np.ndarray | None:
    """The path to the nearest of ``destinations`` in a tree from ``origins`` (``compiled``:
    walked by ``routing.kernels``)."""
    targets = np.asarray(destinations)
    best = int(targets[np.argmin(dist[targets])])
    if not np.isfinite(dist[best]) or best in origins:
        return None
    if compiled:
        from landbridge.routing.kernels import tree_path

        return np.asarray(tree_path(g, pred, best, back=True), dtype=np.int64)
    return np.asarray(edges_of_nodes(g, walk_back(pred, best)), dtype=np.int64)


def overlap_share(a: np.ndarray, b: np.ndarray, length_km: np.ndarray, key: np.ndarray) -> float:
    """Share of ``a``'s km on links that ``b`` also uses (``key``: the link of each edge, the
    same for both directions and for every ocean leg of one passage)."""
    total = float(length_km[a].sum())
    if total <= 0:
        return float(len(np.intersect1d(key[a], key[b])) > 0)
    used = np.zeros(len(key) + len(length_km), dtype=bool)  # keys are below n_edges * 2
    used[key[b]] = True
    return float(length_km[a][used[key[a]]].sum()) / total


def link_keys(net: Network) -> np.ndarray:
    """Per edge, the link it belongs to for overlap: the lower id of the edge and its reverse;
    ocean legs by passage and European port range (the WCI lane of their European port: the
    North Range ports share one ocean crossing, the Mediterranean ports another)."""
    key = np.minimum(np.arange(net.n_edges), net.edge_reverse).astype(np.int64)
    ocean = np.flatnonzero(net.edge_mode == EdgeMode.OCEAN)
    fac = net.facilities
    if len(ocean) and {"via", "to_port", "from_port", "port_id", "wci_lane"} <= set(fac.columns):
        lane = dict(zip(fac["port_id"].tolist(), fac["wci_lane"].tolist(), strict=True))
        rows = net.edge_facility[ocean]
        ranges = [
            f"{via}|{lane.get(a, '') or lane.get(b, '')}"
            for via, a, b in zip(fac["via"][rows], fac["to_port"][rows], fac["from_port"][rows],
                                 strict=True)
        ]  # fmt: skip
        _, group = np.unique(ranges, return_inverse=True)
        key[ocean] = net.n_edges + group.ravel()
    return key


class _GuidedSearch:
    """Cheapest path at raised weights, searched on reduced weights: each weight plus the
    drop in cost-to-go ``h`` (the true-weight tree towards the destinations), never less
    than the true one, so the reduced weights are not negative and a path's reduced cost is
    its cost plus a constant. A virtual source (node ``n``) starts each origin at its own
    ``h``. Stopped at a known path's cost (or sooner, ``run``), the search only scans nodes on
    paths as cheap as that: the same shortest path as a full search, in a small part of the
    network."""

    def __init__(self, g: MaskedGraph, h: np.ndarray, origins: Ends) -> None:
        n = g.forward.shape[0]
        src, dst = g.forward_ends
        h_src, h_dst = h[src], h[dst]
        reach = np.isfinite(h_src) & np.isfinite(h_dst)
        self.shift = np.where(reach, h_dst - np.where(reach, h_src, 0.0), np.inf)
        start = h[list(origins)]
        self.offset = float(start[np.isfinite(start)].min()) if np.isfinite(start).any() else 0.0
        self.nnz = len(dst)
        self.n = n
        self.reached: float | None = None  # reduced cost of the last run's nearest target
        indices = g.forward.indices
        self.matrix = csr_matrix(
            (
                np.concatenate([g.forward.data, start - self.offset]),
                np.concatenate([indices, np.asarray(origins, dtype=indices.dtype)]),
                np.append(g.forward.indptr, self.nnz + len(origins)),
            ),
            shape=(n + 1, n + 1),
        )

    def run(
        self, weights: np.ndarray, bound: float, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Costs (reduced, offset) and predecessors from the origins, searched up to the cost
        of the nearest of ``targets``, at most ``bound`` (a true cost at ``weights``).

        Deepening: first up to ``DEEPEN_GROWTH`` times the reduced cost the previous run
        reached its target at (``DEEPEN_FIRST_SHARE`` of the bound the first time), then
        ``DEEPEN_GROWTH`` times more until a target is reached or the bound is. Every node
        within a limit is settled at its final cost, so a target reached answers as the
        search up to the bound would."""
        data = self.matrix.data[: self.nnz]
        np.add(weights, self.shift, out=data)
        np.maximum(data, 0.0, out=data)
        most = bound - self.offset + abs(bound) * LIMIT_SLACK
        floor = most * DEEPEN_FIRST_SHARE
        limit = floor if self.reached is None else max(self.reached * DEEPEN_GROWTH, floor)
        while True:
            limit = min(limit, most)
            dists, preds = dijkstra(
                self.matrix, indices=[self.n], return_predecessors=True, limit=limit
            )
            dist, pred = dists[0], preds[0]
            near = dist[targets].min()
            if np.isfinite(near) or limit >= most:
                break
            limit *= DEEPEN_GROWTH
        if np.isfinite(near):
            self.reached = float(near)
        pred[pred == self.n] = NO_PRED
        return dist, pred


class _CompiledGuidedSearch:
    """``_GuidedSearch`` by the compiled search of ``routing.kernels``: the same reduced weights
    and virtual source, no matrix to build, stopped at the nearest target (no deepening)."""

    def __init__(self, g: MaskedGraph, h: np.ndarray, origins: Ends) -> None:
        from landbridge.routing.kernels import reduced_search

        self.search = reduced_search
        self.indptr, self.indices = g.forward.indptr, g.forward.indices
        self.h = h
        self.origins = np.asarray(origins, dtype=np.int64)
        start = h[self.origins]
        self.offset = float(start[np.isfinite(start)].min()) if np.isfinite(start).any() else 0.0
        self.is_target = np.zeros(len(h), dtype=bool)

    def run(
        self, weights: np.ndarray, bound: float, targets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """As ``_GuidedSearch.run``: costs (reduced, offset) and predecessors of the nodes
        settled up to the nearest of ``targets``, at most ``bound``."""
        self.is_target[:] = False
        self.is_target[targets] = True
        most = bound - self.offset + abs(bound) * LIMIT_SLACK
        return self.search(
            self.indptr, self.indices, weights, self.h, self.origins, self.offset,
            self.is_target, most,
        )  # fmt: skip


def k_shortest(
    g: MaskedGraph,
    origins: Ends,
    destinations: Ends,
    key: np.ndarray,
    trees: Trees,
    net: Network,
    known: Sequence[np.ndarray] = (),
    k: int = K_PATHS,
    compiled: bool = False,
) -> list[np.ndarray]:
    """Up to ``k`` distinct paths, cheapest first (see the module docstring); ``key`` is
    ``link_keys(net)``. The first search is the shared tree from ``origins``; the penalised
    ones are ``_GuidedSearch`` runs stopped at the cost, at the raised weights, of the cheapest
    path known between the two places (found so far, or in ``known``: other paths between
    them, e.g. the corridor variants'): the path searched for costs no more. ``compiled`` (a
    warm planner): every search by ``_CompiledGuidedSearch``, the first one at the true weights
    instead of a tree from ``origins`` (the same paths)."""
    reverse = net.edge_reverse
    weights = g.forward.data.copy()
    entry_of_edge = g.entry_of_edge
    kept: list[np.ndarray] = []
    # forward entries of every path known in this graph
    found = [e for e in (entry_of_edge[p] for p in known if len(p)) if (e >= 0).all()]
    best_cost = np.inf
    guided: _GuidedSearch | _CompiledGuidedSearch | None = None
    targets = np.asarray(destinations)
    if compiled:  # the first path too, with no tree from the origins
        guided = _CompiledGuidedSearch(g, trees.backward(g, destinations)[0], origins)
        dist, pred = guided.run(weights, np.inf, targets)
    else:
        dist, pred = trees.forward(g, origins)
    for search in range(MAX_SEARCHES):
        if search:
            if guided is None:
                guided = _GuidedSearch(g, trees.backward(g, destinations)[0], origins)
            bound = min(float(weights[entries].sum()) for entries in found)
            dist, pred = guided.run(weights, bound, targets)
        path = _cheapest(g, dist, pred, origins, destinations, compiled)
        if path is None:
            break
        cost = float(g.weight[path].sum())
        best_cost = min(best_cost, cost)
        if cost > COST_RATIO_MAX * best_cost:
            break
        if all(overlap_share(path, p, net.edge_length_km, key) <= OVERLAP_MAX for p in kept):
            kept.append(path)
            if len(kept) >= k:
                break
        found.append(entry_of_edge[path])
        entries = entry_of_edge[np.concatenate([path, reverse[path]])]
        weights[entries[entries >= 0]] *= PENALTY_FACTOR
    return kept
