"""Network load speed: the cached ``load_network()`` against building a networkx graph from the
same arrays (what glue code without the cache would do), with the answers checked.

- ``load``: ``read_network`` of the cache file (arrays + facilities + validation) vs
  ``networkx.DiGraph`` built from the edge arrays with length attributes.
- ``shortest_path``: one single-source Dijkstra on the CSR arrays (scipy) vs networkx's
  ``single_source_dijkstra_path_length`` on that graph; both distances must agree.

Prints ``BENCH case=<name> ours_s=... baseline=<name> baseline_s=... ratio=...``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scipy.sparse.csgraph import dijkstra  # noqa: E402

from landbridge.network import load_network  # noqa: E402
from landbridge.network.cache import cache_path, read_network  # noqa: E402
from landbridge.network.check import open_edges, rail_graph  # noqa: E402

REPEATS = 3


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def to_networkx(net) -> nx.DiGraph:
    ok = open_edges(net)
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    w = np.maximum(net.edge_length_km, 1e-6)
    # parallel edges: add the longest first so the shortest is the one the DiGraph keeps
    idx = np.flatnonzero(ok)
    idx = idx[np.argsort(-w[idx], kind="stable")]
    g.add_weighted_edges_from(
        zip(net.edge_src[idx].tolist(), net.edge_dst[idx].tolist(), w[idx].tolist(), strict=True),
        weight="km",
    )
    return g


def report(case: str, ours: float, baseline: str, base: float) -> None:
    print(
        f"BENCH case={case} ours_s={ours:.6f} baseline={baseline} "
        f"baseline_s={base:.6f} ratio={base / ours:.2f}"
    )


def main() -> None:
    net = load_network()  # builds the cache if needed (not timed)
    path = cache_path()
    ours, loaded = best_of(lambda: read_network(path))
    base, graph = best_of(lambda: to_networkx(net))
    ok = open_edges(net)
    assert loaded.n_edges == net.n_edges
    assert graph.number_of_edges() == len(
        set(zip(net.edge_src[ok].tolist(), net.edge_dst[ok].tolist(), strict=True))
    )
    report("load", ours, "networkx_digraph_from_arrays", base)

    source = int(np.argmax(np.diff(net.indptr)))
    csr = rail_graph(net)
    ours, dist = best_of(lambda: dijkstra(csr, indices=source))
    base, nx_dist = best_of(
        lambda: nx.single_source_dijkstra_path_length(graph, source, weight="km")
    )
    reach = np.flatnonzero(np.isfinite(dist))
    assert len(reach) == len(nx_dist)
    got = np.array([nx_dist[int(i)] for i in reach])
    assert np.allclose(got, dist[reach], rtol=1e-9, atol=1e-6)
    report("shortest_path", ours, "networkx_single_source_dijkstra", base)


if __name__ == "__main__":
    main()
