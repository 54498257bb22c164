"""The array summary of a replication equals the plain per-facility reading of its log, exactly.

``plain_summary`` is the straightforward reading (one facility at a time, a search per hour)
that ``analysis.summarise`` replaced; both must give bit-identical statistics, so the faster
reading changes no report.
"""

from __future__ import annotations

import numpy as np
import pytest

from landbridge.sim import analysis, engine
from landbridge.sim.corridor2023 import build_corridor_2023
from landbridge.sim.draws import draw
from landbridge.sim.system import FacilityKind, FacilitySpec, TrainClassSpec, make_system
from landbridge.units import HOURS_PER_DAY

FERRY_SYSTEM = make_system(
    [
        FacilitySpec(id="yard", kind="gauge_change", servers=2, p50_h=3, p90_h=9, daily_quota=9),
        FacilitySpec(id="ferry", kind="ferry", capacity_feu=100, fleet=2, max_wait_h=48,
                     crossing_h=20, round_trip_h=60, closures_per_yr=12, closure_mean_h=24),
        FacilitySpec(id="port", kind="port", servers=3, service="exponential", p50_h=2),
    ],
    [
        TrainClassSpec(id="a", per_day=6, feu=50, route=["yard", "port"], legs_p50_h=[20, 5, 9],
                       legs_p90_h=[25, 6, 12]),
        TrainClassSpec(id="b", per_day=2, feu=50, route=["yard", "ferry", "port"],
                       legs_p50_h=[2, 5, 6, 1]),
    ],
    closures=[("yard", 100.0, 130.0)],
)  # fmt: skip


def _count_at(sorted_times: np.ndarray, grid: np.ndarray) -> np.ndarray:
    return np.searchsorted(sorted_times, grid, side="right")


def plain_summary(log, system, horizon_h: float, warmup_h: float) -> dict[str, np.ndarray]:
    """Utilization, queues and daily series read one facility at a time."""
    v = analysis.visits(log, system)
    n_fac = system.n_facilities
    hours = np.arange(0.0, horizon_h, 1.0)
    days = int(np.ceil(horizon_h / HOURS_PER_DAY))
    pad = days * int(HOURS_PER_DAY) - hours.shape[0]
    out = {k: np.zeros((n_fac, days)) for k in ("daily_queue", "daily_utilization")}
    out |= {"utilization": np.zeros(n_fac), "max_queue": np.zeros(n_fac, np.int64),
            "sailings": np.zeros(n_fac, np.int64)}  # fmt: skip
    bounds = np.searchsorted(v.facility, np.arange(n_fac + 1))
    for f in range(n_fac):
        sl = slice(bounds[f], bounds[f + 1])
        arrive, leave = v.arrive_h[sl], v.leave_queue_h[sl]
        waited = leave > arrive
        a_sorted, l_sorted = np.sort(arrive[waited]), np.sort(leave[waited])
        if a_sorted.size:
            times = np.concatenate([l_sorted, a_sorted])
            steps = np.concatenate([-np.ones(l_sorted.size, int), np.ones(a_sorted.size, int)])
            out["max_queue"][f] = np.cumsum(steps[np.lexsort((steps, times))]).max()
        queue = _count_at(a_sorted, hours) - _count_at(l_sorted, hours)
        if system.facility_kind[f] == FacilityKind.FERRY:
            ids, first = np.unique(v.sailing[sl], return_index=True)
            start = np.sort(v.leave_queue_h[sl][first[ids >= 0]])
            end = start + system.round_trip_h[f]
            out["sailings"][f] = start.size
            units = float(system.fleet[f])
        else:
            start, end = np.sort(v.start_h[sl]), np.sort(v.end_h[sl])
            units = float(system.servers[f])
        busy_h = np.clip(end, 0, horizon_h) - np.clip(start, 0, horizon_h)
        busy = _count_at(start, hours) - _count_at(end, hours)
        out["utilization"][f] = busy_h.sum() / (units * horizon_h)
        daily = {"daily_queue": queue.astype(float), "daily_utilization": busy / units}
        for key, series in daily.items():
            out[key][f] = np.pad(series, (0, pad), mode="edge").reshape(days, -1).mean(axis=1)
    return out


@pytest.mark.parametrize(
    ("system", "days", "warmup_h"),
    [(FERRY_SYSTEM, 200, 0.0), (FERRY_SYSTEM, 30.5, 48.0), ("trains", 365, 0.0)],
)
def test_summary_equals_the_plain_reading(system, days: float, warmup_h: float) -> None:
    system = build_corridor_2023("trains") if system == "trains" else system
    for seed in range(3):
        d = draw(system, days, np.random.SeedSequence(seed))
        log = engine.simulate(system, d)
        got = analysis.summarise(log, system, d.horizon_h, warmup_h)
        for key, expected in plain_summary(log, system, d.horizon_h, warmup_h).items():
            assert np.array_equal(getattr(got, key), expected), key
        assert got.max_queue.max() > 0 and got.sailings.sum() > 0 or system is not FERRY_SYSTEM
