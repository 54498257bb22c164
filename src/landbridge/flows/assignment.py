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

Congestion can sit on *elements* shared by several edges (``edge_element``): a crossing whose two
directions share one capacity, or a ferry line. An edge's cost is then its class fixed cost plus the
volume-delay cost of its element at the element's total flow. Without ``edge_element`` every edge
is its own element (the usual road case).

Convergence is the relative gap ``(sum x.g - sum y.g) / sum x.g`` with ``y`` the AON flows at the
current costs ``g``. Progress goes to an optional callback; solvers never print.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from landbridge.errors import InvalidInputError
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import VolumeDelay

ALGORITHMS = ("aon", "msa", "fw", "cfw", "bfw")
LINE_SEARCH_TOL = 1e-13
"""Bracket width at which the bisection on the step size stops."""
STALL_STEP = 1e-12
"""A step this small means the direction is exhausted: the next one restarts from Frank-Wolfe."""
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
    edge_cost: np.ndarray  # [m] congested shared cost at the final flows (without fixed costs)
    element_flow: (
        np.ndarray
    )  # [k] flow through each congestible element (= edge_flow without groups)
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
    edge_element: np.ndarray | None = None,
) -> AssignmentResult:
    """Solve user equilibrium; stops at ``target_gap`` or after ``max_iterations``.

    ``edge_element[e]`` is the congestible element of edge ``e`` (-1: none); ``vdf`` then has one
    entry per element. Without it, ``vdf`` has one entry per edge.
    """
    if algorithm not in ALGORITHMS:
        raise InvalidInputError(
            f"unknown algorithm '{algorithm}'; choose one of {', '.join(ALGORITHMS)}"
        )
    if not classes:
        raise InvalidInputError("at least one demand class is needed")
    if max_iterations < 1:
        raise InvalidInputError("max_iterations must be at least 1")
    m = graph.n_edges
    if edge_element is None:
        if vdf.free_time.shape != (m,):
            raise InvalidInputError(
                f"volume-delay arrays have {vdf.free_time.size} edges, graph {m}"
            )
    else:
        edge_element = np.asarray(edge_element, dtype=np.int64)
        k = vdf.free_time.size
        if edge_element.shape != (m,) or np.any((edge_element < -1) | (edge_element >= k)):
            raise InvalidInputError(f"edge_element must have length {m} and values in -1..{k - 1}")
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
    solver = _Solver(graph, vdf, classes, fixed, algorithm, progress, edge_element)
    return solver.run(max_iterations, target_gap)


class _Solver:
    def __init__(
        self,
        graph: PairGraph,
        vdf: VolumeDelay,
        classes: Sequence[DemandClass],
        fixed: np.ndarray,
        algorithm: str,
        progress: Progress | None,
        edge_element: np.ndarray | None,
    ) -> None:
        self.graph, self.vdf, self.classes, self.fixed = graph, vdf, classes, fixed
        self.algorithm, self.progress = algorithm, progress
        self.element = edge_element
        if edge_element is not None:
            self.grouped = edge_element >= 0
            self.group_of = edge_element[self.grouped]

    def to_elements(self, edge_flow: np.ndarray) -> np.ndarray:
        """Flow through each element from a flow per edge (summed over classes first)."""
        if self.element is None:
            return edge_flow
        return np.bincount(
            self.group_of, edge_flow[self.grouped], minlength=self.vdf.free_time.size
        )

    def edge_time(self, element_flow: np.ndarray) -> np.ndarray:
        cost = self.vdf.cost(element_flow)
        if self.element is None:
            return cost
        out = np.zeros(self.element.size)
        out[self.grouped] = cost[self.group_of]
        return out

    def hdot(self, h: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        """``a' H b`` with H the Jacobian of element costs, for class-stacked edge directions."""
        return float((self.to_elements(a.sum(axis=0)) * h * self.to_elements(b.sum(axis=0))).sum())

    def aon(self, time: np.ndarray) -> np.ndarray:
        out = np.empty_like(self.fixed)
        for c, cls in enumerate(self.classes):
            out[c], _ = self.graph.all_or_nothing(
                time + self.fixed[c], cls.origins, cls.node_demand
            )
        return out

    def objective(self, x: np.ndarray) -> float:
        integral = self.vdf.integral(self.to_elements(x.sum(axis=0))).sum()
        return float(integral + (self.fixed * x).sum())

    def line_search(self, x: np.ndarray, s: np.ndarray) -> float:
        d = s - x
        return self.vdf.step_to_equilibrium(
            self.to_elements(x.sum(axis=0)),
            self.to_elements(d.sum(axis=0)),
            float((self.fixed * d).sum()),
            LINE_SEARCH_TOL,
        )

    def run(self, max_iterations: int, target_gap: float) -> AssignmentResult:
        vdf = self.vdf
        x = self.aon(self.edge_time(np.zeros(vdf.free_time.size)))
        history: list[tuple[int, float, float]] = []
        s_prev: np.ndarray | None = None
        s_prev2: np.ndarray | None = None
        step = 0.0
        gap = np.inf
        it = 1
        while True:
            total = self.to_elements(x.sum(axis=0))
            time = self.edge_time(total)
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
                s = _conjugate(x, y, s_prev, partial(self.hdot, vdf.derivative(total)))
            else:
                hdot = partial(self.hdot, vdf.derivative(total))
                s = _biconjugate(x, y, s_prev, s_prev2, step, hdot)
            if s is not y and float(((s - x) * cost).sum()) >= 0.0:
                # a conjugate direction that does not descend: restart from Frank-Wolfe
                s, s_prev2 = y, None
            step = self.line_search(x, s)
            x = x + step * (s - x)
            s_prev2, s_prev = s_prev, s
            if step <= STALL_STEP:
                s_prev = s_prev2 = None
        total = self.to_elements(x.sum(axis=0))
        return AssignmentResult(
            edge_flow=x.sum(axis=0),
            class_flow=x,
            edge_cost=self.edge_time(total),
            element_flow=total,
            iterations=it,
            relative_gap=float(gap),
            objective=self.objective(x),
            converged=bool(gap <= target_gap),
            algorithm=self.algorithm,
            history=history,
        )


HDot = Callable[[np.ndarray, np.ndarray], float]


def _conjugate(x: np.ndarray, y: np.ndarray, s_prev: np.ndarray, hdot: HDot) -> np.ndarray:
    d_prev = s_prev - x
    den = hdot(d_prev, y - s_prev)
    w = hdot(d_prev, y - x) / den if den != 0.0 else 0.0
    w = min(max(w, 0.0), CONJUGATE_MAX_WEIGHT)
    return w * s_prev + (1.0 - w) * y


def _biconjugate(
    x: np.ndarray, y: np.ndarray, s1: np.ndarray, s2: np.ndarray, step: float, hdot: HDot
) -> np.ndarray:
    d_bar = step * s1 - x + (1.0 - step) * s2
    den_mu = hdot(d_bar, s2 - s1)
    mu = -hdot(d_bar, y - x) / den_mu if den_mu != 0.0 else 0.0
    mu = max(mu, 0.0)
    d1 = s1 - x
    den_nu = hdot(d1, d1)
    nu = -hdot(d1, y - x) / den_nu + mu * step / (1.0 - step) if den_nu != 0.0 else 0.0
    nu = max(nu, 0.0)
    b0 = 1.0 / (1.0 + mu + nu)
    return b0 * y + nu * b0 * s1 + mu * b0 * s2
