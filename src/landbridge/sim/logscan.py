"""Compiled (numba) scans of an event log for ``analysis``: visit order and hourly levels.

Each kernel gives exactly what the numpy reading it replaced gave (a stable sort, a bincount
and a running sum): integer work only, so no statistic changes by a bit. They exist because
that reading allocated and summed a [facilities x hours] array per count (a 365-day run of the
network corridor: 116 x 8,760), which cost more than the engine itself.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def order_by_facility_train(
    rows: np.ndarray, facility: np.ndarray, train: np.ndarray, n_facilities: int, n_trains: int
) -> np.ndarray:
    """``rows`` (log rows, in log order) sorted by facility, then train, then log order.

    Two stable counting sorts (by train, then by facility): the permutation of a stable
    argsort on ``facility * n_trains + train``.
    """
    n = rows.shape[0]
    by_train = np.empty(n, np.int64)
    start = np.zeros(n_trains + 1, np.int64)
    for r in rows:
        start[train[r] + 1] += 1
    for i in range(n_trains):
        start[i + 1] += start[i]
    for r in rows:
        t = train[r]
        by_train[start[t]] = r
        start[t] += 1
    out = np.empty(n, np.int64)
    first = np.zeros(n_facilities + 1, np.int64)
    for r in rows:
        first[facility[r] + 1] += 1
    for f in range(n_facilities):
        first[f + 1] += first[f]
    for r in by_train:
        f = facility[r]
        out[first[f]] = r
        first[f] += 1
    return out


@njit(cache=True)
def hourly_level(
    up_facility: np.ndarray,
    up_h: np.ndarray,
    down_facility: np.ndarray,
    down_h: np.ndarray,
    n_facilities: int,
    n_hours: int,
) -> np.ndarray:
    """[F, n_hours] int64: per facility and whole hour ``h``, the number of ``up`` times
    ``<= h`` less the number of ``down`` times ``<= h`` (trains queued, servers busy).

    ``t <= h`` is ``ceil(t) <= h`` for a whole hour ``h``: one count per ceiled hour, then a
    running sum along the hours.
    """
    step = np.zeros((n_facilities, n_hours + 1), np.int64)
    last = float(n_hours)
    for i in range(up_h.shape[0]):
        step[up_facility[i], int(min(max(np.ceil(up_h[i]), 0.0), last))] += 1
    for i in range(down_h.shape[0]):
        step[down_facility[i], int(min(max(np.ceil(down_h[i]), 0.0), last))] -= 1
    level = np.empty((n_facilities, n_hours), np.int64)
    for f in range(n_facilities):
        run = 0
        for h in range(n_hours):
            run += step[f, h]
            level[f, h] = run
    return level


@njit(cache=True)
def daily_means_of_counts(per_hour: np.ndarray, days: int, hours_per_day: int) -> np.ndarray:
    """[F, days] float64: the mean of each calendar day's hourly samples of an integer series
    (the last day's missing hours take its last sample).

    Integer sums are exact in any order, so this equals numpy's mean of the same samples.
    """
    n_fac, n_hours = per_hour.shape
    out = np.empty((n_fac, days))
    for f in range(n_fac):
        for d in range(days):
            total = 0
            for h in range(d * hours_per_day, (d + 1) * hours_per_day):
                total += per_hour[f, min(h, n_hours - 1)]
            out[f, d] = total / hours_per_day
    return out
