"""Route planner speed on many pairs: warm ``plan_routes`` for never-seen pairs, and a skim.

Cases (one BENCH line each, ``ratio = baseline_s / ours_s``; the baseline is one plain networkx
Dijkstra Xi'an -> Duisburg on the same graph with the same generalized-cost weights, measured
in the same run):
- ``route_unseen_pair_warm``: mean over ``PAIRS`` of the best of ``REPEATS`` warm
  ``plan_routes`` calls, the planner's memory of searches, shortest-path trees and transit
  quantiles emptied before each call (so every call searches as for a pair never asked
  before); edge costs and masked graphs of the date stay warm.
- ``skim_pairs_warm``: ``landbridge.app.skim`` of the first ``SKIM_PAIRS`` demand pairs, the
  same memories emptied first (trees shared between the pairs of one skim may be reused),
  per pair.
The load average at the start and the CPU time per call are printed alongside: on a shared,
loaded machine compare ratios, not seconds.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import warnings
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from landbridge.app.skim import demand_pairs, skim  # noqa: E402
from landbridge.costs.params import load_default_params  # noqa: E402
from landbridge.network import load_network  # noqa: E402
from landbridge.routing.plan import edge_costs, plan_routes  # noqa: E402
from landbridge.schema.route import RouteRequest  # noqa: E402

DEPART = dt.date(2026, 1, 15)
PAIRS = (
    ("Xi'an", "Duisburg"), ("Almaty", "Tashkent"), ("Chengdu", "Istanbul"),
    ("Duisburg", "Xi'an"), ("Urumqi", "Tehran"), ("Chongqing", "Warsaw"), ("Yiwu", "Milan"),
    ("Tashkent", "Baku"), ("Moscow", "Almaty"), ("Tbilisi", "Chengdu"),
)  # fmt: skip
REPEATS = 3
SKIM_PAIRS = 30
SKIM_REPEATS = 2
NX_REPEATS = 15


def bench(name: str, ours_s: float, baseline: str, baseline_s: float) -> None:
    print(f"BENCH case={name} ours_s={ours_s:.6f} baseline={baseline} baseline_s={baseline_s:.6f} "
          f"ratio={baseline_s / ours_s:.3f}")  # fmt: skip


def forget() -> None:
    """Empty the planner's memory of searches, trees and transit quantiles."""
    from landbridge.costs import time as time_model
    from landbridge.routing.prepared import prepared_networks

    for prepared in prepared_networks():
        prepared.forget_searches()
    time_model._QUANTILES.clear()


def networkx_baseline(net, params, origin: int, destination: int) -> float:
    weight = edge_costs(net, params, DEPART).weight
    graph = nx.DiGraph()
    for e in range(net.n_edges):
        u, v, w = int(net.edge_src[e]), int(net.edge_dst[e]), float(weight[e])
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(u, v, weight=w)
    best = float("inf")
    for _ in range(NX_REPEATS):
        t0 = time.perf_counter()
        path = nx.dijkstra_path(graph, origin, destination, weight="weight")
        best = min(best, time.perf_counter() - t0)
    assert path[0] == origin and path[-1] == destination
    return best


def main() -> None:
    warnings.simplefilter("ignore")
    print(f"# load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    net = load_network()
    params = load_default_params()
    requests = [RouteRequest(origin=o, destination=d, depart=DEPART) for o, d in PAIRS]
    first = plan_routes(requests[0], network=net, params=params)  # warms edge costs and graphs
    baseline_s = networkx_baseline(net, params, first.origin.node, first.destination.node)

    best: list[float] = []
    cpu0 = time.process_time()
    for request in requests:
        times = []
        for _ in range(REPEATS):
            forget()
            t0 = time.perf_counter()
            response = plan_routes(request, network=net, params=params)
            times.append(time.perf_counter() - t0)
        best.append(min(times))
        print(f"#   {min(times) * 1000:7.1f} ms  {request.origin} -> {request.destination}: "
              f"{len(response.options)} options")  # fmt: skip
    cpu_s = (time.process_time() - cpu0) / (REPEATS * len(requests))
    ours_s = sum(best) / len(best)
    bench("route_unseen_pair_warm", ours_s, "networkx_dijkstra_one_path", baseline_s)
    print(f"# mean of {len(PAIRS)} pairs, best of {REPEATS} each; CPU per call "
          f"{cpu_s * 1000:.1f} ms")  # fmt: skip

    pairs = demand_pairs()[:SKIM_PAIRS]
    skim_s, cpu0 = float("inf"), time.process_time()
    for _ in range(SKIM_REPEATS):
        forget()
        t0 = time.perf_counter()
        frame = skim(pairs, depart=DEPART, network=net, params=params)
        skim_s = min(skim_s, time.perf_counter() - t0)
    cpu_s = (time.process_time() - cpu0) / SKIM_REPEATS
    bench("skim_pairs_warm", skim_s / len(pairs), "networkx_dijkstra_one_path", baseline_s)
    print(f"# skim of {len(pairs)} pairs ({len(frame)} rows): {skim_s:.2f} s, "
          f"CPU {cpu_s:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
