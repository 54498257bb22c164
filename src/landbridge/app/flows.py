"""Use case: corridor flows at equilibrium (``landbridge flows``, the API's flows job, the
scenario runner's flows step)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from landbridge.costs.params import Params
from landbridge.network.model import Network
from landbridge.schema.flows import FlowsRequest, FlowsResult
from landbridge.schema.scenario import Scenario

AssignmentProgress = Callable[[int, float, float], None]
"""``progress(iteration, relative_gap, objective)`` of the assignment."""
Stage = Callable[[str], None]
"""Called with ``loaded`` (network and demand read) and ``prepared`` (scenario applied)."""


def run_flows(
    request: FlowsRequest,
    scenario: Scenario | None = None,
    source: str = "<scenario>",
    demand_file: str | None = None,
    progress: AssignmentProgress | None = None,
    stage: Stage | None = None,
) -> FlowsResult:
    """Assign the demand of the request's year (or the scenario's) after the scenario, if any,
    with the scenario's parameter set (``base.params``).

    ``demand_file`` (the CLI's ``--demand``) replaces the bundled demand of the year, and so does
    a scenario's CSV ``base.demand`` (read as the scenario runner reads it). The
    result's notes say how recent the dated data of the year's middle are and where the demand
    came from.
    """
    from landbridge.app.base import base_demand, base_params, bundled_demand, flows_year
    from landbridge.flows.demand import DEFAULT_YEAR, load_demand

    params = base_params(scenario)
    tonnes_per_teu = params.scalar("tonnes_per_teu")
    run_params: Params | None = params
    network: Network | None = None
    demand: pd.DataFrame | None = None
    year = request.year
    if scenario is not None:
        year = year or flows_year(scenario)
    year = year or DEFAULT_YEAR
    if demand_file is not None:
        from landbridge.flows.demand_file import read_demand_file

        demand = read_demand_file(demand_file, year, tonnes_per_teu)
    elif scenario is not None and not bundled_demand(scenario.base.demand):
        demand = base_demand(scenario, tonnes_per_teu)
    if stage is not None:
        stage("loaded")
    if scenario is not None:
        from landbridge.network import load_network
        from landbridge.scenarios.apply import apply_scenario

        network, run_params, demand = apply_scenario(
            scenario, load_network(), params, load_demand(year) if demand is None else demand,
            source=source, annual=True,
        )  # fmt: skip
    if stage is not None:
        stage("prepared")
    result = assign(network, run_params, demand, year, request, progress)
    if demand_file is not None and demand is not None:
        from landbridge.flows.demand_file import PLACE_MAPPING

        result.notes.append(f"demand from {demand_file} ({len(demand):,} OD rows)")
        result.notes.extend(f"place {m}" for m in demand.attrs.get(PLACE_MAPPING, []))
    return result


def assign(
    network: Network | None,
    params: Params | None,
    demand: pd.DataFrame | None,
    year: int,
    request: FlowsRequest,
    progress: AssignmentProgress | None = None,
) -> FlowsResult:
    """The assignment of a prepared base (``None``: the bundled one), with the data-date note."""
    from datetime import date

    from landbridge.flows.run import run_flows as assign_demand
    from landbridge.staleness import newest_data_note

    result = assign_demand(
        year, request.growth_pct, network, params, demand, progress=progress,
        hard_capacity=request.max_throughput, route_choice=request.route_choice,
        dispersion=request.dispersion, avoid_share=request.avoid_share,
        calibrated=request.calibrated,
    )  # fmt: skip
    result.notes.append(newest_data_note(date(year, 7, 1)) + " (the middle of the year)")
    return result
