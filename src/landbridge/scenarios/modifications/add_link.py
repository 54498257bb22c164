"""``add_link``: a new line between two places (and a gauge-change crossing at its start when
it joins two gauge areas), with its capacity."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pandas as pd

from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.scenarios import network_edit as edit
from landbridge.scenarios.modifications.base import (
    Applied,
    Base,
    Problem,
    Rule,
    facility_exists,
    new_row,
)
from landbridge.scenarios.network_index import NetworkIndex
from landbridge.scenarios.units import capacity_column
from landbridge.schema.facility import QUOTA_PREFIX, SET_BY_SCENARIO
from landbridge.schema.scenario import AddLink

FACILITY_OWN_PREFIXES = (QUOTA_PREFIX, SET_BY_SCENARIO)
"""Columns a crossing built ``like`` another does not take over."""


def resolve(mod: AddLink, base: Base) -> list[Problem]:
    net, index, known = base.net, base.index, base.known
    out: list[Problem] = []
    ends = {}
    for field in ("from_place", "to_place"):
        node, why = index.resolve(getattr(mod, field))
        if node is None:
            out.append((field, why))
        ends[field] = node
    if mod.crossing is not None:
        out += [
            ("crossing.like", msg)
            for _, msg in facility_exists(mod.crossing.like, index.facility_row)
        ]
        if mod.crossing.facility_id in known:
            out.append(
                ("crossing.facility_id", f"facility '{mod.crossing.facility_id}' already exists")
            )
    link_id = link_facility_id(mod)
    if link_id in known:
        out.append(("name", f"facility '{link_id}' already exists; give the line another name"))
    src, dst = ends["from_place"], ends["to_place"]
    if src is None or dst is None:
        return out
    to_gauge = int(net.node_gauge_mm[dst])
    from_gauge = int(net.node_gauge_mm[src])
    if to_gauge != mod.gauge_mm:
        out.append(
            (
                "gauge_mm",
                f"{mod.to_place} is in the {to_gauge} mm area, the line is {mod.gauge_mm} mm",
            )
        )
    if mod.crossing is None:
        if from_gauge != mod.gauge_mm:
            out.append(
                (
                    "gauge_mm",
                    f"{mod.from_place} is in the {from_gauge} mm area, the line is "
                    f"{mod.gauge_mm} mm; add a 'crossing' (gauge change) at from_place",
                )
            )
        if net.node_country[src] != net.node_country[dst]:
            out.append(
                (
                    "crossing",
                    f"{mod.from_place} and {mod.to_place} are in different countries; a line "
                    "across a border needs a 'crossing' at from_place",
                )
            )
    elif from_gauge == mod.gauge_mm:
        out.append(
            (
                "crossing",
                f"{mod.from_place} is already in the {from_gauge} mm area: "
                "no gauge change to build",
            )
        )
    return out


def apply(mod: AddLink, state: Applied) -> Applied:
    return dataclasses.replace(state, net=_add_link(state.net, mod))


def adds(mod: AddLink) -> list[str]:
    """The facilities the line creates: itself, and its crossing if it has one."""
    return [link_facility_id(mod), *([mod.crossing.facility_id] if mod.crossing else [])]


def link_facility_id(mod: AddLink) -> str:
    """Facility id of a new line: its name as a slug, or 'from-to'."""
    text = mod.name or f"{mod.from_place}-{mod.to_place}"
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "new-line"


def _add_link(net: Network, mod: AddLink) -> Network:
    index = NetworkIndex.of(net)
    src = index.node(mod.from_place)
    dst = index.node(mod.to_place)
    assert src is not None and dst is not None  # checked by validate_scenario
    fac = net.facilities.to_frame()
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
    fac = _append_line(net.facilities.to_frame(), net, mod, start, dst, line_country)
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
    return new_row(fac, values)


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
    return new_row(fac, values)


RULE = Rule("add_link", resolve, apply, adds)
