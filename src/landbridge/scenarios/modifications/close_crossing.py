"""``close_crossing``: a crossing closed for good (its edges removed) or between two dates
(its annual capacities lose the closed share of the year; its edges go only for routes planned
inside the window)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from landbridge.errors import ScenarioError
from landbridge.frames import cell_float
from landbridge.network.model import Network
from landbridge.scenarios import network_edit as edit
from landbridge.scenarios.modifications.base import (
    ANNUAL_CAPACITY_COLUMNS,
    Applied,
    Base,
    Problem,
    Rule,
    facility_mask,
    facility_problems,
    facility_row,
)
from landbridge.schema.facility import OPEN_SHARE_COLUMN, QUOTA_PREFIX
from landbridge.schema.scenario import CloseCrossing


def resolve(mod: CloseCrossing, base: Base) -> list[Problem]:
    return facility_problems(base, "facility", mod.facility)


def apply(mod: CloseCrossing, state: Applied) -> Applied:
    return dataclasses.replace(state, net=_close(state.net, mod, state))


def _close(
    net: Network, mod: CloseCrossing, state: Applied
) -> Network:
    if mod.from_date is None or mod.to_date is None:
        net = edit.remove_edges(net, facility_mask(net, mod.facility))
        return _add_closure(net, mod.facility, None, None, mod.reason)
    scenario, source = state.scenario, state.source
    year = scenario.base.year
    closed_share = closed_share_of_year(mod.from_date, mod.to_date, year)
    if closed_share <= 0:
        raise ScenarioError(
            f"{source}: close_crossing {mod.facility}: the closure {mod.from_date} to "
            f"{mod.to_date} lies outside the scenario's year {year} ({year}-01-01 to "
            f"{year}-12-31); move the dates into {year} or change base.year"
        )
    net = _add_closure(net, mod.facility, mod.from_date, mod.to_date, mod.reason)
    open_share = 1.0 - closed_share
    row = facility_row(net, mod.facility)
    fac = net.facilities.to_frame()
    quotas = [c for c in fac.columns if str(c).startswith(QUOTA_PREFIX)]  # trains into a country
    for column in [*ANNUAL_CAPACITY_COLUMNS, *quotas]:
        if column in fac:
            fac.at[row, column] = cell_float(fac, row, column) * open_share
    # kept apart as well: the flows' capacity floors (flows.capacity) lose the same share
    if OPEN_SHARE_COLUMN not in fac:
        fac[OPEN_SHARE_COLUMN] = 1.0
    fac.at[row, OPEN_SHARE_COLUMN] = cell_float(fac, row, OPEN_SHARE_COLUMN) * open_share
    net = edit.with_facilities(net, fac)
    day = scenario.base.departure_date
    if not state.annual and day is not None and mod.from_date <= day <= mod.to_date:
        net = edit.remove_edges(net, facility_mask(net, mod.facility))
    return net


def closed_share_of_year(from_date: dt.date, to_date: dt.date, year: int) -> float:
    """Share of calendar ``year`` inside [from_date, to_date] (dates inclusive)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start, end = max(from_date, first), min(to_date, last)
    if end < start:
        return 0.0
    return ((end - start).days + 1) / ((last - first).days + 1)


def _add_closure(
    net: Network, facility_id: str, start: dt.date | None, end: dt.date | None, reason: str
) -> Network:
    closures = list(net.meta.get("closures", []))
    closures.append(
        {
            "facility_id": facility_id,
            "from_date": start.isoformat() if start else None,
            "to_date": end.isoformat() if end else None,
            "reason": reason,
        }
    )
    return edit.with_meta(net, closures=closures)


RULE = Rule("close_crossing", resolve, apply)
