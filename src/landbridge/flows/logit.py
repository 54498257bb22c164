"""Logit route choice and stochastic user equilibrium (SUE) on a fixed path set.

Each OD pair ``w`` has a set of paths; the share of path ``k`` is the multinomial logit

    P_k = exp(-s_w c_k) / sum_j exp(-s_w c_j)

with ``s_w`` the OD's logit scale (1 / cost unit). The corridor uses a *relative* scale
``s_w = theta / c*_w`` with ``c*_w`` the free-flow cost of the OD's cheapest path, so ``theta`` is
dimensionless: the direct cost elasticity of a path's share is ``-theta (c_k / c*_w) (1 - P_k)``.

The SUE (Daganzo & Sheffi 1977; Fisk 1980) is the fixed point ``f = d_w P(c(f))``: path costs
depend on the flows through the congestible elements they cross. It is solved on path flows by
the method of successive averages, ``f <- f + (y - f) / beta_k`` with ``y`` the logit loading at
the current costs. The step sequence is the self-regulated average of Liu, He & He (2009, "Method
of successive weighted averages (MSWA) and self-regulated averaging schemes for solving stochastic
user equilibrium problem", Networks and Spatial Economics 9): ``beta`` grows by ``SRA_SLOW`` while
the residual falls and by ``SRA_FAST`` when it rises, so steps stay long while they help and
shrink like 1/k when they do not (still an MSA step rule: sum 1/beta diverges).

Convergence is the residual ``sum |y - f| / sum d``: the share of demand that would still move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from landbridge.errors import InvalidInputError
from landbridge.flows.vdf import VolumeDelay

SRA_SLOW = 0.01
"""Growth of the averaging denominator while the residual falls (Liu et al. 2009 use 0.01-0.3)."""
SRA_FAST = 1.5
"""Growth of the averaging denominator when the residual rises (Liu et al. 2009 use 1.5-2)."""


@dataclass(frozen=True)
class SueResult:
    path_flow: np.ndarray  # [n_paths]
    path_cost: np.ndarray  # [n_paths] at the final flows
    edge_flow: np.ndarray  # [m]
    element_flow: np.ndarray  # [k]
    iterations: int
    residual: float
    converged: bool


def logit_shares(cost: np.ndarray, path_od: np.ndarray, od_scale: np.ndarray) -> np.ndarray:
    """Share of each path within its OD: ``exp(-s_w c_k) / sum_j exp(-s_w c_j)``.

    Costs are shifted by each OD's minimum before exponentiating, so large costs do not overflow.
    """
    cost = np.asarray(cost, dtype=np.float64)
    od = np.asarray(path_od, dtype=np.int64)
    n_od = od_scale.size
    low = np.full(n_od, np.inf)
    np.minimum.at(low, od, cost)
    weight = np.exp(-od_scale[od] * (cost - low[od]))
    total = np.bincount(od, weight, minlength=n_od)
    return weight / total[od]


def path_costs(
    incidence: sp.csr_matrix,
    fixed_cost: np.ndarray,
    edge_element: np.ndarray,
    vdf: VolumeDelay,
    path_flow: np.ndarray,
    path_constant: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(path costs, edge flows, element flows) at ``path_flow``; ``path_constant`` is added to
    each path's cost (alternative-specific constants)."""
    edge_flow = incidence.T @ path_flow
    has = edge_element >= 0
    k = vdf.capacity.size
    element_flow = np.bincount(edge_element[has], edge_flow[has], minlength=k)
    delay = vdf.cost(element_flow) if k else np.zeros(0)
    edge_cost = fixed_cost.copy()
    edge_cost[has] += delay[edge_element[has]]
    cost = incidence @ edge_cost
    if path_constant is not None:
        cost = cost + path_constant
    return cost, edge_flow, element_flow


def solve_sue(
    incidence: sp.csr_matrix,
    path_od: np.ndarray,
    od_demand: np.ndarray,
    od_scale: np.ndarray,
    fixed_cost: np.ndarray,
    edge_element: np.ndarray,
    vdf: VolumeDelay,
    max_iterations: int = 2000,
    tolerance: float = 1e-6,
    path_constant: np.ndarray | None = None,
) -> SueResult:
    """Logit SUE by successive averages on path flows (see the module docstring).

    ``incidence`` is [n_paths, m] (1 where a path uses an edge), ``path_od`` the OD of each path,
    ``od_demand`` and ``od_scale`` per OD, ``fixed_cost`` per edge, ``edge_element`` the
    congestible element of each edge (-1: none) with ``vdf`` one entry per element.
    ``path_constant`` (one per path, cost units) is added to each path's cost.
    """
    path_od = np.asarray(path_od, dtype=np.int64)
    od_demand = np.asarray(od_demand, dtype=np.float64)
    od_scale = np.asarray(od_scale, dtype=np.float64)
    n_paths, m = incidence.shape
    if path_od.shape != (n_paths,) or fixed_cost.shape != (m,) or edge_element.shape != (m,):
        raise InvalidInputError("path, edge and element arrays do not match the incidence matrix")
    bad_demand = np.any(~np.isfinite(od_demand)) or np.any(od_demand < 0)
    if od_demand.shape != od_scale.shape or bad_demand:
        raise InvalidInputError("OD demand must be finite, non-negative, one value per OD")
    if np.any(~(od_scale > 0)) or np.any(~np.isfinite(od_scale)):
        raise InvalidInputError("logit scales must be positive and finite")
    if n_paths and (path_od.min() < 0 or path_od.max() >= od_demand.size):
        raise InvalidInputError("path OD index out of range")
    if np.any(np.bincount(path_od, minlength=od_demand.size)[od_demand > 0] == 0):
        raise InvalidInputError("an OD pair with demand has no path in the set")
    if path_constant is not None and (
        np.shape(path_constant) != (n_paths,) or not np.all(np.isfinite(path_constant))
    ):
        raise InvalidInputError("path constants must be finite, one per path")
    if max_iterations < 1:
        raise InvalidInputError("max_iterations must be at least 1")
    total = float(od_demand.sum())
    cost, edge_flow, element_flow = path_costs(
        incidence, fixed_cost, edge_element, vdf, np.zeros(n_paths), path_constant
    )
    flow = od_demand[path_od] * logit_shares(cost, path_od, od_scale)
    if total <= 0:
        return SueResult(flow, cost, edge_flow, element_flow, 0, 0.0, True)
    beta, last, residual, iterations = 1.0, np.inf, np.inf, 0
    while iterations < max_iterations:
        iterations += 1
        cost, edge_flow, element_flow = path_costs(
            incidence, fixed_cost, edge_element, vdf, flow, path_constant
        )
        target = od_demand[path_od] * logit_shares(cost, path_od, od_scale)
        residual = float(np.abs(target - flow).sum() / total)
        if residual <= tolerance:
            break
        beta += SRA_FAST if residual >= last else SRA_SLOW
        last = residual
        flow = flow + (target - flow) / beta
    cost, edge_flow, element_flow = path_costs(
        incidence, fixed_cost, edge_element, vdf, flow, path_constant
    )
    return SueResult(
        path_flow=flow, path_cost=cost, edge_flow=edge_flow, element_flow=element_flow,
        iterations=iterations, residual=residual, converged=residual <= tolerance,
    )  # fmt: skip
