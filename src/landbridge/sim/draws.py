"""All random variates of one replication, drawn up front from one seed.

Both engines consume the same ``Draws``, so on equal draws they must produce the same event
times; the random stream depends only on the system, the horizon and the seed (never on the
engine, the worker or the number of workers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from landbridge.distributions import lognormal_sigma
from landbridge.sim.system import ArrivalProcess, CorridorSystem, ServiceDist
from landbridge.units import DAYS_PER_YEAR, HOURS_PER_DAY


@dataclass(frozen=True)
class Draws:
    """Per-train variates. Train ``i`` has steps ``step_offset[i]:step_offset[i+1]`` (one per
    facility on its route) and legs ``leg_offset[i]:leg_offset[i+1]`` (one more than steps)."""

    horizon_h: float
    train_class: np.ndarray  # int32 [N], trains sorted by entry time
    entry_h: np.ndarray  # float64 [N], time the train leaves its origin
    step_offset: np.ndarray  # int64 [N+1]
    leg_offset: np.ndarray  # int64 [N+1]
    run_h: np.ndarray  # float64 [legs], running time of each leg
    service_h: np.ndarray  # float64 [steps], service time at server facilities (unused at ferries)
    closure_facility: np.ndarray  # int32 [C], weather + scheduled, sorted by (facility, start)
    closure_start_h: np.ndarray  # float64 [C]
    closure_end_h: np.ndarray  # float64 [C], merged: closures of one facility never overlap

    @property
    def n_trains(self) -> int:
        return int(self.entry_h.shape[0])


def _entries(
    system: CorridorSystem, horizon_h: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    rate_per_h = system.arrivals_per_day / HOURS_PER_DAY
    uniform = system.arrival_process == ArrivalProcess.UNIFORM
    times = []
    counts = np.zeros(system.n_classes, dtype=np.int64)
    for k in np.flatnonzero(rate_per_h > 0).tolist():
        if uniform[k]:
            t = np.arange(0.0, horizon_h, 1.0 / rate_per_h[k])
        else:
            # A Poisson process on [0, T): Poisson count, then uniform epochs (sorted below).
            t = rng.uniform(0.0, horizon_h, rng.poisson(rate_per_h[k] * horizon_h))
        times.append(t)
        counts[k] = t.shape[0]
    if not times:
        return np.zeros(0), np.zeros(0, dtype=np.int32)
    t_all = np.concatenate(times)
    k_all = np.repeat(np.arange(system.n_classes, dtype=np.int32), counts)
    # stable: trains entering at one time enter in class order
    order = np.argsort(t_all, kind="stable")
    return t_all[order], k_all[order]


def _service(system: CorridorSystem, fac: np.ndarray, u: np.ndarray) -> np.ndarray:
    dist = system.service_dist[fac]
    p50 = system.service_p50_h[fac]
    out = p50.copy()
    expo = dist == ServiceDist.EXPONENTIAL
    # Exponential with median p50: mean = p50 / ln 2; inverse CDF on the same uniform.
    out[expo] = -p50[expo] / np.log(2.0) * np.log1p(-u[expo])
    logn = dist == ServiceDist.LOGNORMAL
    sigma = lognormal_sigma(p50[logn], system.service_p90_h[fac][logn])
    out[logn] = p50[logn] * np.exp(sigma * ndtri(u[logn]))
    return out


def _closures(
    system: CorridorSystem, horizon_h: float, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Random weather closures of ferries plus the system's scheduled ones, merged per facility."""
    windows: dict[int, list[tuple[float, float]]] = {}
    for f in np.flatnonzero(system.is_ferry() & (system.closures_per_yr > 0)):
        rate_per_h = system.closures_per_yr[f] / (DAYS_PER_YEAR * HOURS_PER_DAY)
        n = rng.poisson(rate_per_h * horizon_h)
        start = np.sort(rng.uniform(0.0, horizon_h, n))
        end = start + rng.exponential(system.closure_mean_h[f], n)
        windows[int(f)] = list(zip(start.tolist(), end.tolist(), strict=True))
    scheduled = zip(
        system.closure_facility.tolist(),
        system.closure_start_h.tolist(),
        system.closure_end_h.tolist(),
        strict=True,
    )
    for f, s, e in scheduled:
        windows.setdefault(int(f), []).append((s, e))
    facs, starts, ends = [], [], []
    for w in sorted(windows):
        merged_s: list[float] = []
        merged_e: list[float] = []
        for s, e in sorted(windows[w]):
            if merged_e and s <= merged_e[-1]:
                merged_e[-1] = max(merged_e[-1], e)
            else:
                merged_s.append(s)
                merged_e.append(e)
        facs.append(np.full(len(merged_s), w, dtype=np.int32))
        starts.append(np.array(merged_s))
        ends.append(np.array(merged_e))
    if not facs:
        return np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(0)
    return np.concatenate(facs), np.concatenate(starts), np.concatenate(ends)


def draw(system: CorridorSystem, days: float, seed: np.random.SeedSequence | int) -> Draws:
    """Variates for one replication of ``days`` days: entries, leg and service times, closures.

    Stream order (part of the reproducibility contract): entries class by class, then one
    normal per leg, one uniform per step, then closures ferry by ferry.
    """
    rng = np.random.default_rng(seed)
    horizon_h = float(days) * HOURS_PER_DAY
    entry_h, train_class = _entries(system, horizon_h, rng)
    n_steps = np.diff(system.route_indptr)[train_class]
    step_offset = np.zeros(entry_h.shape[0] + 1, dtype=np.int64)
    np.cumsum(n_steps, out=step_offset[1:])
    leg_offset = step_offset + np.arange(entry_h.shape[0] + 1)

    # Index of each train's legs and steps into the class tables, without a Python loop.
    leg_param = _expand(system.leg_indptr[train_class], n_steps + 1)
    step_fac = system.route_facility[_expand(system.route_indptr[train_class], n_steps)]

    z = rng.standard_normal(leg_param.shape[0])
    p50 = system.leg_run_p50_h[leg_param]
    run_h = p50 * np.exp(lognormal_sigma(p50, system.leg_run_p90_h[leg_param]) * z)
    u = rng.random(step_fac.shape[0])
    service_h = _service(system, step_fac, u)
    closure_facility, closure_start_h, closure_end_h = _closures(system, horizon_h, rng)
    return Draws(
        horizon_h=horizon_h,
        train_class=train_class,
        entry_h=entry_h,
        step_offset=step_offset,
        leg_offset=leg_offset,
        run_h=run_h,
        service_h=service_h,
        closure_facility=closure_facility,
        closure_start_h=closure_start_h,
        closure_end_h=closure_end_h,
    )


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for each (s, c)."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)
