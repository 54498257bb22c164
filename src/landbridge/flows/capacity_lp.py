"""Hard-capacity multicommodity flow as a linear program (HiGHS through ``scipy.optimize.linprog``).

Answers "how much of this demand can the corridor carry at most, and which capacity binds?".
Commodities are grouped by origin (one flow vector per origin, as in source-based assignment), so
the program has ``n_origins * m`` edge variables plus one throughput variable per OD pair.

Capacities act on *groups* of edges: a facility whose two directions share one capacity, a node's
incoming edges (a node capacity), or a single edge. The duals of the group constraints in the
maximum-throughput program are shadow prices: extra OD flow per unit of extra capacity. A group
with a positive shadow price is a binding bottleneck.

Modes:
- ``max_throughput``: maximise total carried demand (each pair at most its demand), then, holding
  that total, minimise edge cost so the reported routes are the cheapest of the maximal flows.
- ``min_cost``: carry every OD pair in full at least cost; fails with a clear error if the
  capacities cannot carry the demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from landbridge.errors import InvalidInputError, UnreachableError

THROUGHPUT_KEEP = 1.0 - 1e-9
"""Share of the maximum throughput the cost-minimising second stage must keep (solver slack)."""
BINDING_PRICE = 1e-9
"""Shadow price above which a capacity group counts as binding."""


@dataclass(frozen=True)
class CapacityGroup:
    name: str
    edges: np.ndarray  # edge ids sharing the capacity
    capacity: float


@dataclass(frozen=True)
class CapacityResult:
    mode: str
    od_flow: np.ndarray  # [n_pairs] carried demand
    edge_flow: np.ndarray  # [m]
    throughput: float
    total_cost: float
    group_names: list[str]
    group_flow: np.ndarray
    group_capacity: np.ndarray
    shadow_price: np.ndarray  # extra throughput (max mode) or saved cost (min-cost mode) per unit

    @property
    def utilization(self) -> np.ndarray:
        return self.group_flow / self.group_capacity

    def binding(self) -> list[str]:
        """Names of groups with a positive shadow price, largest first."""
        order = np.argsort(-self.shadow_price, kind="stable")
        return [self.group_names[g] for g in order if self.shadow_price[g] > BINDING_PRICE]


def solve_capacity(
    edge_src: np.ndarray,
    edge_dst: np.ndarray,
    n_nodes: int,
    edge_cost: np.ndarray,
    od_origin: np.ndarray,
    od_destination: np.ndarray,
    od_demand: np.ndarray,
    groups: list[CapacityGroup],
    mode: str = "max_throughput",
    cheapest_routes: bool = True,
) -> CapacityResult:
    """Solve the hard-capacity program; see the module docstring for the two modes.

    ``cheapest_routes=False`` skips the cost-minimising second stage of ``max_throughput`` (the
    throughput and shadow prices are the same; edge flows are then any maximal flow).
    """
    if mode not in ("max_throughput", "min_cost"):
        raise InvalidInputError(f"unknown mode '{mode}'; use 'max_throughput' or 'min_cost'")
    src = np.asarray(edge_src, dtype=np.int64)
    dst = np.asarray(edge_dst, dtype=np.int64)
    cost = np.asarray(edge_cost, dtype=np.float64)
    m = src.size
    ood = np.asarray(od_origin, dtype=np.int64)
    dod = np.asarray(od_destination, dtype=np.int64)
    dem = np.asarray(od_demand, dtype=np.float64)
    if cost.shape != (m,) or np.any(~np.isfinite(cost)) or np.any(cost < 0):
        raise InvalidInputError("edge costs must be finite, non-negative and one per edge")
    if not (ood.shape == dod.shape == dem.shape) or np.any(~np.isfinite(dem)) or np.any(dem < 0):
        raise InvalidInputError("OD arrays must have equal length and finite, non-negative demand")
    if np.any(ood == dod):
        raise InvalidInputError("an OD pair has the same origin and destination; drop it")
    if ood.size and (min(ood.min(), dod.min()) < 0 or max(ood.max(), dod.max()) >= n_nodes):
        raise InvalidInputError(f"OD nodes must lie in 0..{n_nodes - 1}")
    for g in groups:
        if not g.capacity >= 0 or np.any((g.edges < 0) | (g.edges >= m)):
            raise InvalidInputError(
                f"capacity group '{g.name}': capacity >= 0 and valid edge ids needed"
            )
    origins, o_row = np.unique(ood, return_inverse=True)
    n_o, n_p = origins.size, ood.size
    n_f = n_o * m

    # Conservation rows (origin o, node v): out - in - z[o-pairs at v=o] + z[pairs ending at v] = 0
    o_idx = np.repeat(np.arange(n_o), m)
    e_idx = np.tile(np.arange(m), n_o)
    rows = np.concatenate(
        [
            o_idx * n_nodes + src[e_idx],
            o_idx * n_nodes + dst[e_idx],
            o_row * n_nodes + origins[o_row],
            o_row * n_nodes + dod,
        ]
    )
    cols = np.concatenate(
        [np.arange(n_f), np.arange(n_f), n_f + np.arange(n_p), n_f + np.arange(n_p)]
    )
    vals = np.concatenate([np.ones(n_f), -np.ones(n_f), -np.ones(n_p), np.ones(n_p)])
    a_eq = sp.csr_matrix((vals, (rows, cols)), shape=(n_o * n_nodes, n_f + n_p))
    b_eq = np.zeros(n_o * n_nodes)

    g_rows: list[np.ndarray] = []
    g_cols: list[np.ndarray] = []
    for gi, g in enumerate(groups):
        cols_g = (np.arange(n_o)[:, None] * m + np.asarray(g.edges)[None, :]).ravel()
        g_rows.append(np.full(cols_g.size, gi))
        g_cols.append(cols_g)
    cap = np.array([g.capacity for g in groups], dtype=np.float64)
    a_ub = sp.csr_matrix(
        (
            np.ones(sum(c.size for c in g_cols)),
            (
                np.concatenate(g_rows or [np.zeros(0)]).astype(np.int64),
                np.concatenate(g_cols or [np.zeros(0)]).astype(np.int64),
            ),
        ),
        shape=(len(groups), n_f + n_p),
    )
    f_cost = np.concatenate([np.tile(cost, n_o), np.zeros(n_p)])
    z_hi = dem
    bounds = np.column_stack([np.zeros(n_f + n_p), np.concatenate([np.full(n_f, np.inf), z_hi])])

    if mode == "min_cost":
        bounds[n_f:, 0] = dem
        res = _solve(f_cost, a_ub, cap, a_eq, b_eq, bounds)
        if res.status == 2:
            raise UnreachableError(
                "the capacities cannot carry the full demand; run in 'max_throughput' mode to see "
                "how much fits and which capacity binds"
            )
        prices = -np.asarray(res.ineqlin.marginals) if groups else np.zeros(0)
        x = res.x
    else:
        c1 = np.concatenate([np.zeros(n_f), -np.ones(n_p)])
        res1 = _solve(c1, a_ub, cap, a_eq, b_eq, bounds)
        prices = -np.asarray(res1.ineqlin.marginals) if groups else np.zeros(0)
        best = float(-res1.fun)
        x = res1.x
    if mode == "max_throughput" and cheapest_routes:
        keep = sp.csr_matrix(c1[None, :])
        a_ub2 = sp.vstack([a_ub, keep]).tocsr()
        b_ub2 = np.append(cap, -best * THROUGHPUT_KEEP)
        res2 = _solve(f_cost, a_ub2, b_ub2, a_eq, b_eq, bounds)
        x = res2.x
    edge_flow = x[:n_f].reshape(n_o, m).sum(axis=0)
    od_flow = x[n_f:]
    group_flow = np.array([edge_flow[g.edges].sum() for g in groups])
    return CapacityResult(
        mode=mode,
        od_flow=od_flow,
        edge_flow=edge_flow,
        throughput=float(od_flow.sum()),
        total_cost=float(cost @ edge_flow),
        group_names=[g.name for g in groups],
        group_flow=group_flow,
        group_capacity=cap,
        shadow_price=np.maximum(prices, 0.0),
    )


def _solve(c, a_ub, b_ub, a_eq, b_eq, bounds):
    res = linprog(
        c,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
    )
    if res.status not in (0, 2):
        raise InvalidInputError(f"capacity program failed: {res.message}")
    return res
