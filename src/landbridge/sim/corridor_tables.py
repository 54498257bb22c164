"""The tables both simulated corridors are built from, in engine terms.

``sim.csv`` (``param`` rows: train size, weather; ``class`` rows: the sourced train
services of ``sim.corridor2023``) and the network layer's curated facility tables
(``data/facilities/crossings.csv``, ``ports.csv``, ``sea_links.csv``) as typed specs: each
crossing, gauge-change yard and port a ``FacilitySpec`` server, each ferry or feeder line a
``FerryLine`` until ``ferry_spec`` puts it in engine terms. The planner's declared
transit-time parameters apply (``costs.transit``: the calibrated dwell of the China-Kazakhstan
and EU-entry gauge changes, the Caspian wait scale), so the simulation and routing draw the
same parts. Used by ``sim.corridor2023`` (sourced routes) and ``sim.network_corridor``
(routes from the network).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from landbridge.costs import transit
from landbridge.costs.params import load_default_params
from landbridge.data import split_source_ids
from landbridge.distributions import lognormal_mean
from landbridge.errors import ParameterError
from landbridge.frames import row_at
from landbridge.network import sea, tables
from landbridge.paths import DATA_DIR
from landbridge.sim.system import FacilityKind, FacilitySpec, ServiceDist
from landbridge.units import HOURS_PER_DAY

SIM_CSV = DATA_DIR / "params" / "sim.csv"
#: Each crossing is simulated once per direction (``alashankou-dostyk:west`` and ``:east``).
DIRECTIONS = ("west", "east")
KIND_BY_TABLE = {"gauge_change": FacilityKind.GAUGE_CHANGE, "crossing": FacilityKind.CROSSING}


@dataclass(frozen=True)
class FerryLine:
    """A ferry or feeder line of ``sea_links.csv`` (hours, FEU), before ``ferry_spec``."""

    name: str
    capacity_feu: float  # per vessel
    fleet: int  # vessels on the line; 0 when the table has none
    sailing_h: float  # NaN when the table has none
    headway_h: float  # published interval between sailings (routing's declared scale applied)
    closure_days_per_month: float  # weather closures in a stormy month
    from_port: str  # facility id of the ports (``port-<id>``)
    to_port: str

    @property
    def simulated(self) -> bool:
        """Whether the engine can run it as a ferry (fleet, vessel size and sailing known)."""
        return self.fleet >= 1 and self.capacity_feu > 0 and bool(np.isfinite(self.sailing_h))


@lru_cache(maxsize=1)
def load_sim_table() -> pd.DataFrame:
    """``sim.csv``: ``param`` rows (train size, weather), ``class`` rows (train services)."""
    try:
        frame = pd.read_csv(SIM_CSV, dtype=str, keep_default_na=False)
    except OSError as exc:
        raise ParameterError(f"cannot read {SIM_CSV.name}: {exc}") from None
    needed = (
        "row_type", "key", "value", "unit", "corridor", "origin", "destination", "via", "route",
        "demand_segments", "demand_share",
    )  # fmt: skip
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParameterError(f"{SIM_CSV.name}: missing columns {missing}")
    return frame


def sim_params(frame: pd.DataFrame) -> dict[str, float]:
    """The ``param`` rows of ``sim.csv`` by key."""
    rows = frame[frame["row_type"] == "param"]
    try:
        return {k: float(v) for k, v in zip(rows["key"], rows["value"], strict=True)}
    except ValueError as exc:
        raise ParameterError(f"{SIM_CSV.name}: a param value is not a number ({exc})") from None


def cited_sources() -> list[str]:
    """Source ids cited by ``sim.csv`` (the provenance test checks they exist)."""
    return sorted(
        {sid for cell in load_sim_table()["source_ids"] for sid in split_source_ids(cell)}
    )


def _transit() -> transit.TransitTime:
    return transit.transit_time(load_default_params())


def server_facility(
    fid: str, name: str, row: pd.Series, default: pd.Series, kind: FacilityKind
) -> FacilitySpec:
    """The server spec of a facility-table ``row`` (``default``: the table's default row for
    the missing dwell figures and servers)."""
    p50 = (
        float(row["dwell_p50_h"])
        if np.isfinite(row["dwell_p50_h"])
        else float(default["dwell_p50_h"])
    )
    p90 = (
        float(row["dwell_p90_h"])
        if np.isfinite(row["dwell_p90_h"])
        else float(default["dwell_p90_h"])
    )
    p90 = max(p90, p50)
    # the planner's declared dwell of the facility's role (costs.transit): one time model
    role = _transit().facility_role(
        str(row.get("facility_id", row.name)), str(row.get("kind", "")),
        str(row.get("countries", "")),
    )  # fmt: skip
    p50, p90 = transit.dwell_h(_transit(), role, p50, p90)
    mean_h = float(lognormal_mean(p50, p90))
    capacity = row.get("capacity_trains_per_day", np.nan)
    if np.isfinite(capacity) and capacity > 0:
        # Enough parallel servers that the facility's throughput matches its sourced capacity
        # at the table's mean dwell (the tables' 'servers' are often assumptions).
        servers = math.ceil(capacity * mean_h / HOURS_PER_DAY)
    elif np.isfinite(row.get("servers", np.nan)) and row["servers"] >= 1:
        servers = int(row["servers"])
    else:
        servers = int(default["servers"])
    return FacilitySpec(
        id=fid, kind=kind, name=name, servers=servers, service=ServiceDist.LOGNORMAL,
        p50_h=p50, p90_h=p90,
    )  # fmt: skip


def facility_tables() -> dict[str, FacilitySpec | FerryLine]:
    """Every facility a class may name, by id: servers as specs, sea lines as ``FerryLine``."""
    out: dict[str, FacilitySpec | FerryLine] = {}
    crossings = tables.load_crossings().set_index("facility_id")
    for fid, row in crossings.iterrows():
        default_id = (
            tables.DEFAULT_GAUGE_CHANGE_ID
            if row["kind"] == "gauge_change"
            else tables.DEFAULT_BORDER_ID
        )
        kind = KIND_BY_TABLE.get(row["kind"], FacilityKind.CROSSING)
        default = row_at(crossings, default_id)
        out[str(fid)] = server_facility(str(fid), str(row["name"]), row, default, kind)
    ports = sea.load_ports_table().set_index("port_id")
    for pid, row in ports.iterrows():
        row = row.copy()
        row["capacity_trains_per_day"] = np.nan
        fid = sea.PORT_ID_PREFIX + str(pid)
        default = row_at(crossings, tables.DEFAULT_BORDER_ID)
        out[fid] = server_facility(fid, f"Port of {row['name']}", row, default, FacilityKind.PORT)
    links = pd.read_csv(sea.LINKS_CSV, dtype={"source_ids": str})
    for _, link in links[links["kind"].isin(["ferry", "feeder"])].iterrows():
        out[str(link["link_id"])] = FerryLine(
            name=str(link["name"]),
            capacity_feu=float(link["vessel_capacity_feu"]),
            fleet=int(link["fleet"]) if np.isfinite(link["fleet"]) else 0,
            sailing_h=float(link["sailing_h"]),
            headway_h=transit.headway_h(
                _transit(),
                _transit().facility_role(str(link["link_id"]), str(link["kind"]), ""),
                float(link["headway_h"]),
            ),
            closure_days_per_month=float(link["weather_closure_days_per_month"]),
            from_port=sea.PORT_ID_PREFIX + str(link["from_port"]),
            to_port=sea.PORT_ID_PREFIX + str(link["to_port"]),
        )
    return out


def ports_of(known: dict[str, FacilitySpec | FerryLine]) -> dict[str, FacilitySpec]:
    """The port specs among ``known`` (their dwell sets a ferry's round trip)."""
    return {
        fid: spec
        for fid, spec in known.items()
        if isinstance(spec, FacilitySpec) and spec.kind == FacilityKind.PORT
    }


def known_facility_ids() -> set[str]:
    """Facility ids of the network tables (crossings, ports, sea lines, line sections)."""
    return set(facility_tables()) | set(tables.load_sections()["facility_id"].astype(str))


def ferry_spec(
    fid: str, line: FerryLine, ports: dict[str, FacilitySpec], params: dict[str, float]
) -> FacilitySpec:
    """Turn a sea-table line into engine terms.

    - max wait = the published interval between sailings (a vessel does not wait longer),
    - round trip = sailing both ways + the median port dwell at each end,
    - closures: the closure days of a stormy month, for ``closure_months_per_yr`` months,
      in episodes of ``closure_mean_h``.
    """
    round_trip_h = 2 * line.sailing_h + ports[line.from_port].p50_h + ports[line.to_port].p50_h
    closure_h_per_yr = line.closure_days_per_month * HOURS_PER_DAY * params["closure_months_per_yr"]
    return FacilitySpec(
        id=fid,
        kind=FacilityKind.FERRY,
        name=line.name,
        capacity_feu=line.capacity_feu,
        fleet=line.fleet,
        max_wait_h=line.headway_h,
        crossing_h=line.sailing_h,
        round_trip_h=round_trip_h,
        closures_per_yr=closure_h_per_yr / params["closure_mean_h"],
        closure_mean_h=params["closure_mean_h"],
    )
