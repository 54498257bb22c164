"""Sea layer: routing every sea link on the searoute lane graph, ours against networkx.

Ours: ``build_sea_layer()``'s routing step, one multi-source scipy Dijkstra per route variant
(Suez, Cape, regional). Baseline: networkx single-pair Dijkstra per link on the same graph with
the same excluded passages. Both run on the same augmented lane graph (ports snapped); the
lengths must agree. A second line times the whole cold ``build_sea_layer()`` (reading the
tables and GeoJSON, snapping, routing, building the tables) against the same networkx routing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import networkx as nx  # noqa: E402

import landbridge.network.build.sea_layer as sea_layer  # noqa: E402
import landbridge.network.sea as sea  # noqa: E402
from landbridge.network.build.marnet import SeaGraph, attach_points, load_marnet, shortest_paths  # noqa: E402

REPEATS = 3


def _setup() -> tuple[SeaGraph, dict[str, int], list[tuple[str, str, tuple[str, ...]]]]:
    ports = sea.load_ports_table()
    join = np.array(
        [
            sea_layer._approach(a)[-1] if isinstance(a, str) and a.strip() else (lon, lat)
            for a, lon, lat in zip(
                ports["approach_lonlat"], ports["lon"], ports["lat"], strict=True
            )
        ]
    )
    graph, nodes = attach_points(sea_layer._name_corinth(load_marnet()), join)
    node_of = dict(zip(ports["port_id"], nodes.tolist(), strict=True))
    table = sea.read_sea_table(sea.LINKS_CSV, ("link_id",)).fillna({"via": ""})
    links = sea_layer._expand_links(table, ports)
    jobs = []
    for a, b, via in zip(links["from_port"], links["to_port"], links["via"], strict=True):
        excluded = sea_layer.EXCLUDED_PASSAGES + (
            sea_layer.CAPE_EXCLUDED_PASSAGES if via == sea_layer.VIA_CAPE else ()
        )
        jobs.append((a, b, excluded))
    return graph, node_of, jobs


def _ours(graph: SeaGraph, node_of: dict[str, int], jobs) -> np.ndarray:
    out = np.zeros(len(jobs))
    for excluded in sorted({j[2] for j in jobs}):
        idx = [i for i, j in enumerate(jobs) if j[2] == excluded]
        paths = shortest_paths(graph, np.array([node_of[jobs[i][0]] for i in idx]), excluded)
        for i in idx:
            row = int(np.flatnonzero(paths.sources == node_of[jobs[i][0]])[0])
            out[i] = paths.dist_km[row, node_of[jobs[i][1]]]
    return out


def _networkx(graph: SeaGraph, node_of: dict[str, int], jobs) -> np.ndarray:
    out = np.zeros(len(jobs))
    cache: dict[tuple[str, ...], nx.Graph] = {}
    for i, (a, b, excluded) in enumerate(jobs):
        if excluded not in cache:
            g = nx.Graph()
            keep = ~np.isin(graph.edge_passage, list(excluded))
            g.add_weighted_edges_from(
                zip(
                    graph.edge_u[keep].tolist(),
                    graph.edge_v[keep].tolist(),
                    graph.edge_km[keep].tolist(),
                    strict=True,
                )
            )
            cache[excluded] = g
        out[i] = nx.dijkstra_path_length(cache[excluded], node_of[a], node_of[b])
    return out


def _best(fn, *args, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    graph, node_of, jobs = _setup()
    ours_s, ours = _best(_ours, graph, node_of, jobs)
    base_s, base = _best(_networkx, graph, node_of, jobs, repeats=1)  # about 10 s per run
    np.testing.assert_allclose(ours, base, rtol=1e-9)
    print(
        f"BENCH case=sea_links_{len(jobs)} ours_s={ours_s:.4f} baseline=networkx_dijkstra "
        f"baseline_s={base_s:.4f} ratio={base_s / ours_s:.2f}"
    )
    load_marnet.cache_clear()
    sea._searoute_ports.cache_clear()
    t0 = time.perf_counter()
    layer = sea_layer.build_sea_layer()
    build_s = time.perf_counter() - t0
    assert len(layer.links) == len(jobs)
    print(
        f"BENCH case=sea_layer_cold_build ours_s={build_s:.4f} "
        f"baseline=networkx_dijkstra_routing_only baseline_s={base_s:.4f} "
        f"ratio={base_s / build_s:.2f}"
    )


if __name__ == "__main__":
    main()
