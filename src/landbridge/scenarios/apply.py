"""Apply a validated scenario to COPIES of the base network, parameters and demand.

``apply_scenario(scenario, network, params, demand) -> (network', params', demand')``; the inputs
are never changed. Modifications apply in file order.

Closures with dates: the network's ``meta["closures"]`` lists ``{facility_id, from_date,
to_date}`` for the simulation; the facility's annual capacities are scaled by the share of the
base year it stays open; its edges are removed only when the scenario's ``departure_date`` falls
inside the window (routes planned for that day cannot use it). Permanent closures remove edges.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from landbridge.errors import ScenarioError
from landbridge.flows.capacity import QUOTA_PREFIX, SET_BY_SCENARIO
from landbridge.frames import cell_float
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.scenarios import network_edit as edit
from landbridge.scenarios.params_adapter import set_country_rail_tariff
from landbridge.scenarios.units import capacity_changes, capacity_column
from landbridge.scenarios.validate import NetworkIndex, link_facility_id, validate_scenario
from landbridge.schema.scenario import (
    AddLink,
    AvoidCountry,
    CloseCrossing,
    Modification,
    ScaleDemand,
    Scenario,
    SetCapacity,
    SetDwell,
    SetFerryFleet,
    SetTariff,
)

ANNUAL_CAPACITY_COLUMNS = ("capacity_t_per_yr", "capacity_teu_per_yr", "capacity_trains_per_day")
OPEN_SHARE_COLUMN = "open_share_of_year"
"""Share of the year a facility is open after dated closures (1 = all year)."""
FACILITY_OWN_PREFIXES = (QUOTA_PREFIX, SET_BY_SCENARIO)
"""Columns a crossing built ``like`` another does not take over."""
DEMAND_VOLUME_SUFFIXES = ("_per_yr", "_per_year")
"""Demand columns scaled by ``scale_demand``: numeric columns whose names end in a yearly unit."""


def apply_scenario(
    scenario: Scenario,
    network: Network,
    params: Any = None,
    demand: pd.DataFrame | None = None,
    source: str = "<scenario>",
    annual: bool = False,
) -> tuple[Network, Any, pd.DataFrame | None]:
    """Validate against the base, then return modified copies (network, params, demand).

    ``annual`` builds the network of the annual flows: a dated closure only takes its days'
    share of the facility's annual capacity, even when the departure date falls inside it (the
    routes of that date do not cross the facility; the year's flows still do).
    """
    validate_scenario(scenario, network, demand, source=source)
    net = edit.copy_network(network)
    params_out = copy.deepcopy(params)
    demand_out = demand.copy(deep=True) if demand is not None else None
    net = edit.with_meta(net, scenario=scenario.name)
    for mod in scenario.modifications:
        net, params_out, demand_out = _apply_one(
            mod, scenario, net, params_out, demand_out, source, annual
        )
    return net, params_out, demand_out


def _apply_one(
    mod: Modification,
    scenario: Scenario,
    net: Network,
    params: Any,
    demand: pd.DataFrame | None,
    source: str,
    annual: bool = False,
) -> tuple[Network, Any, pd.DataFrame | None]:
    if isinstance(mod, CloseCrossing):
        return _close(net, mod, scenario, source, annual), params, demand
    if isinstance(mod, SetCapacity):
        changes = capacity_changes(mod)
        return _set_columns(net, mod.facility, changes), params, demand
    if isinstance(mod, SetDwell):
        return _set_dwell(net, mod), params, demand
    if isinstance(mod, SetFerryFleet):
        return _set_fleet(net, mod), params, demand
    if isinstance(mod, SetTariff):
        if mod.facility is not None:
            row = _row(net, mod.facility)
            old = cell_float(net.facilities, row, "cost_usd_per_feu")
            value = mod.value if mod.value is not None else old * float(mod.factor or 0.0)
            return _set_columns(net, mod.facility, {"cost_usd_per_feu": value}), params, demand
        try:
            params = set_country_rail_tariff(
                params, str(mod.country), mod.value, mod.factor, f"scenario {scenario.name}"
            )
        except ValueError as exc:
            raise ScenarioError(f"{source}: set_tariff country {mod.country}: {exc}") from None
        return net, params, demand
    if isinstance(mod, AvoidCountry):
        return _avoid(net, mod.country), params, demand
    if isinstance(mod, ScaleDemand):
        return net, params, _scale_demand(demand, mod)
    if isinstance(mod, AddLink):
        return _add_link(net, mod), params, demand
    raise AssertionError(f"unhandled modification {type(mod).__name__}")


def _row(net: Network, facility_id: str) -> int:
    rows = np.flatnonzero(net.facilities["facility_id"].to_numpy() == facility_id)
    return int(net.facilities.index[rows[0]])


def _set_columns(net: Network, facility_id: str, values: dict[str, float]) -> Network:
    fac = net.facilities.copy()
    row = _row(net, facility_id)
    for column, value in values.items():
        if column not in fac:
            fac[column] = np.nan
        fac.at[row, column] = value
    return edit.with_facilities(net, fac)


def _facility_mask(net: Network, facility_id: str) -> np.ndarray:
    pos = np.flatnonzero(net.facilities["facility_id"].to_numpy() == facility_id)
    return np.isin(net.edge_facility, pos)


def _close(
    net: Network, mod: CloseCrossing, scenario: Scenario, source: str, annual: bool
) -> Network:
    if mod.from_date is None or mod.to_date is None:
        net = edit.remove_edges(net, _facility_mask(net, mod.facility))
        return _add_closure(net, mod.facility, None, None, mod.reason)
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
    row = _row(net, mod.facility)
    fac = net.facilities.copy()
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
    if not annual and day is not None and mod.from_date <= day <= mod.to_date:
        net = edit.remove_edges(net, _facility_mask(net, mod.facility))
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


def _set_dwell(net: Network, mod: SetDwell) -> Network:
    row = _row(net, mod.facility)
    fac = net.facilities
    if mod.factor is not None:
        values = {c: cell_float(fac, row, c) * mod.factor for c in ("dwell_p50_h", "dwell_p90_h")}
    else:
        values = {}
        if mod.dwell_p50_h is not None:
            values["dwell_p50_h"] = mod.dwell_p50_h
        if mod.dwell_p90_h is not None:
            values["dwell_p90_h"] = mod.dwell_p90_h
        p50 = values.get("dwell_p50_h", cell_float(fac, row, "dwell_p50_h"))
        p90 = values.get("dwell_p90_h", cell_float(fac, row, "dwell_p90_h"))
        if p90 < p50:
            # Setting only one quantile must not leave p90 below p50.
            values["dwell_p90_h"] = p50
    return _set_columns(net, mod.facility, values)


def _set_fleet(net: Network, mod: SetFerryFleet) -> Network:
    row = _row(net, mod.facility)
    fac = net.facilities
    values: dict[str, float] = {"fleet": float(mod.fleet)}
    old_fleet = cell_float(fac, row, "fleet") if "fleet" in fac else float("nan")
    old_headway = cell_float(fac, row, "headway_h") if "headway_h" in fac else float("nan")
    if mod.headway_h is not None:
        values["headway_h"] = mod.headway_h
    elif np.isfinite(old_fleet) and old_fleet > 0 and np.isfinite(old_headway):
        # Ships sail when full and rotate on the line: sailings scale with the number of vessels.
        values["headway_h"] = old_headway * old_fleet / mod.fleet
    if mod.vessel_capacity_feu is not None:
        values["vessel_capacity_feu"] = mod.vessel_capacity_feu
    has_vessel = "vessel_capacity_feu" in fac
    old_vessel = cell_float(fac, row, "vessel_capacity_feu") if has_vessel else 0.0
    new_vessel = mod.vessel_capacity_feu or old_vessel
    if np.isfinite(old_fleet) and old_fleet > 0 and np.isfinite(old_vessel) and old_vessel > 0:
        # A line's yearly capacity is what its vessels can lift: it scales with fleet x size.
        lift = (mod.fleet * new_vessel) / (old_fleet * old_vessel)
        for column in ANNUAL_CAPACITY_COLUMNS:
            if column in fac and np.isfinite(cell_float(fac, row, column)):
                values[column] = cell_float(fac, row, column) * lift
    return _set_columns(net, mod.facility, values)


def _avoid(net: Network, iso2: str) -> Network:
    cid = net.country_id(iso2)
    code = iso2.upper()
    countries = net.facilities["countries"].astype(str).str.split("-")
    touching = np.flatnonzero(countries.map(lambda cs: code in cs).to_numpy())
    drop = (net.edge_country == cid) | np.isin(net.edge_facility, touching)
    drop |= (net.node_country[net.edge_src] == cid) | (net.node_country[net.edge_dst] == cid)
    net = edit.remove_edges(net, drop)
    avoided = [*net.meta.get("avoided_countries", []), code]
    return edit.with_meta(net, avoided_countries=avoided)


def _scale_demand(demand: pd.DataFrame | None, mod: ScaleDemand) -> pd.DataFrame | None:
    if demand is None:
        return None
    out = demand.copy()
    rows = np.ones(len(out), dtype=bool)
    if mod.od is not None:
        if mod.od.origin is not None:
            rows &= (out["origin"] == mod.od.origin).to_numpy()
        if mod.od.destination is not None:
            rows &= (out["destination"] == mod.od.destination).to_numpy()
    for column in volume_columns(out):
        out[column] = out[column].astype(float)
        out.loc[rows, column] = out.loc[rows, column] * mod.multiplier
    return out


def volume_columns(demand: pd.DataFrame) -> list[str]:
    return [
        c
        for c in demand.columns
        if str(c).endswith(DEMAND_VOLUME_SUFFIXES) and pd.api.types.is_numeric_dtype(demand[c])
    ]


def _add_link(net: Network, mod: AddLink) -> Network:
    index = NetworkIndex.of(net)
    src = index.node(mod.from_place)
    dst = index.node(mod.to_place)
    assert src is not None and dst is not None  # checked by validate_scenario
    fac = net.facilities.copy()
    line_country = int(net.node_country[dst])
    start = src
    if mod.crossing is not None:
        lon, lat = mod.via[0] if mod.via else (net.node_lon[src], net.node_lat[src])
        net, (start,) = edit.add_nodes(
            net,
            [
                edit.NewNode(
                    lat=float(lat),
                    lon=float(lon),
                    country=line_country,
                    gauge_mm=mod.gauge_mm,
                    kind=int(NodeKind.YARD),
                    name=mod.crossing.name,
                )
            ],
        )
        fac = _append_crossing(fac, net, mod, src, line_country)
        point = np.array([[lon, lat]])
        net = edit.add_links(
            edit.with_facilities(net, fac),
            [
                edit.NewLink(
                    src=src,
                    dst=start,
                    length_km=0.0,
                    mode=int(EdgeMode.TRANSFER),
                    country=line_country,
                    gauge_mm=0,
                    facility=len(fac) - 1,
                    geometry=np.vstack([[net.node_lon[src], net.node_lat[src]], point]),
                )
            ],
        )
    fac = _append_line(net.facilities.copy(), net, mod, start, dst, line_country)
    geometry = np.vstack(
        [
            [[net.node_lon[start], net.node_lat[start]]],
            np.asarray(mod.via[1:] if mod.crossing else mod.via, dtype=float).reshape(-1, 2),
            [[net.node_lon[dst], net.node_lat[dst]]],
        ]
    )
    return edit.add_links(
        edit.with_facilities(net, fac),
        [
            edit.NewLink(
                src=start,
                dst=dst,
                length_km=mod.length_km,
                mode=int(EdgeMode.RAIL),
                country=line_country,
                gauge_mm=mod.gauge_mm,
                facility=len(fac) - 1,
                geometry=geometry,
            )
        ],
    )


def _new_row(fac: pd.DataFrame, values: Mapping[Any, Any]) -> pd.DataFrame:
    row: dict[Hashable, Any] = {c: np.nan for c in fac.columns}
    row.update(values)
    frame = pd.DataFrame([row], columns=list(dict.fromkeys([*fac.columns, *values])))
    return pd.concat([fac, frame], ignore_index=True)


def _append_crossing(
    fac: pd.DataFrame, net: Network, mod: AddLink, src: int, line_country: int
) -> pd.DataFrame:
    assert mod.crossing is not None
    like = fac.loc[fac["facility_id"] == mod.crossing.like].iloc[0].to_dict()
    # a quota or a scenario's capacity belongs to that facility, not to the new one
    like = {k: v for k, v in like.items() if not str(k).startswith(FACILITY_OWN_PREFIXES)}
    countries = f"{net.countries[int(net.node_country[src])]}-{net.countries[line_country]}"
    lon, lat = mod.via[0] if mod.via else (net.node_lon[src], net.node_lat[src])
    values = {
        **like,
        "facility_id": mod.crossing.facility_id,
        "name": mod.crossing.name,
        "kind": "gauge_change",
        "countries": countries,
        "lat": float(lat),
        "lon": float(lon),
        "assumption": f"planned crossing: dwell, cost and servers taken from {mod.crossing.like}",
    }
    if mod.crossing.capacity is not None:
        column, value = capacity_column(mod.crossing.capacity)
        values[column] = value
    return _new_row(fac, values)


def _append_line(
    fac: pd.DataFrame, net: Network, mod: AddLink, start: int, dst: int, line_country: int
) -> pd.DataFrame:
    column, value = capacity_column(mod.capacity)
    values: dict[str, Any] = {
        "facility_id": link_facility_id(mod),
        "name": mod.name or f"{mod.from_place}–{mod.to_place}",
        "kind": "section",
        "countries": net.countries[line_country],
        "lat": float((net.node_lat[start] + net.node_lat[dst]) / 2),
        "lon": float((net.node_lon[start] + net.node_lon[dst]) / 2),
        column: value,
        "source_ids": "",
        "assumption": "scenario line (add_link)",
    }
    return _new_row(fac, values)
