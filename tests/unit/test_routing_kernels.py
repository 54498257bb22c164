"""The compiled searches of a warm planner (``routing.kernels``) find what scipy's Dijkstra and
the Python path walk find: the same costs on random graphs, the cheapest path to the nearest
target when guided by a cost-to-go, nothing past the limit, the same edges along a tree path."""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import dijkstra

from landbridge.routing.kernels import guided_path, reduced_search, tree_path
from landbridge.routing.search import (
    NO_PRED,
    Trees,
    build_graph,
    edges_of_nodes,
    graph_base,
    shortest_path,
    walk_back,
    walk_forward,
)


class _Net:
    """The network fields ``graph_base`` reads."""

    def __init__(self, src: np.ndarray, dst: np.ndarray, n: int) -> None:
        self.edge_src, self.edge_dst, self.n_nodes = src, dst, n


def random_graph(seed: int, n: int = 300, m: int = 1200):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    order = np.argsort(src, kind="stable")  # the network's CSR order
    src, dst = src[order], dst[order]
    weight = rng.uniform(0.5, 10.0, len(src))
    base = graph_base(_Net(src, dst, n), weight)  # type: ignore[arg-type]
    return base, rng


def test_without_targets_or_guide_it_is_dijkstra() -> None:
    for seed in range(5):
        base, _ = random_graph(seed)
        g = build_graph(base, None)
        n = base.n_nodes
        want = dijkstra(g.forward, indices=[0])[0]
        dist, pred = reduced_search(
            g.forward.indptr, g.forward.indices, g.forward.data, np.zeros(n),
            np.array([0]), 0.0, np.zeros(n, dtype=bool), np.inf,
        )  # fmt: skip
        np.testing.assert_allclose(dist, want, rtol=1e-12)
        assert pred[0] == NO_PRED
        reached = np.flatnonzero(np.isfinite(dist) & (np.arange(n) != 0))
        # each predecessor is on a cheapest path: its cost plus the cheapest edge between them
        indptr, indices, data = g.forward.indptr, g.forward.indices, g.forward.data
        for v in reached:
            u = pred[v]
            row = slice(indptr[u], indptr[u + 1])
            step = data[row][indices[row] == v].min()
            assert dist[u] + step == dist[v]


def test_the_limit_leaves_farther_nodes_unsettled() -> None:
    base, _ = random_graph(7)
    g = build_graph(base, None)
    n = base.n_nodes
    full = dijkstra(g.forward, indices=[3])[0]
    limit = float(np.median(full[np.isfinite(full)]))
    dist, _ = reduced_search(
        g.forward.indptr, g.forward.indices, g.forward.data, np.zeros(n), np.array([3]), 0.0,
        np.zeros(n, dtype=bool), limit,
    )  # fmt: skip
    near = full <= limit
    np.testing.assert_allclose(dist[near], full[near], rtol=1e-12)
    assert np.isinf(dist[~near]).all()


def test_guided_by_the_cost_to_go_it_finds_the_cheapest_path_of_a_part() -> None:
    """On a masked part of the graph, guided by the costs to the targets on the whole graph
    (never above the part's own), the path costs what scipy's tree from the origins gives."""
    found = 0
    for seed in range(12):
        base, rng = random_graph(seed)
        whole = build_graph(base, None)
        part = build_graph(base, rng.random(len(base.weight)) > 0.2)
        origins = tuple(int(o) for o in rng.choice(base.n_nodes, 2, replace=False))
        targets = tuple(int(t) for t in rng.choice(base.n_nodes, 2, replace=False))
        if set(origins) & set(targets):
            continue
        h = Trees().backward(whole, targets)[0]
        want = shortest_path(part, origins, targets, Trees())
        got = guided_path(part, origins, targets, h)
        if want is None:
            assert got is None
            continue
        assert got is not None
        found += 1
        assert np.isclose(float(base.weight[got].sum()), float(base.weight[want].sum()), rtol=1e-12)
        assert int(base.edge_src[got[0]]) in origins and int(base.edge_dst[got[-1]]) in targets
        assert part.mask[got].all()
        assert (base.edge_dst[got[:-1]] == base.edge_src[got[1:]]).all()  # a connected path
    assert found >= 6


def test_unreachable_targets_give_no_path() -> None:
    src, dst = np.array([0, 1]), np.array([1, 0])
    base = graph_base(_Net(src, dst, 3), np.array([1.0, 1.0]))  # type: ignore[arg-type]
    g = build_graph(base, None)
    h = Trees().backward(g, (2,))[0]
    assert guided_path(g, (0,), (2,), h) is None


def test_tree_walks_take_the_edges_the_python_walk_takes() -> None:
    """Walked both ways on trees of a masked graph with parallel edges (some of equal weight,
    some masked where they are the cheapest): the edges of ``edges_of_nodes``."""
    base, rng = random_graph(11, n=120, m=900)
    twin = np.flatnonzero(rng.random(len(base.weight)) < 0.3)
    weight = base.weight.copy()
    weight[twin[1::2]] = weight[twin[::2]][: len(twin[1::2])]  # ties between unrelated edges
    src = np.concatenate([base.edge_src, base.edge_src[twin]])  # parallel twins of equal weight
    dst = np.concatenate([base.edge_dst, base.edge_dst[twin]])
    order = np.argsort(src, kind="stable")
    weight = np.concatenate([weight, weight[twin]])[order]
    base = graph_base(_Net(src[order], dst[order], base.n_nodes), weight)  # type: ignore[arg-type]
    g = build_graph(base, rng.random(len(weight)) > 0.15)
    trees = Trees()
    walked = 0
    for root in range(0, base.n_nodes, 7):
        _, pred = trees.forward(g, (root,))
        _, next_hop = trees.backward(g, (root,))
        for node in range(0, base.n_nodes, 5):
            if pred[node] != NO_PRED:
                want = edges_of_nodes(g, walk_back(pred, node))
                assert tree_path(g, pred, node, back=True) == want
                walked += 1
            if next_hop[node] != NO_PRED:
                want = edges_of_nodes(g, walk_forward(next_hop, node))
                assert tree_path(g, next_hop, node, back=False) == want
    assert walked > 200
    assert tree_path(g, pred, root, back=True) == []
