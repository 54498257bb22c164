"""Distinct good paths between two places: k shortest by generalized cost with an overlap limit.

Penalty method: after each path found, the weights of its edges are raised by
``PENALTY_FACTOR`` and the search is run again; a new path is kept when it shares at most
``OVERLAP_MAX`` of its length with every path kept before and costs at most ``COST_RATIO_MAX``
times the cheapest (at the true weights).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import dijkstra

from landbridge.network.model import EdgeMode, Network
from landbridge.routing.search import Ends, MaskedGraph, Trees, _edges_of_nodes, _walk_back

K_PATHS = 3  # distinct paths offered besides the corridor families' best ones
OVERLAP_MAX = 0.6  # share of a path's km it may have in common with one already kept
COST_RATIO_MAX = 1.25  # dearest kept path / cheapest path, generalized cost
PENALTY_FACTOR = 2.0  # weight multiplier on the edges of the paths found so far
MAX_SEARCHES = 8
# relative margin on a search's stopping cost, far above the rounding of a sum of weights
LIMIT_SLACK = 1e-9


def _cheapest(
    g: MaskedGraph, dist: np.ndarray, pred: np.ndarray, origins: Ends, destinations: Ends
) -> np.ndarray | None:
    """The path to the nearest of ``destinations`` in a tree from ``origins``."""
    targets = np.asarray(destinations)
    best = int(targets[np.argmin(dist[targets])])
    if not np.isfinite(dist[best]) or best in origins:
        return None
    return np.asarray(_edges_of_nodes(g, _walk_back(pred, best)), dtype=np.int64)


def overlap_share(a: np.ndarray, b: np.ndarray, length_km: np.ndarray, key: np.ndarray) -> float:
    """Share of ``a``'s km on links that ``b`` also uses (``key``: the link of each edge, the
    same for both directions and for every ocean leg of one passage)."""
    total = float(length_km[a].sum())
    if total <= 0:
        return float(len(np.intersect1d(key[a], key[b])) > 0)
    both = np.isin(key[a], key[b])
    return float(length_km[a][both].sum()) / total


def link_keys(net: Network) -> np.ndarray:
    """Per edge, the link it belongs to for overlap: the lower id of the edge and its reverse;
    ocean legs by passage and European port range (the WCI lane of their European port: the
    North Range ports share one ocean crossing, the Mediterranean ports another)."""
    key = np.minimum(np.arange(net.n_edges), net.edge_reverse).astype(np.int64)
    ocean = np.flatnonzero(net.edge_mode == EdgeMode.OCEAN)
    fac = net.facilities
    if len(ocean) and {"via", "to_port", "from_port", "port_id", "wci_lane"} <= set(fac.columns):
        lane = dict(zip(fac["port_id"].astype(str), fac["wci_lane"].astype(str), strict=True))
        rows = fac.iloc[net.edge_facility[ocean]]
        ranges = [
            f"{via}|{lane.get(a, '') or lane.get(b, '')}"
            for via, a, b in zip(rows["via"], rows["to_port"], rows["from_port"], strict=True)
        ]
        _, group = np.unique(ranges, return_inverse=True)
        key[ocean] = net.n_edges + group.ravel()
    return key


def k_shortest(
    g: MaskedGraph,
    origins: Ends,
    destinations: Ends,
    key: np.ndarray,
    trees: Trees,
    net: Network,
    k: int = K_PATHS,
) -> list[np.ndarray]:
    """Up to ``k`` distinct paths, cheapest first (see the module docstring); ``key`` is
    ``link_keys(net)``. The first search is the shared tree from ``origins``; the penalised
    ones run on one copy of the forward matrix whose weights are raised in place, each stopped
    beyond the cost of the cheapest path found so far at the raised weights (the path it
    finds costs no more, so its tree up to the destinations is the full search's)."""
    reverse = net.edge_reverse
    matrix = g.forward.copy()
    weights = matrix.data
    entry_of_edge = np.full(len(g.mask), -1, dtype=np.int64)
    entry_of_edge[g.forward_edge] = np.arange(len(g.forward_edge))
    kept: list[np.ndarray] = []
    found: list[np.ndarray] = []  # forward entries of every path found
    best_cost = np.inf
    dist, pred = trees.forward(g, origins)
    for search in range(MAX_SEARCHES):
        if search:
            bound = min(float(weights[entries].sum()) for entries in found)
            dist, pred, _ = dijkstra(
                matrix, indices=list(origins), min_only=True, return_predecessors=True,
                limit=bound * (1 + LIMIT_SLACK),
            )  # fmt: skip
        path = _cheapest(g, dist, pred, origins, destinations)
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
