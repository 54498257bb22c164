"""A flows run: checked inputs, the corridor model, route choice and the result with its notes.

``run_flows`` is the use case every face calls; ``prepare_run`` + ``evaluate`` split it so the
gateway-constant estimator (``flows.estimate``) prepares a year once and evaluates it many times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.errors import InvalidInputError
from landbridge.flows import demand as dem
from landbridge.flows.assignment import DemandClass, Progress
from landbridge.flows.corridor import (
    AVOIDING_CLASS,
    CLASS_NAMES,
    CorridorModel,
    assign_corridor,
    assign_logit,
    class_entries,
    class_of,
    demand_classes,
    prepare,
    snap_regions,
    split_unreachable,
)
from landbridge.flows.published import calibration
from landbridge.flows.usage import bottlenecks, corridor_shares
from landbridge.network.model import EdgeMode, Network
from landbridge.schema.flows import (
    AssignmentSummary,
    FlowsResult,
)

if TYPE_CHECKING:
    from landbridge.costs.params import Params
    from landbridge.flows.calibration import PathTerms, RouteConstants
    from landbridge.flows.route_choice import ChoiceSet

ROUTE_CHOICES = ("logit", "ue")
GROWTH_MIN_PCT, GROWTH_MAX_PCT = -100.0, 1000.0


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
    terms: PathTerms | None  # of ``choice``


def prepare_run(
    year: int = dem.DEFAULT_YEAR,
    growth_pct: float = 0.0,
    network: Network | None = None,
    params: Params | None = None,
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
    params: Params | None = None,
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
    constants: RouteConstants,
    progress: Progress | None = None,
    hard_capacity: bool = False,
) -> FlowsResult:
    """Assign a prepared run under the gateway ``constants`` (``calibration.RouteConstants``)."""
    from landbridge.flows import calibration as cal
    from landbridge.flows import route_choice as rc

    model, classes, od, unserved = run.model, run.classes, run.od, run.unserved
    network = model.network
    logit = run.route_choice == "logit"
    choice: ChoiceSet | None = None
    path_constant = None
    if run.choice is not None and run.terms is not None:
        offered = cal.offer(run.choice, run.terms, constants, rc.MAX_COST_RATIO)
        choice, path_constant = offered.choice, offered.path_constant
    if (logit or hard_capacity) and choice is None:
        raise ValueError("a logit or hard-capacity run needs prepare_run(need_choice_set=True)")
    cut_t = 0.0
    if logit and choice is not None:
        theta = float(run.theta) if run.theta is not None else float("nan")
        res, flows, _ = assign_logit(model, choice, theta, progress, path_constant)
        cut_t = float(choice.entry_demand[choice.no_path].sum())
        if cut_t:
            classes = _without(classes, choice)
    else:
        res, flows = assign_corridor(model, classes, progress)
    notes = [*_notes(network, run.growth_pct), *(f"warning: {w}" for w in model.capacity_warnings)]
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
    if hard_capacity and choice is not None:
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


def _constants_note(constants: RouteConstants) -> str:
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
