"""Fast engine vs the SimPy reference on one 365-day replication of the bundled 2023 corridor.

Both corridors are measured: the default one built from the network, routing and flows layers
(``--demand network``; built once before timing, from the user cache when present) and the
sourced train counts on fixed routes (``--demand trains``).

Both engines run on the same draws and must write the same number of events (checked), so
the ratio compares equal work. Also times one full replication (draw + engine + statistics)
and a 100-replication Monte Carlo run on 2 workers, against the targets of issue 5.

Prints ``BENCH case=<name> ours_s=<float> baseline=simpy baseline_s=<float> ratio=<float>``.
"""

from __future__ import annotations

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
from landbridge.sim.run import replicate, run_simulation

DAYS = 365
SEED = 2023
MC_REPLICATIONS = 100
MC_WORKERS = 2
TARGET_RATIO = 10.0
TARGET_ONE_REPLICATION_S = 0.5
TARGET_MC_S = 60.0
REPEATS = 5


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench(demand: str) -> list[str]:
    """Print the BENCH line and the targets of one corridor; return the targets missed."""
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
    one_s, _ = best_of(
        lambda: replicate(system, DAYS, "fast", False, 0, np.random.SeedSequence(SEED))
    )
    print(
        f"one replication (draw + engine + statistics): {one_s:.3f} s "
        f"(target <= {TARGET_ONE_REPLICATION_S})"
    )
    t0 = time.perf_counter()
    run_simulation(system, DAYS, MC_REPLICATIONS, SEED, workers=MC_WORKERS)
    mc_s = time.perf_counter() - t0
    print(
        f"{MC_REPLICATIONS} replications on {MC_WORKERS} workers: {mc_s:.1f} s "
        f"(target <= {TARGET_MC_S})"
    )
    return [
        f"{name}: {target}"
        for target, ok in (
            ("ratio", ratio >= TARGET_RATIO),
            ("one replication", one_s <= TARGET_ONE_REPLICATION_S),
            ("monte carlo", mc_s <= TARGET_MC_S),
        )
        if not ok
    ]


def main() -> int:
    missed = [m for demand in (DEMAND_NETWORK, DEMAND_TRAINS) for m in bench(demand)]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
