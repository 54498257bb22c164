"""What every modification type is given: the base it is checked against (``Base``) and the
state it changes (``Applied``), a ``Rule`` per type, and the helpers the rules share."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from landbridge.costs.params import Params
from landbridge.network.model import Network
from landbridge.scenarios import network_edit as edit
from landbridge.scenarios.network_index import NetworkIndex, allowed_list
from landbridge.schema.scenario import Scenario

ANNUAL_CAPACITY_COLUMNS = ("capacity_t_per_yr", "capacity_teu_per_yr", "capacity_trains_per_day")
"""Facility columns that are capacities per year or per day of the year."""

Problem = tuple[str, str]
"""(field, what is wrong with it)."""


@dataclass(frozen=True)
class Base:
    """What a modification is checked against: the base network, its lookups, the demand, and
    the facility ids known so far (the network's and those earlier modifications add)."""

    net: Network
    index: NetworkIndex
    demand: pd.DataFrame | None
    known: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Applied:
    """The copies a scenario changes, modification by modification, and what the changes read."""

    net: Network
    params: Params | None
    demand: pd.DataFrame | None
    scenario: Scenario
    source: str
    annual: bool = False
    """The network of the year's flows: a dated closure only takes its days' capacity."""


@dataclass(frozen=True)
class Rule:
    """What one modification type does: ``resolve`` lists its problems against the base,
    ``apply`` changes the copies, ``adds`` names the facilities it creates."""

    type: str
    resolve: Callable[[Any, Base], list[Problem]]
    apply: Callable[[Any, Applied], Applied]
    adds: Callable[[Any], list[str]] = lambda _mod: []


def facility_problems(
    base: Base, field: str, fid: str, kinds: tuple[str, ...] = ()
) -> list[Problem]:
    """An unknown facility, or one of a kind the modification cannot change."""
    if fid not in base.known:
        return [(field, f"unknown facility '{fid}'; {allowed_list(fid, base.known)}")]
    kind = base.index.facility_kind.get(fid)
    if kinds and kind is not None and kind not in kinds:
        fitting = [f for f, k in base.index.facility_kind.items() if k in kinds]
        return [
            (
                field,
                f"facility '{fid}' is a {kind}, this modification needs a "
                f"{' or '.join(kinds)}; {allowed_list(fid, fitting)}",
            )
        ]
    return []


def country_problems(field: str, iso2: str, net: Network) -> list[Problem]:
    if net.country_id(iso2) < 0:
        return [(field, f"unknown country '{iso2}'; {allowed_list(iso2.upper(), net.countries)}")]
    return []


def facility_exists(fid: str, rows: dict[str, int]) -> list[Problem]:
    if fid in rows:
        return []
    return [("", f"unknown facility '{fid}'; {allowed_list(fid, rows)}")]


def facility_row(net: Network, facility_id: str) -> int:
    return net.facilities.row_of(facility_id)


def set_columns(net: Network, facility_id: str, values: dict[str, float]) -> Network:
    fac = net.facilities.to_frame()
    row = facility_row(net, facility_id)
    for column, value in values.items():
        if column not in fac:
            fac[column] = np.nan
        fac.at[row, column] = value
    return edit.with_facilities(net, fac)


def facility_mask(net: Network, facility_id: str) -> np.ndarray:
    pos = np.flatnonzero(net.facilities["facility_id"] == facility_id)
    return np.isin(net.edge_facility, pos)


def new_row(fac: pd.DataFrame, values: Mapping[Any, Any]) -> pd.DataFrame:
    row: dict[Hashable, Any] = {c: np.nan for c in fac.columns}
    row.update(values)
    frame = pd.DataFrame([row], columns=list(dict.fromkeys([*fac.columns, *values])))
    return pd.concat([fac, frame], ignore_index=True)
