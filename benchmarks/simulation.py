"""Fast engine vs the SimPy reference, one replication and a 1,000-replication sweep (issue 17).

1. One 365-day replication of each bundled 2023 corridor (the default one built from the
   network, routing and flows layers, ``--demand network``, and the sourced train counts,
   ``--demand trains``): both engines on the same draws must write the same number of events
   (checked), so the ratio compares equal work.
2. The sweep: 1,000 replications of 365 days of the default corridor on 2 worker processes, as
   ``landbridge simulate -n 1000 --workers 2`` runs them (target <= 60 s), against the SimPy
   reference on the same path (``engine="simpy"``, 2 workers) over a few replications, per
   replication. Then the same sweep on a Dask ``LocalCluster`` of 2 worker processes (when
   ``distributed`` is installed): its report must be byte-identical to the local one (checked).

The machine's load average is printed beside the times: on a shared machine the wall time of
the sweep depends on it; the ratio is measured in the same run.

Prints ``BENCH case=<name> ours_s=<float> baseline=<name> baseline_s=<float> ratio=<float>``.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import sys
import time

import numpy as np

from landbridge.sim import engine, reference
from landbridge.sim.corridor2023 import (
    DEMAND_NETWORK,
    DEMAND_TRAINS,
    build_corridor_2023,
    system_name,
)
from landbridge.sim.draws import draw
from landbridge.sim.run import run_simulation

DAYS = 365
SEED = 2023
SWEEP_REPLICATIONS = 1000
SWEEP_WORKERS = 2
BASELINE_REPLICATIONS = 4
TARGET_RATIO = 10.0
TARGET_SWEEP_S = 60.0
REPEATS = 5


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) {five:.1f} (5 min) on {os.cpu_count()} cores"


def cpu_s() -> float:
    """CPU seconds of this process and of its reaped children (the pool's workers)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_replication(demand: str) -> list[str]:
    """BENCH line of one replication, both engines on the same draws; the targets missed."""
    system = build_corridor_2023(demand)
    name = system_name(demand).replace("/", "-")
    draws = draw(system, DAYS, np.random.SeedSequence(SEED))
    engine.simulate(system, draws)  # compile (or load the numba cache) outside the timing
    ours_s, fast_log = best_of(lambda: engine.simulate(system, draws))
    baseline_s, ref_log = best_of(lambda: reference.simulate(system, draws), repeats=1)
    if len(fast_log) != len(ref_log):
        print(f"event counts differ: fast {len(fast_log)}, simpy {len(ref_log)}", file=sys.stderr)
        return [f"{name}: equal event counts"]
    n = len(fast_log)
    ratio = baseline_s / ours_s
    print(
        f"BENCH case=sim-{name}-{DAYS}d ours_s={ours_s:.4f} baseline=simpy "
        f"baseline_s={baseline_s:.4f} ratio={ratio:.1f} events={n} "
        f"ours_events_per_s={n / ours_s:.0f} baseline_events_per_s={n / baseline_s:.0f}"
    )
    return [] if ratio >= TARGET_RATIO else [f"{name}: engine ratio"]


def sweep() -> list[str]:
    """The 1,000-replication sweep on 2 workers, locally and on Dask; the targets missed."""
    system = build_corridor_2023(DEMAND_NETWORK)
    name = system_name(DEMAND_NETWORK).replace("/", "-")
    print(f"sweep: before, {load()}")
    t0 = time.perf_counter()
    simpy = run_simulation(
        system, DAYS, BASELINE_REPLICATIONS, SEED, workers=SWEEP_WORKERS, engine="simpy"
    )
    baseline_s = (time.perf_counter() - t0) / BASELINE_REPLICATIONS * SWEEP_REPLICATIONS
    t0, cpu0 = time.perf_counter(), cpu_s()
    local = run_simulation(system, DAYS, SWEEP_REPLICATIONS, SEED, workers=SWEEP_WORKERS)
    ours_s, ours_cpu_s = time.perf_counter() - t0, cpu_s() - cpu0
    per_replication = local.n_events / SWEEP_REPLICATIONS
    print(
        f"BENCH case=sim-{name}-sweep-{SWEEP_REPLICATIONS}x{DAYS}d-{SWEEP_WORKERS}w "
        f"ours_s={ours_s:.1f} baseline=simpy-{BASELINE_REPLICATIONS}-replications-scaled "
        f"baseline_s={baseline_s:.1f} ratio={baseline_s / ours_s:.1f} "
        f"events_per_replication={per_replication:.0f} "
        f"simpy_events_per_replication={simpy.n_events / BASELINE_REPLICATIONS:.0f}"
    )
    print(
        f"{SWEEP_REPLICATIONS} replications on {SWEEP_WORKERS} workers: {ours_s:.1f} s "
        f"(target <= {TARGET_SWEEP_S:.0f}), {ours_cpu_s:.1f} CPU s (workers and this process: "
        f"{ours_cpu_s / SWEEP_WORKERS:.1f} s on {SWEEP_WORKERS} idle cores); after, {load()}"
    )
    missed = [] if ours_s <= TARGET_SWEEP_S else ["sweep wall time"]
    if importlib.util.find_spec("distributed") is None:
        print("dask: 'distributed' is not installed; the Dask sweep is skipped")
        return missed
    t0 = time.perf_counter()
    on_dask = run_simulation(
        system, DAYS, SWEEP_REPLICATIONS, SEED, workers=SWEEP_WORKERS, dask="local"
    )
    dask_s = time.perf_counter() - t0
    same = on_dask.report().model_dump_json() == local.report().model_dump_json()
    same_daily = on_dask.daily.equals(local.daily)
    print(
        f"BENCH case=sim-{name}-sweep-dask-localcluster-{SWEEP_WORKERS}w ours_s={dask_s:.1f} "
        f"baseline=process-pool baseline_s={ours_s:.1f} ratio={ours_s / dask_s:.2f} "
        f"identical_report={same} identical_daily={same_daily}; after, {load()}"
    )
    return missed + ([] if same and same_daily else ["dask results identical"])


def main() -> int:
    missed = [m for demand in (DEMAND_NETWORK, DEMAND_TRAINS) for m in one_replication(demand)]
    missed += sweep()
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
