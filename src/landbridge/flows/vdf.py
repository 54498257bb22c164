"""Volume-delay functions on edge arrays: BPR and a queueing delay for facilities.

Both are convex and increasing in flow, so the Beckmann objective they define has a unique
equilibrium in edge flows. Units follow the caller: ``free_time`` in any time unit (minutes on
Sioux Falls, hours on the corridor), ``capacity`` in the unit of flow per period.

- BPR: ``t = t0 * (1 + alpha * (x / c) ** beta)`` (Bureau of Public Roads 1964), the usual choice
  for road links and the one the Sioux Falls reference uses.
- Queue: ``t = t0 + alpha * rho / (1 - rho)``, ``rho = x / c``, the M/M/1 mean wait for a facility
  whose mean service time is ``alpha``. It grows without bound near saturation, which is what a
  crossing or a ferry does and BPR does not. Above ``QUEUE_RHO_MAX`` the curve continues along its
  tangent, so the solver stays defined when demand exceeds capacity; a utilisation there means
  "over capacity", not a meaningful wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numba
import numpy as np

from landbridge.errors import InvalidInputError

QUEUE_RHO_MAX = 0.95
"""Utilisation where the queueing curve switches to its tangent (wait = 19 service times)."""


class DelayKind(IntEnum):
    BPR = 0
    QUEUE = 1


@dataclass(frozen=True)
class VolumeDelay:
    """Per-edge volume-delay parameters (all arrays of length m).

    ``capacity`` may be ``inf`` (no congestion). ``kind`` selects BPR or queue per edge;
    ``alpha`` is the BPR factor or the queue's mean service time; ``beta`` the BPR power.
    """

    free_time: np.ndarray
    capacity: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    kind: np.ndarray

    @classmethod
    def bpr(
        cls,
        free_time: np.ndarray,
        capacity: np.ndarray,
        alpha: float | np.ndarray = 0.15,
        beta: float | np.ndarray = 4.0,
    ) -> VolumeDelay:
        m = np.asarray(free_time).shape[0]
        return cls(
            free_time=np.asarray(free_time, dtype=np.float64),
            capacity=np.asarray(capacity, dtype=np.float64),
            alpha=np.broadcast_to(np.asarray(alpha, dtype=np.float64), (m,)).copy(),
            beta=np.broadcast_to(np.asarray(beta, dtype=np.float64), (m,)).copy(),
            kind=np.zeros(m, dtype=np.int8),
        )

    def __post_init__(self) -> None:
        m = self.free_time.shape[0]
        for name in ("capacity", "alpha", "beta", "kind"):
            if getattr(self, name).shape != (m,):
                raise InvalidInputError(f"volume-delay array '{name}' must have length {m}")
        if np.any(~np.isfinite(self.free_time)) or np.any(self.free_time < 0):
            raise InvalidInputError("free-flow times must be finite and non-negative")
        if np.any(~(self.capacity > 0)):
            raise InvalidInputError("capacities must be positive (use inf for uncongested edges)")
        if np.any(self.alpha < 0) or np.any(self.beta < 0):
            raise InvalidInputError("volume-delay alpha and beta must be non-negative")

    @property
    def _queue(self) -> np.ndarray:
        return self.kind == int(DelayKind.QUEUE)

    def cost(self, flow: np.ndarray) -> np.ndarray:
        """Travel time on each edge at ``flow``."""
        return _cost(flow, self.free_time, self.capacity, self.alpha, self.beta, self.kind)

    def step_to_equilibrium(
        self, flow: np.ndarray, direction: np.ndarray, fixed_slope: float, tol: float
    ) -> float:
        """Step ``a`` in [0, 1] minimising the Beckmann objective along ``flow + a * direction``.

        ``fixed_slope`` is the constant part of the slope (class fixed costs times direction).
        Bisection on the slope, stopping when the bracket is narrower than ``tol``.
        """
        return _bisect_step(
            flow,
            direction,
            fixed_slope,
            tol,
            self.free_time,
            self.capacity,
            self.alpha,
            self.beta,
            self.kind,
        )

    def derivative(self, flow: np.ndarray) -> np.ndarray:
        """d cost / d flow on each edge (0 on uncongested edges)."""
        rho = flow / self.capacity
        with np.errstate(divide="ignore", invalid="ignore"):
            bpr = np.where(
                self.beta > 0,
                self.free_time
                * self.alpha
                * self.beta
                * np.power(rho, self.beta - 1.0)
                / self.capacity,
                0.0,
            )
        que = self.alpha * _queue_df(rho) / self.capacity
        return np.nan_to_num(np.where(self._queue, que, bpr), nan=0.0, posinf=0.0)

    def integral(self, flow: np.ndarray) -> np.ndarray:
        """Integral of the cost from 0 to ``flow`` on each edge (the Beckmann terms)."""
        rho = flow / self.capacity
        with np.errstate(divide="ignore", invalid="ignore"):
            bpr = self.free_time * (
                flow + self.alpha * flow * np.power(rho, self.beta) / (self.beta + 1.0)
            )
        finite_cap = np.where(np.isfinite(self.capacity), self.capacity, 0.0)
        que = self.free_time * flow + self.alpha * finite_cap * _queue_F(rho)
        return np.where(self._queue, que, bpr)


def _queue_df(rho: np.ndarray) -> np.ndarray:
    r = np.minimum(rho, QUEUE_RHO_MAX)
    return 1.0 / (1.0 - r) ** 2


def _queue_F(rho: np.ndarray) -> np.ndarray:
    r = np.minimum(rho, QUEUE_RHO_MAX)
    big = -np.log1p(-r) - r
    f_max = QUEUE_RHO_MAX / (1.0 - QUEUE_RHO_MAX)
    df = 1.0 / (1.0 - QUEUE_RHO_MAX) ** 2
    over = np.maximum(rho - QUEUE_RHO_MAX, 0.0)
    return big + f_max * over + 0.5 * df * over * over


@numba.njit(cache=True, inline="always")
def _edge_cost(x: float, t0: float, c: float, a: float, b: float, kind: int) -> float:
    rho = x / c
    if kind == 0:
        if rho <= 0.0:
            return t0 * (1.0 + a) if b == 0.0 else t0
        return t0 * (1.0 + a * rho**b)
    if rho <= QUEUE_RHO_MAX:
        return t0 + a * rho / (1.0 - rho)
    f_max = QUEUE_RHO_MAX / (1.0 - QUEUE_RHO_MAX)
    return t0 + a * (f_max + (rho - QUEUE_RHO_MAX) / (1.0 - QUEUE_RHO_MAX) ** 2)


@numba.njit(cache=True)
def _cost(
    flow: np.ndarray, t0: np.ndarray, c: np.ndarray, a: np.ndarray, b: np.ndarray, kind: np.ndarray
) -> np.ndarray:
    out = np.empty(flow.size)
    for e in range(flow.size):
        out[e] = _edge_cost(flow[e], t0[e], c[e], a[e], b[e], kind[e])
    return out


@numba.njit(cache=True)
def _slope(
    alpha_step: float,
    flow: np.ndarray,
    d: np.ndarray,
    fixed_slope: float,
    t0: np.ndarray,
    c: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    kind: np.ndarray,
) -> float:
    s = fixed_slope
    for e in range(flow.size):
        if d[e] != 0.0:
            s += d[e] * _edge_cost(flow[e] + alpha_step * d[e], t0[e], c[e], a[e], b[e], kind[e])
    return s


@numba.njit(cache=True)
def _bisect_step(
    flow: np.ndarray,
    d: np.ndarray,
    fixed_slope: float,
    tol: float,
    t0: np.ndarray,
    c: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    kind: np.ndarray,
) -> float:
    if _slope(1.0, flow, d, fixed_slope, t0, c, a, b, kind) <= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if _slope(mid, flow, d, fixed_slope, t0, c, a, b, kind) > 0.0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)
