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
def _stable_counting_sort(rows: np.ndarray, key: np.ndarray, n_keys: int) -> np.ndarray:
    """``rows`` reordered by ``key[row]`` (0 to ``n_keys`` - 1), in their order within a key."""
    out = np.empty(rows.shape[0], np.int64)
    start = np.zeros(n_keys + 1, np.int64)
    for r in rows:
        start[key[r] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    for r in rows:
        k = key[r]
        out[start[k]] = r
        start[k] += 1
    return out


@njit(cache=True)
def order_by_facility_train(
    rows: np.ndarray, facility: np.ndarray, train: np.ndarray, n_facilities: int, n_trains: int
) -> np.ndarray:
    """``rows`` (log rows, in log order) sorted by facility, then train, then log order.

    Two stable counting sorts (by train, then by facility): the permutation of a stable
    argsort on ``facility * n_trains + train``.
    """
    by_train = _stable_counting_sort(rows, train, n_trains)
    return _stable_counting_sort(by_train, facility, n_facilities)


@njit(cache=True)
def hourly_level(
    up_facility: np.ndarray,
    up_h: np.ndarray,
    down_facility: np.ndarray,
    down_h: np.ndarray,
    n_facilities: int,
    n_hours: int,
) -> np.ndarray:
    """[F, n_hours] int32: per facility and whole hour ``h``, the number of ``up`` times
    ``<= h`` less the number of ``down`` times ``<= h`` (trains queued, servers busy).

    ``t <= h`` is ``ceil(t) <= h`` for a whole hour ``h``: one count per ceiled hour, then a
    running sum along the hours.
    """
    step = np.zeros((n_facilities, n_hours + 1), np.int32)
    last = float(n_hours)
    for i in range(up_h.shape[0]):
        step[up_facility[i], int(min(max(np.ceil(up_h[i]), 0.0), last))] += 1
    for i in range(down_h.shape[0]):
        step[down_facility[i], int(min(max(np.ceil(down_h[i]), 0.0), last))] -= 1
    for f in range(n_facilities):  # the running sum in place: hour h holds the level at h
        for h in range(1, n_hours):
            step[f, h] += step[f, h - 1]
    return step[:, :n_hours]


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


@njit(cache=True)
def pairwise_sum(a: np.ndarray) -> float:
    """Sum of a contiguous float64 array in numpy's pairwise order (blocks of 8 partial sums,
    halves above 128 values), so it equals ``a.sum()`` bit for bit."""
    n = a.shape[0]
    if n < 8:
        total = 0.0
        for i in range(n):
            total += a[i]
        return total
    if n <= 128:
        r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
        i = 8
        while i < n - n % 8:
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            total += a[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(a[:half]) + pairwise_sum(a[half:])


@njit(cache=True)
def daily_means_of_ratios(
    per_hour: np.ndarray, units: np.ndarray, days: int, hours_per_day: int
) -> np.ndarray:
    """[F, days] float64: each calendar day's mean of the hourly samples ``per_hour / units``
    (busy servers over servers; the last day's missing hours take its last sample), summed in
    numpy's order: equal to ``(per_hour / units[:, None])`` padded and averaged by numpy."""
    n_fac, n_hours = per_hour.shape
    out = np.empty((n_fac, days))
    day = np.empty(hours_per_day)
    for f in range(n_fac):
        for d in range(days):
            for k in range(hours_per_day):
                day[k] = per_hour[f, min(d * hours_per_day + k, n_hours - 1)] / units[f]
            out[f, d] = pairwise_sum(day) / hours_per_day
    return out


@njit(cache=True)
def busy_hours(
    start_h: np.ndarray, end_h: np.ndarray, bounds: np.ndarray, horizon_h: float
) -> np.ndarray:
    """[F] server hours busy inside ``[0, horizon_h)``: facility ``f``'s visits are
    ``bounds[f]:bounds[f + 1]``; its sorted ends less its sorted starts, clipped to the
    horizon, summed in numpy's order."""
    n_fac = bounds.shape[0] - 1
    out = np.zeros(n_fac)
    for f in range(n_fac):
        start = np.sort(start_h[bounds[f] : bounds[f + 1]])
        end = np.sort(end_h[bounds[f] : bounds[f + 1]])
        for i in range(start.shape[0]):
            end[i] = min(max(end[i], 0.0), horizon_h) - min(max(start[i], 0.0), horizon_h)
        out[f] = pairwise_sum(end)
    return out
