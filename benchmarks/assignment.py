"""Our bi-conjugate Frank-Wolfe against AequilibraE's on Sioux Falls, to the same relative gap.

Prints one ``BENCH`` line per case plus the gap, the Beckmann objective (both recomputed with our
volume-delay code from each solver's link flows) and the iteration counts. Times exclude set-up
(graph and matrix building) and include one warm-up run of each solver, so numba compilation and
AequilibraE's first-call costs are not counted. Chicago Sketch is not shipped by any installed
package, so only Sioux Falls runs here.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
sys.path.insert(0, str(ROOT / "src"))

import sioux_falls  # noqa: E402

from landbridge.flows.assignment import assign  # noqa: E402

GAPS = (1e-4, 1e-5)
MAX_ITERATIONS = 5000
CORES = 2


def _aequilibrae_setup():
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph

    net = pd.read_csv(sioux_falls.DATA / "sioux_falls_net.csv")
    net = net.assign(direction=1, free_flow_time=net.free_flow_time.astype(float))
    graph = Graph()
    graph.network = net
    graph.prepare_graph(np.arange(1, sioux_falls.N_NODES + 1))
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    graph.set_blocked_centroid_flows(False)
    trips = pd.read_csv(sioux_falls.DATA / "sioux_falls_trips.csv")
    mat = AequilibraeMatrix()
    mat.create_empty(zones=sioux_falls.N_NODES, matrix_names=["demand"], memory_only=True)
    mat.index[:] = np.arange(1, sioux_falls.N_NODES + 1)
    mat.matrices[:, :, 0] = 0.0
    mat.matrices[trips.origin.to_numpy() - 1, trips.destination.to_numpy() - 1, 0] = trips.trips
    mat.computational_view(["demand"])
    return graph, mat, net


def _aequilibrae_run(graph, mat, gap: float):
    from aequilibrae.paths import TrafficAssignment, TrafficClass

    cls = TrafficClass("car", graph, mat)
    ta = TrafficAssignment()
    ta.add_class(cls)
    ta.set_vdf("BPR")
    ta.set_vdf_parameters({"alpha": "b", "beta": "power"})
    ta.set_capacity_field("capacity")
    ta.set_time_field("free_flow_time")
    ta.set_cores(CORES)
    ta.set_algorithm("bfw")
    ta.max_iter = MAX_ITERATIONS
    ta.rgap_target = gap
    with contextlib.redirect_stderr(io.StringIO()):  # AequilibraE's progress bars
        t0 = time.perf_counter()
        ta.execute()
        elapsed = time.perf_counter() - t0
    res = cls.results.get_load_results()
    flows = res["demand_ab"].reindex(graph.network.link_id).to_numpy(float)
    return elapsed, flows, int(ta.assignment.iter)


def _our_gap_and_objective(graph, vdf, demand, flows: np.ndarray) -> tuple[float, float]:
    cost = vdf.cost(flows)
    aon, _ = graph.all_or_nothing(cost, demand.origins, demand.node_demand)
    gap = float((flows @ cost - aon @ cost) / (flows @ cost))
    return gap, float(vdf.integral(flows).sum())


def main() -> None:
    graph, vdf, demand = sioux_falls.load()
    a_graph, a_mat, _ = _aequilibrae_setup()
    assign(graph, vdf, [demand], "bfw", target_gap=1e-3)  # compile
    _aequilibrae_run(a_graph, a_mat, 1e-3)
    for gap in GAPS:
        t0 = time.perf_counter()
        ours = assign(graph, vdf, [demand], "bfw", max_iterations=MAX_ITERATIONS, target_gap=gap)
        ours_s = time.perf_counter() - t0
        base_s, base_flow, base_iter = _aequilibrae_run(a_graph, a_mat, gap)
        base_gap, base_obj = _our_gap_and_objective(graph, vdf, demand, base_flow)
        case = f"sioux_falls_bfw_gap{gap:.0e}"
        print(
            f"BENCH case={case} ours_s={ours_s:.4f} baseline=aequilibrae "
            f"baseline_s={base_s:.4f} ratio={base_s / ours_s:.2f}"
        )
        print(
            f"  ours: iterations={ours.iterations} gap={ours.relative_gap:.3e} "
            f"objective={ours.objective:.6f}"
        )
        print(f"  aequilibrae: iterations={base_iter} gap={base_gap:.3e} objective={base_obj:.6f}")
        print(f"  best-known objective={sioux_falls.BEST_KNOWN_OBJECTIVE:.6f}")


if __name__ == "__main__":
    main()
