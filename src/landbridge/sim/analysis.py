"""Statistics read from the event log, never from inside an engine.

``summarise`` turns one replication's log into a ``ReplicationSummary`` (transit time per
train, waits per facility visit, utilization, queue lengths, daily series); ``sim.pooling``
pools the summaries of a Monte Carlo run in replication order, so the result does not depend
on which worker ran what.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit

from landbridge.sim.eventlog import NO_FACILITY, Event, EventLog
from landbridge.sim.logscan import (
    busy_hours,
    daily_means_of_counts,
    daily_means_of_ratios,
    hourly_level,
    order_by_facility_train,
)
from landbridge.sim.system import CorridorSystem
from landbridge.units import HOURS_PER_DAY

CI_LEVEL = 0.95


@dataclass(frozen=True)
class Visits:
    """One row per (train, facility) visit, sorted by facility then train."""

    facility: np.ndarray  # int64
    train: np.ndarray  # int64
    arrive_h: np.ndarray
    start_h: np.ndarray  # service start; at a ferry: boarding
    leave_queue_h: np.ndarray  # service start; at a ferry: sailing
    end_h: np.ndarray  # service end; at a ferry: landing
    sailing: np.ndarray  # ferry sailing number, -1 at servers

    @property
    def wait_h(self) -> np.ndarray:
        return self.leave_queue_h - self.arrive_h


def _by_visit(log: EventLog, event: Event, n_fac: int, n_trains: int) -> np.ndarray:
    """Log rows of ``event`` at facilities, sorted by facility then train (then log order)."""
    idx = np.flatnonzero((log.event == event) & (log.facility != NO_FACILITY))
    return order_by_facility_train(idx, log.facility, log.train, n_fac, n_trains)


def visits(log: EventLog, system: CorridorSystem) -> Visits:
    """Pair the arrive/start/sail/end events of every facility visit."""
    n_trains = int(log.train.max()) + 1 if len(log) else 0
    n_fac = system.n_facilities
    arrive = _by_visit(log, Event.ARRIVE, n_fac, n_trains)
    start = _by_visit(log, Event.START, n_fac, n_trains)
    end = _by_visit(log, Event.END, n_fac, n_trains)
    fac = log.facility[arrive].astype(np.int64)
    ferry_fac = system.is_ferry()
    leave = log.time_h[start].copy()
    sailing = np.full(arrive.shape[0], -1, dtype=np.int64)
    on_ferry = ferry_fac[fac]
    if on_ferry.any():
        sail = _by_visit(log, Event.SAIL, n_fac, n_trains)
        leave[on_ferry] = log.time_h[sail]
        sailing[on_ferry] = log.sailing[sail]
    return Visits(
        facility=fac,
        train=log.train[arrive].astype(np.int64),
        arrive_h=log.time_h[arrive],
        start_h=log.time_h[start],
        leave_queue_h=leave,
        end_h=log.time_h[end],
        sailing=sailing,
    )


def transit_times(log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """(train_class, transit_h) of every train that reached its destination, by train id."""
    dep = np.flatnonzero(log.event == Event.DEPART)
    arr = np.flatnonzero((log.event == Event.ARRIVE) & (log.facility == NO_FACILITY))
    n = int(log.train.max()) + 1 if len(log) else 0
    t_dep = np.full(n, np.nan)
    t_arr = np.full(n, np.nan)
    cls = np.full(n, -1, dtype=np.int16)
    t_dep[log.train[dep]] = log.time_h[dep]
    t_arr[log.train[arr]] = log.time_h[arr]
    cls[log.train[dep]] = log.train_class[dep]
    done = ~np.isnan(t_arr)
    return cls[done], (t_arr - t_dep)[done]


def _max_queue(v: Visits, waited: np.ndarray, n_fac: int) -> np.ndarray:
    """Most trains waiting at once per facility (a leave and an arrival at one time: leave
    first)."""
    fac = np.concatenate([v.facility[waited], v.facility[waited]])
    times = np.concatenate([v.leave_queue_h[waited], v.arrive_h[waited]])
    n = int(waited.sum())
    steps = np.concatenate([-np.ones(n, np.int64), np.ones(n, np.int64)])
    order = np.lexsort((steps, times, fac))
    # every facility's arrivals and leaves cancel, so a running sum over all of them restarts
    # at zero at each facility's first event
    level = np.cumsum(steps[order])
    out = np.zeros(n_fac, dtype=np.int64)
    if n:
        np.maximum.at(out, fac[order], level)
    return out


def _sailing_times(v: Visits, bounds: np.ndarray, f: int) -> np.ndarray:
    """Sorted departure times of ferry ``f``'s sailings (one per sailing number)."""
    sl = slice(bounds[f], bounds[f + 1])
    sail_ids, first = np.unique(v.sailing[sl], return_index=True)
    return np.sort(v.leave_queue_h[sl][first[sail_ids >= 0]])


@dataclass(frozen=True)
class ReplicationSummary:
    replication: int
    n_events: int
    train_class: np.ndarray  # int16 [trains done]
    transit_h: np.ndarray  # float32 [trains done] (float32 keeps 10^4 replications in memory)
    visit_facility: np.ndarray  # int16 [visits]
    wait_h: np.ndarray  # float32 [visits]
    utilization: np.ndarray  # float64 [F], over [0, horizon)
    max_queue: np.ndarray  # int64 [F], trains waiting at once (waits > 0 only)
    sailings: np.ndarray  # int64 [F], ferries; 0 at servers
    daily_queue: np.ndarray  # float64 [F, days], mean trains waiting (sampled hourly)
    daily_utilization: np.ndarray  # float64 [F, days] (sampled hourly)
    daily_wait_h: np.ndarray  # float64 [F, days], summed waits of trains arriving that day
    daily_visits: np.ndarray  # int64 [F, days], trains arriving that day


def summarise(
    log: EventLog, system: CorridorSystem, horizon_h: float, warmup_h: float = 0.0
) -> ReplicationSummary:
    """Statistics of one replication, read from its event log.

    Transit times and waits count only trains that left their origin at or after
    ``warmup_h``; utilization and queues cover ``[0, horizon_h)`` (queues and busy units
    sampled at every whole hour).
    """
    n_fac = system.n_facilities
    cls, transit = transit_times(log)
    dep = log.event == Event.DEPART
    entry = np.full(int(log.train.max()) + 1 if len(log) else 0, np.nan)
    entry[log.train[dep]] = log.time_h[dep]
    v = visits(log, system)
    keep_v = entry[v.train] >= warmup_h
    if warmup_h > 0:
        done_ids = np.sort(
            np.unique(log.train[(log.event == Event.ARRIVE) & (log.facility == NO_FACILITY)])
        )
        keep_t = entry[done_ids] >= warmup_h
        cls, transit = cls[keep_t], transit[keep_t]

    n_hours = np.arange(0.0, horizon_h, 1.0).shape[0]
    days = int(np.ceil(horizon_h / HOURS_PER_DAY))
    arrival_day = np.minimum((v.arrive_h // HOURS_PER_DAY).astype(np.int64), days)
    in_horizon = arrival_day < days
    flat = v.facility[in_horizon] * days + arrival_day[in_horizon]
    daily_wait = np.bincount(flat, weights=v.wait_h[in_horizon], minlength=n_fac * days)
    daily_visits = np.bincount(flat, minlength=n_fac * days)

    waited = v.leave_queue_h > v.arrive_h
    fac_w = v.facility[waited]
    queue = hourly_level(fac_w, v.arrive_h[waited], fac_w, v.leave_queue_h[waited], n_fac, n_hours)

    ferry = system.is_ferry()
    server_visit = ~ferry[v.facility]
    fac_s = v.facility[server_visit]
    busy = hourly_level(
        fac_s, v.start_h[server_visit], fac_s, v.end_h[server_visit], n_fac, n_hours
    )
    units = np.where(ferry, system.fleet, system.servers).astype(np.float64)
    bounds = np.searchsorted(v.facility, np.arange(n_fac + 1))
    busy_h = busy_hours(v.start_h, v.end_h, bounds, horizon_h)  # servers; ferries below
    sailings = np.zeros(n_fac, dtype=np.int64)
    for f in np.flatnonzero(ferry).tolist():
        sail_t = _sailing_times(v, bounds, f)
        sailings[f] = sail_t.size
        back_t = sail_t + system.round_trip_h[f]
        one = np.zeros(sail_t.size, dtype=np.int64)
        busy[f] = hourly_level(one, sail_t, one, back_t, 1, n_hours)[0]
        busy_h[f] = (np.clip(back_t, 0, horizon_h) - np.clip(sail_t, 0, horizon_h)).sum()
    return ReplicationSummary(
        replication=log.replication,
        n_events=len(log),
        train_class=cls,
        transit_h=transit.astype(np.float32),
        visit_facility=v.facility[keep_v].astype(np.int16),
        wait_h=v.wait_h[keep_v].astype(np.float32),
        utilization=busy_h / (units * horizon_h),
        max_queue=_max_queue(v, waited, n_fac),
        sailings=sailings,
        daily_queue=daily_means_of_counts(queue, days, int(HOURS_PER_DAY)),
        daily_utilization=daily_means_of_ratios(busy, units, days, int(HOURS_PER_DAY)),
        daily_wait_h=daily_wait.reshape(n_fac, days),
        daily_visits=daily_visits.reshape(n_fac, days),
    )


def mean_ci(values: np.ndarray, level: float = CI_LEVEL) -> tuple[float, float] | None:
    """Student-t confidence interval of the mean of replication values; None below 2 values."""
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        return None
    half = stdtrit(values.size - 1, 0.5 + level / 2) * values.std(ddof=1) / np.sqrt(values.size)
    mean = values.mean()
    return float(mean - half), float(mean + half)
