"""Corridor assignment: regional demand on the network, congested at capacitated facilities.

Cost of an edge per tonne = routing's generalized cost per FEU (tariffs + value of time x hours,
``costs.edges.compute_edge_costs``) divided by the tonnes in a FEU. Facilities with a capacity
(``flows.capacity``: sourced, floored at the observed throughput, else estimated; crossings,
gauge-change yards, ports, ferry lines, line sections) add a queueing delay:
the M/M/1 wait of a facility serving one train every ``8760 h x t_per_train / capacity_t`` hours
(``vdf.DelayKind.QUEUE``), valued at the same value of time. A crossing's two directions share one
capacity; a line section's capacity is per direction, so each of its edges is its own element;
a quota into a country (China's) gives the crossing's entering edges an element of their own.

Demand classes: ``transit`` (containers between China and beyond Kazakhstan), ``container``
(China–Kazakhstan containers), ``bulk`` and ``transit_avoiding_ru_by`` (the share of China transit
to and from the EU, Türkiye and the Caucasus whose shippers avoid Russia and Belarus; see
``flows.route_choice``). They share the network and its congestion. All-sea (OCEAN) legs are left
out: the demand is the land-bridge rail market, not China–Europe trade as a whole.

Route choice (``route_choice=``):
- ``logit`` (default): stochastic user equilibrium, logit choice over each OD's corridor options
  (``flows.route_choice``, ``flows.logit``), solved by successive averages on path flows with the
  same queueing delays. Shippers do not all take the cheapest route: rates are negotiated,
  values of time differ, and the published split between gateways shows it.
- ``ue``: deterministic user equilibrium (bi-conjugate Frank-Wolfe), the first version of this
  layer; the Russia-avoiding class is not modelled there (it needs a path set) and is merged back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.errors import InvalidInputError, UnreachableError
from landbridge.flows import demand as dem
from landbridge.flows.assignment import AssignmentResult, DemandClass, Progress, assign
from landbridge.flows.capacity import facility_capacities
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import DelayKind, VolumeDelay
from landbridge.network.model import EdgeMode, Network
from landbridge.schema.place import Place
from landbridge.units import HOURS_PER_YEAR, TEU_PER_FEU

if TYPE_CHECKING:
    from landbridge.costs.params import Params
    from landbridge.flows.route_choice import ChoiceSet

TARGET_GAP = 1e-6
"""Relative gap at which the corridor assignment stops. Fixed tariffs dominate the total cost, so
the gap must be small for the queueing part to settle (flows change by <0.1% below 1e-6)."""
MAX_ITERATIONS = 300


@dataclass(frozen=True)
class ClassKind:
    """What a demand class is: its name, whether it is China transit through Kazakhstan (the
    published transit volume is compared with these classes) and whether its shippers avoid
    Russia and Belarus (the class routed on the avoiding options)."""

    name: str
    transit: bool = False
    avoids_ru_by: bool = False


DEMAND_CLASSES = (
    ClassKind("transit", transit=True),
    ClassKind("container"),
    ClassKind("bulk"),
    ClassKind("transit_avoiding_ru_by", transit=True, avoids_ru_by=True),
)
"""The demand classes; a class's row in the flow arrays is its position here."""
CLASS_NAMES = tuple(kind.name for kind in DEMAND_CLASSES)
TRANSIT_CLASSES = tuple(i for i, kind in enumerate(DEMAND_CLASSES) if kind.transit)
(AVOIDING_CLASS,) = (i for i, kind in enumerate(DEMAND_CLASSES) if kind.avoids_ru_by)
SUE_TOLERANCE = 1e-6
"""Residual (share of demand that would still move) at which the logit SUE stops."""
SUE_MAX_ITERATIONS = 3000
SCALE_COST_FLOOR = 1e-9
"""Smallest cheapest-path cost used in the relative logit scale (guards a zero-cost OD)."""


@dataclass(frozen=True)
class CorridorModel:
    """The network prepared for assignment: kept edges, classes' costs and congestible elements."""

    network: Network
    keep: np.ndarray  # bool [m]: edges open to the corridor assignment
    cost_usd_per_t: np.ndarray  # [m] free-flow generalized cost per tonne
    edge_element: np.ndarray  # [m] element id or -1
    element_facility: np.ndarray  # [k] facility row of each element
    vdf: VolumeDelay  # [k] queueing delay in USD/t
    value_of_time_usd_per_t_h: float
    tonnes_per_teu: float
    t_per_train: float
    capacity_basis: np.ndarray | None = None  # object [f]: how each capacity was found
    capacity_warnings: tuple[str, ...] = ()  # a scenario's capacity below the observed throughput
    element_basis: np.ndarray | None = None  # object [k]: "quota into CN" or "" (the facility's)


def class_of(row: pd.Series) -> str:
    """Demand class of an OD row (see the module docstring)."""
    if row.cargo_class == "bulk":
        return "bulk"
    if bool(getattr(row, "avoids_ru_by", False)):
        return "transit_avoiding_ru_by"
    groups = {row.origin_group, row.destination_group}
    return "container" if groups == {"CN", "KZ"} or "CN" not in groups else "transit"


def prepare(network: Network, params: Params) -> CorridorModel:
    """Edge costs per tonne, open edges and congestible elements of ``network`` under ``params``."""
    from landbridge.costs.edges import compute_edge_costs

    tonnes_per_teu = float(params.scalar("tonnes_per_teu"))
    t_per_feu = TEU_PER_FEU * tonnes_per_teu
    feu_per_train, _ = dem.figure("feu_per_train", 2021)
    t_per_train = feu_per_train * t_per_feu
    vot = float(params.scalar("value_of_time_usd_per_feu_h")) / t_per_feu
    costs = compute_edge_costs(network, params)
    cost_t = costs.weight / t_per_feu

    fac = network.facilities
    capacities = facility_capacities(fac.to_frame(), t_per_train, tonnes_per_teu)
    cap = capacities.t_per_yr
    closed = fac["closed"] if "closed" in fac else np.zeros(len(fac), dtype=bool)
    f = network.edge_facility.astype(np.int64)
    has = f >= 0
    shut = np.zeros(network.n_edges, dtype=bool)
    shut[has] = closed[f[has]] | (cap[f[has]] <= 0)
    avoided = [network.country_id(c) for c in network.meta.get("avoided_countries", [])]
    keep = (
        (network.edge_mode != EdgeMode.OCEAN)
        & ~shut
        & np.isfinite(cost_t)
        & ~np.isin(network.edge_country, [c for c in avoided if c >= 0])
    )

    capped = keep & has & np.isfinite(cap[np.where(has, f, 0)]) & (cap[np.where(has, f, 0)] > 0)
    quota_edge, quota_key, quota_cap = _quota_edges(network, keep, capacities.quotas_t, cap)
    kinds = fac["kind"] if len(fac) else np.empty(0, dtype=object)
    section = capped & (kinds[np.where(has, f, 0)] == "section") & ~quota_edge
    whole = capped & ~section & ~quota_edge
    whole_fac, whole_elem = np.unique(f[whole], return_inverse=True)
    edge_element = np.full(network.n_edges, -1, dtype=np.int64)
    edge_element[whole] = whole_elem
    sec_edges = np.flatnonzero(section)
    edge_element[sec_edges] = whole_fac.size + np.arange(sec_edges.size)
    # the trains into a quota's country: one element per facility and country, of its own capacity
    q_edges = np.flatnonzero(quota_edge)
    q_keys, q_first, q_elem = np.unique(quota_key[q_edges], return_index=True, return_inverse=True)
    edge_element[q_edges] = whole_fac.size + sec_edges.size + q_elem
    q_fac = f[q_edges[q_first]]
    element_facility = np.concatenate([whole_fac, f[sec_edges], q_fac]).astype(np.int64)
    k = element_facility.size
    capacity = (
        np.concatenate([cap[whole_fac], cap[f[sec_edges]], quota_cap[q_edges[q_first]]])
        if k
        else np.zeros(0)
    )
    service_h = HOURS_PER_YEAR * t_per_train / capacity if k else np.zeros(0)
    n_countries = len(network.countries)
    quota_of = [f"quota into {network.countries[int(q) % n_countries]}" for q in q_keys]
    element_basis = np.array([""] * (k - len(quota_of)) + quota_of, dtype=object)
    vdf = VolumeDelay(
        free_time=np.zeros(k),
        capacity=capacity.astype(float),
        alpha=service_h * vot,
        beta=np.zeros(k),
        kind=np.full(k, int(DelayKind.QUEUE), dtype=np.int8),
    )
    return CorridorModel(
        network, keep, cost_t, edge_element, element_facility, vdf, vot, tonnes_per_teu,
        t_per_train, capacities.basis, capacities.warnings, element_basis,
    )  # fmt: skip


def _quota_edges(
    network: Network, keep: np.ndarray, quotas_t: dict[str, np.ndarray], cap: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open edges entering a country through a facility with a quota into it: (mask, a key per
    facility and country, capacity t/yr = the quota, at most the facility's own capacity)."""
    m = network.n_edges
    mask, key, limit = np.zeros(m, dtype=bool), np.full(m, -1, np.int64), np.full(m, np.nan)
    f = network.edge_facility.astype(np.int64)
    fs = np.where(f >= 0, f, 0)
    entered = network.node_country[network.edge_dst].astype(np.int64)
    for country, quota in quotas_t.items():
        cid = network.country_id(country)
        if cid < 0:
            continue
        ok = np.isfinite(quota) & (quota > 0)
        edges = keep & (f >= 0) & ok[fs] & (entered == cid) & ~mask
        mask |= edges
        key[edges] = f[edges] * len(network.countries) + cid
        limit[edges] = np.fmin(quota[fs[edges]], cap[fs[edges]])
    return mask, key, limit


def snap_regions(
    network: Network, region_ids: list[str], skip_unreachable: bool = False
) -> dict[str, int]:
    """Network node of each region's representative place (nearest rail node, own country).

    With ``skip_unreachable`` a region with no rail node within the snapping limit (e.g. a
    scenario removed its country's lines) is left out of the mapping instead of raising.
    """
    from landbridge.places.snap import snap_to_network

    regions = dem.load_regions()
    out = {}
    for rid in region_ids:
        if rid not in regions.index:
            raise InvalidInputError(f"demand names unknown region '{rid}' (see regions.csv)")
        r = regions.loc[rid].to_dict()
        place = Place(
            place_id=f"region:{rid}", name=str(r["name"]), kind="city", country=str(r["country"]),
            lat=float(r["lat"]), lon=float(r["lon"]),
        )  # fmt: skip
        try:
            out[rid] = snap_to_network(place, network)
        except UnreachableError:
            if not skip_unreachable:
                raise
    return out


def split_unreachable(
    model: CorridorModel, od: pd.DataFrame, nodes: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(servable rows, rows whose regions are cut off or have no path on the open edges)."""
    net = model.network
    snapped = od.origin.isin(nodes.keys()) & od.destination.isin(nodes.keys())
    o = od.origin.map(nodes).fillna(-1).to_numpy(np.int64)
    d = od.destination.map(nodes).fillna(-1).to_numpy(np.int64)
    ok = snapped.to_numpy().copy()
    if ok.any():
        graph = PairGraph(net.edge_src[model.keep], net.edge_dst[model.keep], net.n_nodes)
        origins, row = np.unique(o[ok], return_inverse=True)
        reach = graph.reachable(origins)
        ok[ok] = reach[row, d[ok]]
    return od[ok], od[~ok]


def demand_classes(
    model: CorridorModel, od: pd.DataFrame, nodes: dict[str, int]
) -> list[DemandClass]:
    n = model.network.n_nodes
    cls = od.apply(class_of, axis=1) if len(od) else pd.Series(dtype=str)
    out = []
    for name in CLASS_NAMES:
        part = od[cls == name]
        o = part.origin.map(nodes).to_numpy(np.int64)
        d = part.destination.map(nodes).to_numpy(np.int64)
        t = part.t_per_yr.to_numpy(float)
        live = (o != d) & (t > 0)
        origins, row = np.unique(o[live], return_inverse=True)
        table = np.zeros((origins.size, n))
        np.add.at(table, (row, d[live]), t[live])
        out.append(DemandClass(name, origins, table, fixed_cost=model.cost_usd_per_t[model.keep]))
    return out


def assign_corridor(
    model: CorridorModel, classes: list[DemandClass], progress: Progress | None = None
) -> tuple[AssignmentResult, np.ndarray]:
    """Equilibrium on the open edges; returns the result and class flows over all m edges."""
    net = model.network
    keep = model.keep
    graph = PairGraph(net.edge_src[keep], net.edge_dst[keep], net.n_nodes)
    live = [c for c in classes if c.origins.size]
    if not live:
        k = model.vdf.free_time.size
        empty = AssignmentResult(
            edge_flow=np.zeros(int(keep.sum())), class_flow=np.zeros((0, int(keep.sum()))),
            edge_cost=np.zeros(int(keep.sum())), element_flow=np.zeros(k), iterations=0,
            relative_gap=0.0, objective=0.0, converged=True, algorithm="bfw",
        )  # fmt: skip
        return empty, np.zeros((len(classes), net.n_edges))
    res = assign(
        graph, model.vdf, live, "bfw", max_iterations=MAX_ITERATIONS, target_gap=TARGET_GAP,
        progress=progress, edge_element=model.edge_element[keep],
    )  # fmt: skip
    flows = np.zeros((len(classes), net.n_edges))
    j = 0
    for i, c in enumerate(classes):
        if c.origins.size:
            flows[i, keep] = res.class_flow[j]
            j += 1
    return res, flows


def class_entries(classes: list[DemandClass]) -> pd.DataFrame:
    """One row per (class, origin node, destination node) with demand: ``cls, o, d, t``."""
    parts = []
    for ci, c in enumerate(classes):
        row, d = np.nonzero(c.node_demand > 0)
        o = c.origins[row]
        live = o != d
        parts.append(pd.DataFrame({
            "cls": ci, "o": o[live], "d": d[live], "t": c.node_demand[row, d][live],
        }))  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=["cls", "o", "d", "t"])
    return pd.concat(parts, ignore_index=True)


def assign_logit(
    model: CorridorModel,
    choice: ChoiceSet,
    theta: float,
    progress: Progress | None = None,
    path_constant: np.ndarray | None = None,
) -> tuple[AssignmentResult, np.ndarray, np.ndarray]:
    """Logit SUE on ``choice`` (a ``route_choice.ChoiceSet``); returns the result, class flows
    over all m edges and the path flows. Entries without a path carry nothing.
    ``path_constant`` (USD/t per path) adds the calibrated gateway constants to the perceived
    cost (``flows.calibration``)."""
    from landbridge.flows.logit import solve_sue

    net = model.network
    m = net.n_edges
    served = ~choice.no_path
    demand = np.where(served, choice.entry_demand, 0.0)
    best = np.where(np.isfinite(choice.entry_best), choice.entry_best, 1.0)
    scale = theta / np.maximum(best, SCALE_COST_FLOOR)
    fixed = np.where(model.keep, model.cost_usd_per_t, 0.0)
    sue = solve_sue(
        choice.incidence, choice.entry, demand, scale, fixed, model.edge_element, model.vdf,
        max_iterations=SUE_MAX_ITERATIONS, tolerance=SUE_TOLERANCE, path_constant=path_constant,
    )  # fmt: skip
    if progress is not None:
        progress(sue.iterations, sue.residual, float(sue.path_flow @ sue.path_cost))
    flows = np.zeros((len(CLASS_NAMES), m))
    path_class = choice.entry_class[choice.entry]
    for ci in range(len(CLASS_NAMES)):
        mine = path_class == ci
        if mine.any():
            flows[ci] = choice.incidence[mine].T @ sue.path_flow[mine]
    has = model.edge_element >= 0
    edge_cost = np.zeros(m)
    edge_cost[has] = model.vdf.cost(sue.element_flow)[model.edge_element[has]]
    keep = model.keep
    res = AssignmentResult(
        edge_flow=sue.edge_flow[keep], class_flow=flows[:, keep], edge_cost=edge_cost[keep],
        element_flow=sue.element_flow, iterations=sue.iterations, relative_gap=sue.residual,
        objective=float(sue.path_flow @ sue.path_cost), converged=sue.converged,
        algorithm="logit-sue",
    )  # fmt: skip
    return res, flows, sue.path_flow
