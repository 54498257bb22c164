"""Route planner speed on many pairs: warm ``plan_routes`` for never-seen pairs, and a skim.

Cases (one BENCH line each, ``ratio = baseline_s / ours_s``; the baseline is one plain networkx
Dijkstra Xi'an -> Duisburg on the same graph with the same generalized-cost weights, measured
in the same run):
- ``route_unseen_pair_warm``: mean over ``PAIRS`` of the best of ``REPEATS`` warm
  ``plan_routes`` calls, the planner's memory of searches, shortest-path trees, path walks and
  transit quantiles emptied before each call (so every call searches as for a pair never asked
  before); edge costs, masked graphs, the corridor variants' gateway trees of the date and the
  compiled searches stay warm (they belong to the prepared network and the process: two calls
  before the timing load them).
- ``route_unseen_pair_plain_search``: the same calls with the search as it was before the
  gateway trees, the deepening penalty rounds and the compiled searches (every corridor variant
  searched on its own masked graph from the pair's ends, each penalty round scanned by scipy up
  to its bound); the line after it gives plain / ours.
- ``route_repeat_warm``: Xi'an -> Duisburg asked again (searches and transit quantiles
  remembered: the pricing of the options and the answer's assembly run).
- ``skim_pairs_warm``: ``landbridge.app.skim`` of every demand pair in one process (the issue's
  target: the standard pairs x all families in 2 s), the same memories emptied first (trees
  shared between the pairs of one skim may be reused), per pair;
  ``skim_pairs_warm_2_workers``: the same in two worker processes (forked after the first
  pair).
The load average at the start and the CPU time per call are printed alongside: on a shared,
loaded machine compare ratios, not seconds.

Issue 17, before -> after the compiled searches of a warm planner (``routing.kernels``; main
9a1be4d on the idle machine -> this branch at load 1.4-8): never-seen pair CPU per call 31.8 ->
23.0 ms (wall ratio 0.67 -> 1.08 at load 1.4); plain / ours 1.57 -> 2.0-2.9; skim of the 261
demand pairs in one process CPU 4.60 -> 3.4-3.8 s, in two workers 3.06 -> 2.25 s wall (load 1.4;
target 2 s). Table and what is left: docs/validation.md, "Planner speed-ups give the same
answers".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import resource
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
from landbridge.routing import alternatives, options  # noqa: E402
from landbridge.routing.plan import edge_costs, plan_routes  # noqa: E402
from landbridge.routing.search import path_via_edges  # noqa: E402
from landbridge.schema.route import RouteRequest  # noqa: E402

DEPART = dt.date(2026, 1, 15)
PAIRS = (
    ("Xi'an", "Duisburg"), ("Almaty", "Tashkent"), ("Chengdu", "Istanbul"),
    ("Duisburg", "Xi'an"), ("Urumqi", "Tehran"), ("Chongqing", "Warsaw"), ("Yiwu", "Milan"),
    ("Tashkent", "Baku"), ("Moscow", "Almaty"), ("Tbilisi", "Chengdu"),
)  # fmt: skip
REPEATS = 3
SKIM_PAIRS: int | None = None  # every demand pair
SKIM_REPEATS = 2
SKIM_WORKERS = 2  # the cores of the reference machine
TARGET_SKIM_S = 2.0  # issue 17: the standard pairs x all families, warm
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


@contextlib.contextmanager
def plain_search():
    """The search before the gateway trees, the deepening penalty rounds and the compiled
    searches of a warm planner."""
    saved = (options._via_pin, options.cheapest_within, options._warm,
             alternatives.DEEPEN_FIRST_SHARE)  # fmt: skip
    options._via_pin = lambda prep, g, whole, o, d, pin: path_via_edges(g, o, d, pin, prep.trees)
    options.cheapest_within = lambda sub, whole, search: search(sub)
    options._warm = lambda prep: False
    alternatives.DEEPEN_FIRST_SHARE = 1.0
    try:
        yield
    finally:
        (options._via_pin, options.cheapest_within, options._warm,
         alternatives.DEEPEN_FIRST_SHARE) = saved  # fmt: skip


def unseen_pairs(net, params, requests, verbose: bool) -> tuple[float, float]:
    """Mean over the pairs of the best of ``REPEATS`` calls, each as for a never-seen pair;
    and the CPU seconds per call."""
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
        if verbose:
            print(f"#   {min(times) * 1000:7.1f} ms  {request.origin} -> {request.destination}: "
                  f"{len(response.options)} options")  # fmt: skip
    cpu_s = (time.process_time() - cpu0) / (REPEATS * len(requests))
    return sum(best) / len(best), cpu_s


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
    forget()
    plan_routes(requests[0], network=net, params=params)  # loads the compiled searches
    baseline_s = networkx_baseline(net, params, first.origin.node, first.destination.node)

    ours_s, cpu_s = unseen_pairs(net, params, requests, verbose=True)
    bench("route_unseen_pair_warm", ours_s, "networkx_dijkstra_one_path", baseline_s)
    print(f"# mean of {len(PAIRS)} pairs, best of {REPEATS} each; CPU per call "
          f"{cpu_s * 1000:.1f} ms")  # fmt: skip
    with plain_search():
        plain_s, plain_cpu_s = unseen_pairs(net, params, requests, verbose=False)
    bench("route_unseen_pair_plain_search", plain_s, "networkx_dijkstra_one_path", baseline_s)
    print(f"# plain search / ours: {plain_s / ours_s:.2f} (CPU per call {plain_cpu_s * 1000:.1f} "
          f"ms)")  # fmt: skip
    forget()
    plan_routes(requests[0], network=net, params=params)
    repeat_s = float("inf")
    for _ in range(NX_REPEATS):
        t0 = time.perf_counter()
        plan_routes(requests[0], network=net, params=params)
        repeat_s = min(repeat_s, time.perf_counter() - t0)
    bench("route_repeat_warm", repeat_s, "networkx_dijkstra_one_path", baseline_s)

    pairs = demand_pairs()[:SKIM_PAIRS]
    for workers in (1, SKIM_WORKERS):
        skim_s, cpu0 = float("inf"), cpu_with_children()
        for _ in range(SKIM_REPEATS):
            forget()
            t0 = time.perf_counter()
            frame = skim(pairs, depart=DEPART, network=net, params=params, workers=workers)
            skim_s = min(skim_s, time.perf_counter() - t0)
        cpu_s = (cpu_with_children() - cpu0) / SKIM_REPEATS
        name = "skim_pairs_warm" if workers == 1 else f"skim_pairs_warm_{workers}_workers"
        bench(name, skim_s / len(pairs), "networkx_dijkstra_one_path", baseline_s)
        print(f"# skim of {len(pairs)} pairs ({len(frame)} rows) in "
              f"{'one process' if workers == 1 else f'{workers} worker processes'}: "
              f"{skim_s:.2f} s (target {TARGET_SKIM_S:g} s: "
              f"{'met' if skim_s <= TARGET_SKIM_S else 'MISSED'}), CPU {cpu_s:.2f} s "
              "(workers included)")  # fmt: skip


def cpu_with_children() -> float:
    """CPU seconds (user+sys) of this process and its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
