"""Use case: simulate the 2023 corridor, optionally with a scenario (``landbridge simulate``,
the API's simulation job, the scenario runner's simulation step)."""

from __future__ import annotations

from collections.abc import Callable

from landbridge.schema.scenario import Scenario
from landbridge.schema.sim import SimulationRequest
from landbridge.sim.run import SimResult
from landbridge.sim.system import CorridorSystem

ReplicationProgress = Callable[[int, int], None]
"""``progress(done, total)`` as replications finish."""


def scenario_corridor(
    scenario: Scenario | None, demand: str | None = None
) -> tuple[CorridorSystem, str, list[str]]:
    """The corridor of ``demand`` (default: the scenario's ``od-YYYY`` set, else the network's
    demand) with the scenario applied, its name, and notes on what the simulation does not model.

    One rule for every face: a facility of the network outside the simulated corridor, or a
    capacity unit with no train equivalent, is a note; a facility unknown to the network is an
    error.
    """
    from landbridge.sim.corridor2023 import (
        DEMAND_NETWORK,
        DEMAND_OD_PREFIX,
        build_corridor_2023,
        system_name,
    )

    if scenario is not None and demand is None and scenario.base.demand.startswith(
        DEMAND_OD_PREFIX
    ):
        demand = scenario.base.demand
    demand = demand or DEMAND_NETWORK
    system, name = build_corridor_2023(demand), system_name(demand)
    notes: list[str] = []
    if scenario is not None:
        from landbridge.sim.scenario import apply_to_system

        system, notes = apply_to_system(system, scenario, network_facility_ids())
        name = f"{name}+{scenario.name}"
    return system, name, notes


def network_facility_ids() -> set[str]:
    """Every facility id a scenario may name: the network's (its tables' crossings, ports, sea
    lines and sections, and the border crossings found when it is built)."""
    from landbridge.network import load_network
    from landbridge.sim.corridor_tables import known_facility_ids

    facilities = load_network().facilities["facility_id"].tolist()
    return known_facility_ids() | set(facilities)


def simulate(
    request: SimulationRequest,
    scenario: Scenario | None = None,
    demand: str | None = None,
    workers: int = 1,
    dask: str | None = None,
    progress: ReplicationProgress | None = None,
    keep_log: bool = False,
) -> tuple[SimResult, list[str]]:
    """Replications of the (scenario's) corridor; the result and the notes of the scenario.

    ``request`` may come unchecked from a face (``SimulationRequest.model_construct``): the
    simulation layer checks its bounds and names the field in its message.
    """
    from landbridge.sim.run import run_simulation

    system, name, notes = scenario_corridor(scenario, demand)
    result = run_simulation(
        system, request.days, request.replications, request.seed, workers, dask, progress,
        engine=request.engine, keep_log=keep_log, system_name=name,
    )  # fmt: skip
    return result, notes
