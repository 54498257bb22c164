"""The one base loader of every use case: network, parameters and demand of a scenario's base.

A scenario's ``base`` names a parameter set (``default`` or a YAML file of overrides) and a
demand set (``default``: the bundled table of ``base.year``; ``od-YYYY``; or a CSV file with the
flows layer's OD columns). The CLI, the API and the scenario runner read a base only here.
"""

from __future__ import annotations

import pandas as pd

from landbridge.costs.params import Params
from landbridge.errors import InvalidInputError, ScenarioError
from landbridge.network.model import Network
from landbridge.schema.scenario import Scenario

BUNDLED_PARAMS = ("default",)
"""Parameter set names that are not files."""


def bundled_demand(name: str) -> bool:
    """Whether a ``base.demand`` names a bundled set (``default``, ``od-YYYY``), not a file."""
    return name == "default" or (name.startswith("od-") and name[3:].isdigit())


def base_params(scenario: Scenario | None) -> Params:
    """The scenario's parameter set: the bundled tables, with its YAML overrides if it names one."""
    from landbridge.costs.params import load_default_params, load_params

    name = scenario.base.params if scenario is not None else "default"
    return load_default_params() if name in BUNDLED_PARAMS else load_params(name)


def base_demand(scenario: Scenario, tonnes_per_teu: float) -> pd.DataFrame:
    """The scenario's demand table: a bundled year, or a CSV file (TEU from ``tonnes_per_teu``)."""
    from landbridge.flows import demand as dem
    from landbridge.flows.demand_file import read_demand_file

    name, year = scenario.base.demand, scenario.base.year
    available = ", ".join(f"od-{y}" for y in dem.YEARS)
    if name == "default":
        if year not in dem.YEARS:
            raise ScenarioError(
                f"scenario {scenario.name}: base.demand 'default' means the bundled demand of "
                f"year {year}, and there is none; set base.demand to one of {available} or a "
                "CSV file with the flows layer's OD columns"
            )
        return dem.load_demand(year)
    if bundled_demand(name):
        if int(name[3:]) not in dem.YEARS:
            raise ScenarioError(
                f"scenario {scenario.name}: no bundled demand '{name}'; available: {available}"
            )
        return dem.load_demand(int(name[3:]))
    try:
        return read_demand_file(name, year, tonnes_per_teu)
    except InvalidInputError as exc:
        raise ScenarioError(
            f"scenario {scenario.name}: base.demand '{name[:200]}' is not a bundled demand set "
            f"({available}), and as a file: {exc}"
        ) from None


def flows_year(scenario: Scenario) -> int:
    """The demand year of a scenario's flows: its bundled set's year, else its base year (the
    latest bundled year when that has no table)."""
    from landbridge.flows import demand as dem

    name = scenario.base.demand
    if bundled_demand(name):
        return dem.demand_year(name, scenario.base.year)
    return scenario.base.year if scenario.base.year in dem.YEARS else max(dem.YEARS)


def load_base(scenario: Scenario) -> tuple[Network, Params, pd.DataFrame]:
    """The bundled network, the scenario's parameter set and its demand table."""
    from landbridge.network import load_network

    params = base_params(scenario)
    return load_network(), params, base_demand(scenario, params.scalar("tonnes_per_teu"))
