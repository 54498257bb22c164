"""``set_ferry_fleet``: vessels of a ferry or feeder line; sailings and yearly lift scale with
the fleet (and vessel size)."""

from __future__ import annotations

import dataclasses

import numpy as np

from landbridge.network.model import Network
from landbridge.scenarios.modifications.base import (
    ANNUAL_CAPACITY_COLUMNS,
    Applied,
    Base,
    Problem,
    Rule,
    facility_problems,
    facility_row,
    set_columns,
)
from landbridge.schema.scenario import SetFerryFleet

SEA_LINE_KINDS = ("ferry", "feeder")


def resolve(mod: SetFerryFleet, base: Base) -> list[Problem]:
    return facility_problems(base, "facility", mod.facility, SEA_LINE_KINDS)


def apply(mod: SetFerryFleet, state: Applied) -> Applied:
    return dataclasses.replace(state, net=_set_fleet(state.net, mod))


def _set_fleet(net: Network, mod: SetFerryFleet) -> Network:
    row = facility_row(net, mod.facility)
    fac = net.facilities
    values: dict[str, float] = {"fleet": float(mod.fleet)}
    old_fleet = fac.number(row, "fleet") if "fleet" in fac else float("nan")
    old_headway = fac.number(row, "headway_h") if "headway_h" in fac else float("nan")
    if mod.headway_h is not None:
        values["headway_h"] = mod.headway_h
    elif np.isfinite(old_fleet) and old_fleet > 0 and np.isfinite(old_headway):
        # Ships sail when full and rotate on the line: sailings scale with the number of vessels.
        values["headway_h"] = old_headway * old_fleet / mod.fleet
    if mod.vessel_capacity_feu is not None:
        values["vessel_capacity_feu"] = mod.vessel_capacity_feu
    has_vessel = "vessel_capacity_feu" in fac
    old_vessel = fac.number(row, "vessel_capacity_feu") if has_vessel else 0.0
    new_vessel = mod.vessel_capacity_feu or old_vessel
    if np.isfinite(old_fleet) and old_fleet > 0 and np.isfinite(old_vessel) and old_vessel > 0:
        # A line's yearly capacity is what its vessels can lift: it scales with fleet x size.
        lift = (mod.fleet * new_vessel) / (old_fleet * old_vessel)
        for column in ANNUAL_CAPACITY_COLUMNS:
            if column in fac and np.isfinite(fac.number(row, column)):
                values[column] = fac.number(row, column) * lift
    return set_columns(net, mod.facility, values)


RULE = Rule("set_ferry_fleet", resolve, apply)
