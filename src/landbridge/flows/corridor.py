"""Corridor assignment: regional demand on the network, congested at capacitated facilities.

Cost of an edge per tonne = routing's generalized cost per FEU (tariffs + value of time x hours,
``costs.edges.compute_edge_costs``) divided by the tonnes in a FEU. Facilities with a capacity
(``flows.capacity``: sourced, floored at the observed throughput, else estimated; crossings,
gauge-change yards, ports, ferry lines, line sections) add a queueing delay:
the M/M/1 wait of a facility serving one train every ``8760 h x t_per_train / capacity_t`` hours
(``vdf.DelayKind.QUEUE``), valued at the same value of time. A crossing's two directions share one
capacity; a line section's capacity is per direction, so each of its edges is its own element.

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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.errors import InvalidInputError, NetworkDataError, UnreachableError
from landbridge.flows import demand as dem
from landbridge.flows.assignment import AssignmentResult, DemandClass, assign
from landbridge.flows.capacity import facility_capacities
from landbridge.flows.shortest import PairGraph
from landbridge.flows.vdf import DelayKind, VolumeDelay
from landbridge.network.model import EdgeMode, Network
from landbridge.schema.flows import (
    AssignmentSummary,
    Bottleneck,
    Calibration,
    CorridorShare,
    FlowsResult,
)
from landbridge.schema.place import Place
from landbridge.units import HOURS_PER_YEAR, TEU_PER_FEU

if TYPE_CHECKING:
    from landbridge.flows.route_choice import ChoiceSet

TARGET_GAP = 1e-6
"""Relative gap at which the corridor assignment stops. Fixed tariffs dominate the total cost, so
the gap must be small for the queueing part to settle (flows change by <0.1% below 1e-6)."""
MAX_ITERATIONS = 300
CLASS_NAMES = ("transit", "container", "bulk", "transit_avoiding_ru_by")
TRANSIT_CLASSES = (0, 3)
AVOIDING_CLASS = 3
ROUTE_CHOICES = ("logit", "ue")
SUE_TOLERANCE = 1e-6
"""Residual (share of demand that would still move) at which the logit SUE stops."""
SUE_MAX_ITERATIONS = 3000
SCALE_COST_FLOOR = 1e-9
"""Smallest cheapest-path cost used in the relative logit scale (guards a zero-cost OD)."""
DOSTYK, ALTYNKOL = "alashankou-dostyk", "khorgos-altynkol"
GROWTH_MIN_PCT, GROWTH_MAX_PCT = -100.0, 1000.0

Progress = Callable[[int, float, float], None]


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


def class_of(row: pd.Series) -> str:
    """Demand class of an OD row (see the module docstring)."""
    if row.cargo_class == "bulk":
        return "bulk"
    if bool(getattr(row, "avoids_ru_by", False)):
        return "transit_avoiding_ru_by"
    groups = {row.origin_group, row.destination_group}
    return "container" if groups == {"CN", "KZ"} or "CN" not in groups else "transit"


def prepare(network: Network, params) -> CorridorModel:  # type: ignore[no-untyped-def]
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
    capacities = facility_capacities(fac, t_per_train, tonnes_per_teu)
    cap = capacities.t_per_yr
    closed = (
        fac["closed"].astype(str).str.lower().isin(("true", "1")).to_numpy()
        if "closed" in fac
        else np.zeros(len(fac), dtype=bool)
    )
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
    kinds = fac["kind"].astype(str).to_numpy() if len(fac) else np.empty(0, dtype=object)
    section = capped & (kinds[np.where(has, f, 0)] == "section")
    whole = capped & ~section
    whole_fac, whole_elem = np.unique(f[whole], return_inverse=True)
    edge_element = np.full(network.n_edges, -1, dtype=np.int64)
    edge_element[whole] = whole_elem
    sec_edges = np.flatnonzero(section)
    edge_element[sec_edges] = whole_fac.size + np.arange(sec_edges.size)
    element_facility = np.concatenate([whole_fac, f[sec_edges]]).astype(np.int64)
    k = element_facility.size
    capacity = cap[element_facility] if k else np.zeros(0)
    service_h = HOURS_PER_YEAR * t_per_train / capacity if k else np.zeros(0)
    vdf = VolumeDelay(
        free_time=np.zeros(k),
        capacity=capacity.astype(float),
        alpha=service_h * vot,
        beta=np.zeros(k),
        kind=np.full(k, int(DelayKind.QUEUE), dtype=np.int8),
    )
    return CorridorModel(
        network, keep, cost_t, edge_element, element_facility, vdf, vot, tonnes_per_teu,
        t_per_train, capacities.basis,
    )  # fmt: skip


def snap_regions(
    network: Network, region_ids: list[str], skip_unreachable: bool = False
) -> dict[str, int]:
    """Network node of each region's representative place (nearest rail node, own country).

    With ``skip_unreachable`` a region with no rail node within the snapping limit (e.g. a
    scenario removed its country's lines) is left out of the mapping instead of raising.
    """
    from landbridge.network.snap import snap_to_network

    regions = dem.load_regions()
    out = {}
    for rid in region_ids:
        if rid not in regions.index:
            raise InvalidInputError(f"demand names unknown region '{rid}' (see regions.csv)")
        r = regions.loc[rid]
        place = Place(
            place_id=f"region:{rid}", name=str(r["name"]), kind="city", country=str(r.country),
            lat=float(r.lat), lon=float(r.lon),
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


@dataclass(frozen=True)
class PreparedRun:
    """Everything of a flows run that does not depend on the gateway constants."""

    year: int
    growth_pct: float
    route_choice: str
    theta: float | None
    share_used: float | None
    model: CorridorModel
    od: pd.DataFrame
    nodes: dict[str, int]
    unserved: pd.DataFrame
    classes: list[DemandClass]
    choice: ChoiceSet | None  # generated with calibration.GENERATION_RATIO
    terms: object | None  # calibration.PathTerms of ``choice``


def prepare_run(
    year: int = dem.DEFAULT_YEAR,
    growth_pct: float = 0.0,
    network: Network | None = None,
    params=None,  # type: ignore[no-untyped-def]
    demand: pd.DataFrame | None = None,
    route_choice: str = "logit",
    dispersion: float | None = None,
    avoid_share: float | None = None,
    need_choice_set: bool = False,
) -> PreparedRun:
    """Checked inputs, the prepared network, snapped demand and the generated choice set."""
    from landbridge.flows import calibration as cal
    from landbridge.flows import route_choice as rc

    if not GROWTH_MIN_PCT < growth_pct <= GROWTH_MAX_PCT:
        raise InvalidInputError(
            f"growth {growth_pct:g}% is out of range; give a percentage in "
            f"({GROWTH_MIN_PCT:g}, {GROWTH_MAX_PCT:g}]"
        )
    if year not in dem.YEARS:
        raise InvalidInputError(
            f"no demand for year {year}; available: {', '.join(map(str, dem.YEARS))}"
        )
    if route_choice not in ROUTE_CHOICES:
        raise InvalidInputError(
            f"unknown route choice '{route_choice}'; use one of {', '.join(ROUTE_CHOICES)}"
        )
    if dispersion is not None and not (np.isfinite(dispersion) and dispersion > 0):
        raise InvalidInputError(f"dispersion {dispersion:g} must be a positive number")
    if network is None:
        from landbridge.network import load_network

        network = load_network()
    if params is None:
        from landbridge.costs.params import load_default_params

        params = load_default_params()
    od = dem.load_demand(year) if demand is None else demand.copy()
    missing = [c for c in dem.OD_COLUMNS if c not in od.columns and c != "source_ids"]
    if missing:
        raise InvalidInputError(f"demand table lacks columns {missing}")
    scale = 1.0 + growth_pct / 100.0
    od["t_per_yr"] = od.t_per_yr.astype(float) * scale
    od["teu_per_yr"] = od.teu_per_yr.astype(float) * scale
    logit = route_choice == "logit"
    theta = rc.dispersion().mid if dispersion is None and logit else dispersion
    share_used = None
    if logit:
        if avoid_share is not None:
            share_used = avoid_share
        elif rc.AVOID_COLUMN not in od:
            share_used = rc.avoiding_share()[0]
        od = rc.split_avoiding(od, avoid_share)

    model = prepare(network, params)
    nodes = snap_regions(network, sorted(set(od.origin) | set(od.destination)), True)
    served, unserved = split_unreachable(model, od, nodes)
    classes = demand_classes(model, served, nodes)
    choice = terms = None
    if logit or need_choice_set:
        entries = class_entries(classes)
        choice = rc.build_choice_set(
            network, model.cost_usd_per_t, model.keep, entries, AVOIDING_CLASS,
            max_cost_ratio=cal.GENERATION_RATIO,
        )  # fmt: skip
        need = pd.DataFrame({
            "cls": served.apply(class_of, axis=1).map(CLASS_NAMES.index) if len(served) else [],
            "o": served.origin.map(nodes), "d": served.destination.map(nodes),
            "need": cal.route_requirement(served),
        })  # fmt: skip
        bits = need.groupby(["cls", "o", "d"]).need.agg(np.bitwise_or.reduce)
        index = pd.MultiIndex.from_arrays([entries.cls, entries.o, entries.d])
        through = bits.reindex(index).fillna(0).to_numpy(np.int64)
        terms = cal.path_terms(network, choice, through)
    return PreparedRun(
        year, growth_pct, route_choice, theta, share_used, model, od, nodes, unserved, classes,
        choice, terms,
    )  # fmt: skip


def run_flows(
    year: int = dem.DEFAULT_YEAR,
    growth_pct: float = 0.0,
    network: Network | None = None,
    params=None,  # type: ignore[no-untyped-def]
    demand: pd.DataFrame | None = None,
    progress: Progress | None = None,
    hard_capacity: bool = False,
    route_choice: str = "logit",
    dispersion: float | None = None,
    avoid_share: float | None = None,
    calibrated: bool = True,
) -> FlowsResult:
    """Assign ``year``'s demand (scaled by ``growth_pct``) and report bottlenecks and calibration.

    ``network``, ``params`` and ``demand`` default to the bundled ones; the scenario runner passes
    modified copies. ``hard_capacity`` adds the maximum throughput of all corridor options when
    every capacity is a hard limit (``flows.throughput``). ``route_choice`` is ``logit`` (SUE) or
    ``ue``; ``dispersion`` overrides the logit scale ``theta`` and ``avoid_share`` the share of
    Russia-avoiding shippers (both default to the derived values in ``flows.route_choice``).
    ``calibrated`` applies the gateway constants of ``route_constants.csv`` (``flows.calibration``);
    ``False`` sets them to zero (the route-defined segments stay).
    """
    from landbridge.flows import calibration as cal

    run = prepare_run(
        year, growth_pct, network, params, demand, route_choice, dispersion, avoid_share,
        need_choice_set=hard_capacity,
    )  # fmt: skip
    constants = cal.load_constants() if calibrated else cal.RouteConstants.zero()
    return evaluate(run, constants, progress, hard_capacity)


def evaluate(
    run: PreparedRun,
    constants,  # type: ignore[no-untyped-def]
    progress: Progress | None = None,
    hard_capacity: bool = False,
) -> FlowsResult:
    """Assign a prepared run under the gateway ``constants`` (``calibration.RouteConstants``)."""
    from landbridge.flows import calibration as cal
    from landbridge.flows import route_choice as rc

    model, classes, od, unserved = run.model, run.classes, run.od, run.unserved
    network = model.network
    logit = run.route_choice == "logit"
    choice = None
    path_constant = None
    if run.choice is not None:
        offered = cal.offer(run.choice, run.terms, constants, rc.MAX_COST_RATIO)
        choice, path_constant = offered.choice, offered.path_constant
    cut_t = 0.0
    if logit:
        res, flows, _ = assign_logit(model, choice, float(run.theta), progress, path_constant)
        cut_t = float(choice.entry_demand[choice.no_path].sum())
        if cut_t:
            classes = _without(classes, choice)
    else:
        res, flows = assign_corridor(model, classes, progress)
    notes = _notes(network, run.growth_pct)
    if logit:
        avoided = float(od.loc[od.avoids_ru_by, "t_per_yr"].sum())
        notes.append(
            f"logit route choice over corridor options, dispersion theta = {run.theta:.3g}; "
            f"{avoided / 1e6:,.2f} Mt/yr of China–EU/Türkiye/Caucasus transit avoids Russia "
            "and Belarus"
        )
        notes.append(_constants_note(constants))
    if len(unserved):
        cut = sorted((set(unserved.origin) | set(unserved.destination)) - set(run.nodes))
        notes.append(
            f"{unserved.t_per_yr.sum() / 1e6:,.2f} Mt/yr of demand ({len(unserved)} OD rows) has "
            "no path on this network and is left out"
            + (f"; regions without a rail node: {', '.join(cut)}" if cut else "")
        )
    if cut_t:
        notes.append(
            f"{cut_t / 1e6:,.2f} Mt/yr of demand has no path on the offered options (without "
            "Russia and Belarus, or through a China–Kazakhstan gateway) and is left out"
        )
    limit = None
    if hard_capacity:
        from landbridge.flows.throughput import max_throughput

        limit = max_throughput(model, choice)
    return FlowsResult(
        year=run.year,
        growth_pct=run.growth_pct,
        demand_t=float(od.t_per_yr.sum()),
        unserved_t=float(unserved.t_per_yr.sum()) + cut_t,
        demand_teu=float(od.teu_per_yr.sum()),
        bottlenecks=bottlenecks(model, res, flows),
        corridor_shares=corridor_shares(model, flows, classes),
        calibration=calibration(model, flows, run.year, cal.bundled_demand(od)),
        assignment=AssignmentSummary(
            algorithm=res.algorithm,
            iterations=res.iterations,
            relative_gap=res.relative_gap,
            converged=res.converged,
            objective=res.objective,
            dispersion=run.theta if logit else None,
            avoid_share=run.share_used,
        ),  # fmt: skip
        max_throughput=limit,
        notes=notes,
    )


def _constants_note(constants) -> str:  # type: ignore[no-untyped-def]
    parts = ", ".join(f"{k} {v:+.1f} USD/t" for k, v in constants.values.items())
    how = f"estimated on {constants.estimated_on}" if constants.estimated_on else "not estimated"
    return f"gateway constants ({constants.status}, {how}): {parts}"


def _without(classes: list[DemandClass], choice: ChoiceSet) -> list[DemandClass]:
    """Classes with the demand of entries that have no path removed."""
    out = [DemandClass(c.name, c.origins, c.node_demand.copy(), c.fixed_cost) for c in classes]
    for i in np.flatnonzero(choice.no_path):
        c = out[int(choice.entry_class[i])]
        row = np.searchsorted(c.origins, choice.entry_origin[i])
        c.node_demand[row, choice.entry_destination[i]] = 0.0
    return out


def _facility_rows(network: Network, facility_id: str) -> np.ndarray:
    return np.flatnonzero(network.facilities["facility_id"].astype(str).to_numpy() == facility_id)


def _facility_edges(network: Network, rows: np.ndarray) -> np.ndarray:
    return np.isin(network.edge_facility, rows)


def bottlenecks(model: CorridorModel, res: AssignmentResult, flows: np.ndarray) -> list[Bottleneck]:
    """Capacitated facilities ranked by utilization (sections by their busiest edge)."""
    net = model.network
    fac = net.facilities
    element_flow = res.element_flow
    delay_h = model.vdf.cost(element_flow) / model.value_of_time_usd_per_t_h
    container = flows[[*TRANSIT_CLASSES, CLASS_NAMES.index("container")]].sum(axis=0)
    keep = model.keep
    elem_of_kept = model.edge_element[keep]
    container_elem = np.bincount(
        elem_of_kept[elem_of_kept >= 0], container[keep][elem_of_kept >= 0],
        minlength=element_flow.size,
    )  # fmt: skip
    util = element_flow / model.vdf.capacity
    rows = []
    for frow in np.unique(model.element_facility):
        elems = np.flatnonzero(model.element_facility == frow)
        e = elems[np.argmax(util[elems])]
        r = fac.iloc[int(frow)]
        rows.append(dict(
            facility_id=str(r.facility_id), name=str(r["name"]), kind=str(r.kind),
            countries=str(r.countries), flow_t=float(element_flow[e]),
            container_t=float(container_elem[e]),
            flow_teu=float(container_elem[e] / model.tonnes_per_teu),
            capacity_basis=(
                "sourced" if model.capacity_basis is None else str(model.capacity_basis[int(frow)])
            ),
            capacity_t=float(model.vdf.capacity[e]), utilization=float(util[e]),
            delay_h=float(delay_h[e]),
        ))  # fmt: skip
    rows.sort(key=lambda b: -b["utilization"])
    return [Bottleneck(rank=i + 1, **b) for i, b in enumerate(rows)]


def _caspian_edges(net: Network) -> np.ndarray:
    """Sea legs touching a Kazakh port (each tonne crosses the Caspian on one such edge)."""
    kz = net.country_id("KZ")
    sea = net.edge_mode == EdgeMode.SEA
    touches = (net.node_country[net.edge_src] == kz) | (net.node_country[net.edge_dst] == kz)
    return sea & touches & (kz >= 0)


def corridor_shares(
    model: CorridorModel, flows: np.ndarray, classes: list[DemandClass]
) -> list[CorridorShare]:
    """Where China's transit flow crosses: each Chinese border facility, and the Caspian."""
    net = model.network
    transit = flows[list(TRANSIT_CLASSES)].sum(axis=0)
    total = float(sum(classes[c].node_demand.sum() for c in TRANSIT_CLASSES))
    if total <= 0:
        return []
    fac = net.facilities
    cn_border = fac.countries.astype(str).str.split("-").apply(lambda c: "CN" in c) & fac.kind.isin(
        ("crossing", "gauge_change")
    )
    out = []
    for frow in np.flatnonzero(cn_border.to_numpy()):
        t = float(transit[net.edge_facility == frow].sum())
        if t > 0:
            out.append(
                CorridorShare(corridor=str(fac.iloc[frow]["name"]), flow_t=t, share=t / total)
            )
    caspian = float(transit[_caspian_edges(net)].sum())
    out.append(CorridorShare(corridor="Caspian Sea (Middle Corridor)", flow_t=caspian,
                             share=caspian / total))  # fmt: skip
    out.sort(key=lambda s: -s.flow_t)
    return out


def published_calibration(year: int) -> list[dict]:
    """Published (or derived) volumes for the calibration elements, with their derivation."""
    totals = dem.cn_kz_totals(year)
    total, _, s_total = totals["total"]
    if year == 2025:
        altyn_t, s3 = dem.figure("altynkol_t", 2025)
        part, s1, s2 = total, s_total, s_total
        d_share, a_share = 1.0 - altyn_t / total, altyn_t / total
        how = "Altynkol published for the year; Dostyk = year total - Altynkol"
    elif year == 2024:
        part, s1 = dem.figure("cn_kz_janapr_t", 2024)
        dostyk, s2 = dem.figure("dostyk_janapr_t", 2024)
        altyn, s3 = dem.figure("altynkol_janapr_t", 2024)
        d_share, a_share = dostyk / part, altyn / part
        how = "year total x Jan–Apr 2024 crossing share"
    else:
        part, s1 = dem.figure("cn_kz_jansep_t", 2023)
        altyn, s3 = dem.figure("altynkol_jansep_t", 2023)
        s2 = s1
        a_share = altyn / part
        d_share = 1.0 - a_share
        how = "year total x Jan–Sep 2023 crossing share (Dostyk = total - Altynkol)"
    titr, s_titr = dem.figure("titr_t", year)
    transit, how_tr, s_tr = totals["transit"]
    return [
        dict(element="Dostyk–Alashankou", published=total * d_share, unit="t/yr",
             source=f"{s_total};{s1};{s2}", note=f"derived: {how}"),
        dict(element="Altynkol–Khorgos", published=total * a_share, unit="t/yr",
             source=f"{s_total};{s1};{s3}", note=f"derived: {how}"),
        dict(element="Middle Corridor (TITR)", published=titr, unit="t/yr", source=s_titr,
             note="published TITR volume, all cargo"),
        dict(element="Chinese transit through Kazakhstan", published=transit, unit="t/yr",
             source=s_tr, note=how_tr),
    ]  # fmt: skip


NOT_COMPARABLE = (
    "not comparable: the demand is not the bundled demand of the year (rows of other segments), "
    "so the published volumes are not its targets"
)


def calibration(
    model: CorridorModel, flows: np.ndarray, year: int, comparable: bool = True
) -> list[Calibration]:
    """Published vs modelled elements; without an error when the demand is not the bundled one."""
    net = model.network
    total = flows.sum(axis=0)
    transit = flows[list(TRANSIT_CLASSES)].sum(axis=0)
    dostyk = _facility_edges(net, _facility_rows(net, DOSTYK))
    altyn = _facility_edges(net, _facility_rows(net, ALTYNKOL))
    modelled = [
        float(total[dostyk].sum()) if dostyk.any() else np.nan,
        float(total[altyn].sum()) if altyn.any() else np.nan,
        float(total[_caspian_edges(net)].sum()) if _caspian_edges(net).any() else np.nan,
        float(transit[dostyk | altyn].sum()) if (dostyk | altyn).any() else np.nan,
    ]
    out = []
    for pub, mod in zip(published_calibration(year), modelled, strict=True):
        src = ";".join(dict.fromkeys(s for s in pub["source"].split(";") if s))
        note = pub["note"]
        if not np.isfinite(mod):
            note += "; the network has no such element, so nothing is modelled"
        err = (mod - pub["published"]) / pub["published"] * 100 if np.isfinite(mod) else None
        if not comparable:
            err, note = None, f"{NOT_COMPARABLE}; {note}"
        out.append(Calibration(
            element=pub["element"], year=year, published=pub["published"],
            modelled=mod if np.isfinite(mod) else 0.0, unit=pub["unit"], error_pct=err,
            source=src, note=note,
        ))  # fmt: skip
    return out


def _notes(network: Network, growth_pct: float) -> list[str]:
    notes = [
        "all-sea (ocean) legs are not part of the assignment: the demand is the rail market",
        "queueing delay: M/M/1 wait per train at each capacitated facility, linear beyond 95% "
        "utilization (a utilization above 1 means demand exceeds capacity)",
    ]
    if growth_pct:
        notes.append(
            f"demand scaled by {growth_pct:+g}%: calibration compares against the base-year "
            "published volumes"
        )
    if not (network.edge_mode == EdgeMode.SEA).any():
        notes.append("the network has no sea links, so no flow can use the Caspian crossing")
    return notes


def require_network_facilities(network: Network) -> None:
    """Fail early with a clear message when the network lacks the facilities table."""
    if "facility_id" not in network.facilities or "kind" not in network.facilities:
        raise NetworkDataError("the network's facilities table lacks facility_id/kind columns")
