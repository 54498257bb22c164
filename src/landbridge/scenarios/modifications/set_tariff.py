"""``set_tariff``: a facility's price per FEU, or a country's rail tariff (in the parameters)."""

from __future__ import annotations

import dataclasses

from landbridge.errors import ScenarioError
from landbridge.scenarios.modifications.base import (
    Applied,
    Base,
    Problem,
    Rule,
    country_problems,
    facility_problems,
    facility_row,
    set_columns,
)
from landbridge.scenarios.params_adapter import set_country_rail_tariff
from landbridge.schema.scenario import SetTariff


def resolve(mod: SetTariff, base: Base) -> list[Problem]:
    if mod.facility is not None:
        return facility_problems(base, "facility", mod.facility)
    return country_problems("country", str(mod.country), base.net)


def apply(mod: SetTariff, state: Applied) -> Applied:
    net = state.net
    if mod.facility is not None:
        row = facility_row(net, mod.facility)
        old = net.facilities.number(row, "cost_usd_per_feu")
        value = mod.value if mod.value is not None else old * float(mod.factor or 0.0)
        return dataclasses.replace(
            state, net=set_columns(net, mod.facility, {"cost_usd_per_feu": value})
        )
    try:
        params = set_country_rail_tariff(
            state.params, str(mod.country), mod.value, mod.factor, f"scenario {state.scenario.name}"
        )
    except ValueError as exc:
        raise ScenarioError(f"{state.source}: set_tariff country {mod.country}: {exc}") from None
    return dataclasses.replace(state, params=params)


RULE = Rule("set_tariff", resolve, apply)
