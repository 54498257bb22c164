"""``set_capacity``: a facility's capacity in the unit given (``scenarios.units``), or a limit
on trains into one country at a crossing on its border."""

from __future__ import annotations

import dataclasses

from landbridge.network.model import Network
from landbridge.scenarios.modifications.base import (
    Applied,
    Base,
    Problem,
    Rule,
    facility_problems,
    set_columns,
)
from landbridge.scenarios.units import capacity_changes
from landbridge.schema.scenario import SetCapacity


def resolve(mod: SetCapacity, base: Base) -> list[Problem]:
    return facility_problems(base, "facility", mod.facility) or _into(mod, base.net, base)


def apply(mod: SetCapacity, state: Applied) -> Applied:
    net = set_columns(state.net, mod.facility, capacity_changes(mod))
    return dataclasses.replace(state, net=net)


def _into(mod: SetCapacity, net: Network, base: Base) -> list[Problem]:
    """A limit on trains into a country needs a facility on that country's border."""
    if mod.into is None or mod.facility not in base.index.facility_row:
        return []
    row = base.index.facility_row[mod.facility]
    countries = str(net.facilities["countries"][row]).split("-")
    if mod.into in countries and len(countries) == 2:
        return []
    return [(
        "into",
        f"'{mod.facility}' lies in {'-'.join(countries)}: a limit on trains into {mod.into} "
        "needs a crossing on that country's border (or leave 'into' out for both directions)",
    )]  # fmt: skip


RULE = Rule("set_capacity", resolve, apply)
