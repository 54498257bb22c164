"""Apply a validated scenario to COPIES of the base network, parameters and demand.

``apply_scenario(scenario, network, params, demand) -> (network', params', demand')``; the inputs
are never changed. Modifications apply in file order, each by its rule
(``scenarios.modifications``).

Closures with dates: the network's ``meta["closures"]`` lists ``{facility_id, from_date,
to_date}`` for the simulation; the facility's annual capacities are scaled by the share of the
base year it stays open; its edges are removed only when the scenario's ``departure_date`` falls
inside the window (routes planned for that day cannot use it). Permanent closures remove edges.
"""

from __future__ import annotations

import copy

import pandas as pd

from landbridge.costs.params import Params
from landbridge.network.model import Network
from landbridge.scenarios import network_edit as edit
from landbridge.scenarios.modifications import Applied, rule_of
from landbridge.scenarios.validate import validate_scenario
from landbridge.schema.scenario import Scenario


def apply_scenario(
    scenario: Scenario,
    network: Network,
    params: Params | None = None,
    demand: pd.DataFrame | None = None,
    source: str = "<scenario>",
    annual: bool = False,
) -> tuple[Network, Params | None, pd.DataFrame | None]:
    """Validate against the base, then return modified copies (network, params, demand).

    ``annual`` builds the network of the annual flows: a dated closure only takes its days'
    share of the facility's annual capacity, even when the departure date falls inside it (the
    routes of that date do not cross the facility; the year's flows still do).
    """
    validate_scenario(scenario, network, demand, source=source)
    net = edit.with_meta(edit.copy_network(network), scenario=scenario.name)
    state = Applied(
        net=net,
        params=copy.deepcopy(params),
        demand=demand.copy(deep=True) if demand is not None else None,
        scenario=scenario,
        source=source,
        annual=annual,
    )
    for mod in scenario.modifications:
        state = rule_of(mod).apply(mod, state)
    return state.net, state.params, state.demand
