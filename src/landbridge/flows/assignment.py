"""Static user-equilibrium assignment on arrays: AON, MSA, FW, CFW and BFW.

The equilibrium minimises the Beckmann objective ``sum_e int_0^x_e t_e(w) dw + sum_c f_c . x_c``
where ``t`` is the shared volume-delay function and ``f_c`` a fixed per-edge cost of class ``c``
expressed in the same time unit (for the corridor: tariffs divided by the value of time). All
classes share one flow unit, so the objective is exact and the equilibrium unique in total flow.

Algorithms (``algorithm=``):
- ``aon``: one all-or-nothing load at free-flow cost.
- ``msa``: method of successive averages, step ``1/k``.
- ``fw``: Frank-Wolfe with an exact line search.
- ``cfw``: conjugate Frank-Wolfe, ``bfw``: bi-conjugate Frank-Wolfe (Mitradjieva & Lindberg 2013,
  "The Stiff Is Moving", Transportation Science 47(2)), the directions AequilibraE uses.

Convergence is the relative gap ``(sum x.g - sum y.g) / sum x.g`` with ``y`` the AON flows at the
current costs ``g``. Progress goes to an optional callback; solvers never print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from landbridge.errors import InvalidInputError
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import VolumeDelay

ALGORITHMS = ("aon", "msa", "fw", "cfw", "bfw")
LINE_SEARCH_TOL = 1e-13
"""Bracket width at which the bisection on the step size stops."""
CONJUGATE_MAX_WEIGHT = 1.0 - 1e-7
"""Upper bound on the weight of old directions, so a direction never repeats the last one."""

Progress = Callable[[int, float, float], None]
"""``progress(iteration, relative_gap, beckmann_objective)``."""


@dataclass(frozen=True)
class DemandClass:
    """One user class: demand from ``origins`` (node ids) to every node, and its own fixed cost.

    ``node_demand[o, v]`` is the flow from ``origins[o]`` to node ``v``; ``fixed_cost`` (length m,
    or None) is added to the shared congested time on each edge for this class only.
    """

    name: str
    origins: np.ndarray
    node_demand: np.ndarray
    fixed_cost: np.ndarray | None = None


@dataclass(frozen=True)
class AssignmentResult:
    edge_flow: np.ndarray  # [m] total flow
    class_flow: np.ndarray  # [n_classes, m]
    edge_cost: np.ndarray  # [m] congested shared cost at the final flows
    iterations: int
    relative_gap: float
    objective: float
    converged: bool
    algorithm: str
    history: list[tuple[int, float, float]] = field(default_factory=list)


def od_to_node_demand(
    origins: np.ndarray, destinations: np.ndarray, trips: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Turn (origin, destination, trips) triples into unique origins and a [n_o, n_nodes] table."""
    origins = np.asarray(origins, dtype=np.int64)
    destinations = np.asarray(destinations, dtype=np.int64)
    trips = np.asarray(trips, dtype=np.float64)
    if not (origins.shape == destinations.shape == trips.shape):
        raise InvalidInputError("origins, destinations and trips must have the same length")
    if np.any(~np.isfinite(trips)) or np.any(trips < 0):
        raise InvalidInputError("demand must be finite and non-negative")
    uniq, row = np.unique(origins, return_inverse=True)
    table = np.zeros((uniq.size, n_nodes))
    np.add.at(table, (row, destinations), trips)
    return uniq, table


def assign(
    graph: PairGraph,
    vdf: VolumeDelay,
    classes: Sequence[DemandClass],
    algorithm: str = "bfw",
    max_iterations: int = 1000,
    target_gap: float = 1e-5,
    progress: Progress | None = None,
) -> AssignmentResult:
    """Solve user equilibrium; stops at ``target_gap`` or after ``max_iterations``."""
    if algorithm not in ALGORITHMS:
        raise InvalidInputError(
            f"unknown algorithm '{algorithm}'; choose one of {', '.join(ALGORITHMS)}"
        )
    if not classes:
        raise InvalidInputError("at least one demand class is needed")
    if max_iterations < 1:
        raise InvalidInputError("max_iterations must be at least 1")
    m = graph.n_edges
    if vdf.free_time.shape != (m,):
        raise InvalidInputError(f"volume-delay arrays have {vdf.free_time.size} edges, graph {m}")
    fixed = np.zeros((len(classes), m))
    for c, cls in enumerate(classes):
        if cls.node_demand.shape != (cls.origins.size, graph.n_nodes):
            raise InvalidInputError(f"class '{cls.name}': node_demand must be [n_origins, n_nodes]")
        if np.any(~np.isfinite(cls.node_demand)) or np.any(cls.node_demand < 0):
            raise InvalidInputError(f"class '{cls.name}': demand must be finite and non-negative")
        if cls.fixed_cost is not None:
            if cls.fixed_cost.shape != (m,) or np.any(~np.isfinite(cls.fixed_cost)):
                raise InvalidInputError(
                    f"class '{cls.name}': fixed_cost must be finite, length {m}"
                )
            fixed[c] = cls.fixed_cost
    return _Solver(graph, vdf, classes, fixed, algorithm, progress).run(max_iterations, target_gap)


class _Solver:
    def __init__(
        self,
        graph: PairGraph,
        vdf: VolumeDelay,
        classes: Sequence[DemandClass],
        fixed: np.ndarray,
        algorithm: str,
        progress: Progress | None,
    ) -> None:
        self.graph, self.vdf, self.classes, self.fixed = graph, vdf, classes, fixed
        self.algorithm, self.progress = algorithm, progress

    def aon(self, time: np.ndarray) -> np.ndarray:
        out = np.empty_like(self.fixed)
        for c, cls in enumerate(self.classes):
            out[c], _ = self.graph.all_or_nothing(
                time + self.fixed[c], cls.origins, cls.node_demand
            )
        return out

    def objective(self, x: np.ndarray) -> float:
        return float(self.vdf.integral(x.sum(axis=0)).sum() + (self.fixed * x).sum())

    def line_search(self, x: np.ndarray, s: np.ndarray) -> float:
        d = s - x
        return self.vdf.step_to_equilibrium(
            x.sum(axis=0), d.sum(axis=0), float((self.fixed * d).sum()), LINE_SEARCH_TOL
        )

    def run(self, max_iterations: int, target_gap: float) -> AssignmentResult:
        vdf = self.vdf
        x = self.aon(vdf.free_time)
        history: list[tuple[int, float, float]] = []
        s_prev: np.ndarray | None = None
        s_prev2: np.ndarray | None = None
        step = 0.0
        gap = np.inf
        it = 1
        while True:
            total = x.sum(axis=0)
            time = vdf.cost(total)
            y = self.aon(time)
            cost = time[None, :] + self.fixed
            current = float((x * cost).sum())
            gap = (current - float((y * cost).sum())) / current if current > 0 else 0.0
            obj = self.objective(x)
            history.append((it, gap, obj))
            if self.progress is not None:
                self.progress(it, gap, obj)
            if self.algorithm == "aon" or gap <= target_gap or it >= max_iterations:
                break
            it += 1
            if self.algorithm == "msa":
                step = 1.0 / it
                x = x + step * (y - x)
                continue
            if self.algorithm == "fw" or s_prev is None or step >= 1.0:
                s, s_prev2 = y, None
            elif self.algorithm == "cfw" or s_prev2 is None:
                s = _conjugate(x, y, s_prev, vdf.derivative(total))
            else:
                s = _biconjugate(x, y, s_prev, s_prev2, step, vdf.derivative(total))
            step = self.line_search(x, s)
            x = x + step * (s - x)
            s_prev2, s_prev = s_prev, s
        total = x.sum(axis=0)
        return AssignmentResult(
            edge_flow=total,
            class_flow=x,
            edge_cost=vdf.cost(total),
            iterations=it,
            relative_gap=float(gap),
            objective=self.objective(x),
            converged=bool(gap <= target_gap),
            algorithm=self.algorithm,
            history=history,
        )


def _hdot(h: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return float((a.sum(axis=0) * h * b.sum(axis=0)).sum())


def _conjugate(x: np.ndarray, y: np.ndarray, s_prev: np.ndarray, h: np.ndarray) -> np.ndarray:
    d_prev = s_prev - x
    den = _hdot(h, d_prev, y - s_prev)
    w = _hdot(h, d_prev, y - x) / den if den != 0.0 else 0.0
    w = min(max(w, 0.0), CONJUGATE_MAX_WEIGHT)
    return w * s_prev + (1.0 - w) * y


def _biconjugate(
    x: np.ndarray, y: np.ndarray, s1: np.ndarray, s2: np.ndarray, step: float, h: np.ndarray
) -> np.ndarray:
    d_bar = step * s1 - x + (1.0 - step) * s2
    den_mu = _hdot(h, d_bar, s2 - s1)
    mu = -_hdot(h, d_bar, y - x) / den_mu if den_mu != 0.0 else 0.0
    mu = max(mu, 0.0)
    d1 = s1 - x
    den_nu = _hdot(h, d1, d1)
    nu = -_hdot(h, d1, y - x) / den_nu + mu * step / (1.0 - step) if den_nu != 0.0 else 0.0
    nu = max(nu, 0.0)
    b0 = 1.0 / (1.0 + mu + nu)
    return b0 * y + nu * b0 * s1 + mu * b0 * s2
