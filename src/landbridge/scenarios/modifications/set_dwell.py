"""``set_dwell``: dwell quantiles (p50, p90) of a crossing, gauge-change yard or port."""

from __future__ import annotations

import dataclasses

from landbridge.network.model import Network
from landbridge.scenarios.modifications.base import (
    Applied,
    Base,
    Problem,
    Rule,
    facility_problems,
    facility_row,
    set_columns,
)
from landbridge.schema.scenario import SetDwell

DWELL_KINDS = ("crossing", "gauge_change", "port")


def resolve(mod: SetDwell, base: Base) -> list[Problem]:
    return facility_problems(base, "facility", mod.facility, DWELL_KINDS)


def apply(mod: SetDwell, state: Applied) -> Applied:
    return dataclasses.replace(state, net=_set_dwell(state.net, mod))


def _set_dwell(net: Network, mod: SetDwell) -> Network:
    row = facility_row(net, mod.facility)
    fac = net.facilities
    if mod.factor is not None:
        values = {c: fac.number(row, c) * mod.factor for c in ("dwell_p50_h", "dwell_p90_h")}
    else:
        values = {}
        if mod.dwell_p50_h is not None:
            values["dwell_p50_h"] = mod.dwell_p50_h
        if mod.dwell_p90_h is not None:
            values["dwell_p90_h"] = mod.dwell_p90_h
        p50 = values.get("dwell_p50_h", fac.number(row, "dwell_p50_h"))
        p90 = values.get("dwell_p90_h", fac.number(row, "dwell_p90_h"))
        if p90 < p50:
            # Setting only one quantile must not leave p90 below p50.
            values["dwell_p90_h"] = p50
    return set_columns(net, mod.facility, values)


RULE = Rule("set_dwell", resolve, apply)
