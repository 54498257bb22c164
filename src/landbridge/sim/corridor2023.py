"""The bundled 2023 corridor: facilities from the network tables, trains and routes from sim.csv.

Facilities (dwell p50/p90, servers, daily capacity; ports; the Caspian feeder's vessels, fleet,
sailing time, interval and weather) come from the network layer's curated tables
(``data/facilities/crossings.csv``, ``ports.csv``, ``sea_links.csv``), with the planner's
declared transit-time parameters applied (``costs.transit``: the calibrated dwell of the
China-Kazakhstan and EU-entry gauge changes, the Caspian wait scale), so the simulation and
routing draw the same parts. Train classes (trains a
year per crossing and direction, ordered facilities, leg lengths and the rail network of each
leg, whose speed and delay factor are routing's: ``LEG_COUNTRY``) come from
``data/params/sim.csv``, built from sourced 2023 facts alone (train counts
at Alashankou and Horgos, the UTLC China–Europe share, TITR trains); see its ``note`` column.
With ``demand="od-2023"`` (or ``od-2024``) the train rates come instead from the flows layer's
OD tables (``flows.demand.load_demand``): each class carries ``demand_share`` of the container
TEU of its ``demand_segments``, in block trains of ``feu_per_train`` FEU. With
``demand="network"`` the whole corridor (OD classes, routes, running times, gateway split) is
built from the network, routing and flows layers instead (``sim.network_corridor``).

Each crossing is split by direction (``alashankou-dostyk:west`` and ``:east``): westbound
boxes are transloaded on the Kazakh side and eastbound ones on the Chinese side, and the
tables' daily capacities are per direction (e.g. the quota into China).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

from landbridge.costs import transit
from landbridge.costs.params import load_default_params
from landbridge.data import split_source_ids
from landbridge.distributions import lognormal_mean
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.frames import row_at
from landbridge.network import sea, tables
from landbridge.paths import DATA_DIR
from landbridge.sim.system import CorridorSystem, make_system
from landbridge.units import DAYS_PER_YEAR, HOURS_PER_DAY, TEU_PER_FEU

SIM_CSV = DATA_DIR / "params" / "sim.csv"
SYSTEM_NAME = "corridor-2023"
DEMAND_TRAINS = "trains"
DEMAND_OD_PREFIX = "od-"
DEMAND_NETWORK = "network"
DIRECTIONS = ("west", "east")
KIND_BY_TABLE = {"gauge_change": "gauge_change", "crossing": "crossing"}
# The rail network whose speed and delay factor (routing's, costs.transit.running_h) a class leg
# of sim.csv (legs_speed) runs at: the eu legs (Brest - Duisburg, about 675 of 1150 km in
# Poland) take the Polish figures, the cau legs (Baku - Poti) the regional ones. A leg over
# several networks joins its parts with "+" in both cells (``2140+1191`` km, ``cn+cn_xj``):
# Chinese legs run partly in Xinjiang (cn_xj), where routing's CN-XJ delay factor applies.
LEG_COUNTRY = {"cn": "CN", "cn_xj": "CN-XJ", "kz": "KZ", "ru": "RU", "eu": "PL", "cau": "AZ"}
SUBLEG = "+"


@lru_cache(maxsize=1)
def load_sim_table() -> pd.DataFrame:
    """``sim.csv``: ``param`` rows (speeds, spreads, weather), ``class`` rows (train services)."""
    try:
        frame = pd.read_csv(SIM_CSV, dtype=str, keep_default_na=False)
    except OSError as exc:
        raise ParameterError(f"cannot read {SIM_CSV.name}: {exc}") from None
    needed = (
        "row_type", "key", "value", "unit", "corridor", "route", "legs_km", "legs_speed",
        "demand_segments", "demand_share",
    )  # fmt: skip
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParameterError(f"{SIM_CSV.name}: missing columns {missing}")
    return frame


def _params(frame: pd.DataFrame) -> dict[str, float]:
    rows = frame[frame["row_type"] == "param"]
    try:
        return {k: float(v) for k, v in zip(rows["key"], rows["value"], strict=True)}
    except ValueError as exc:
        raise ParameterError(f"{SIM_CSV.name}: a param value is not a number ({exc})") from None


def _transit() -> transit.TransitTime:
    return transit.transit_time(load_default_params())


def _server_facility(row: pd.Series, default: pd.Series, kind: str) -> dict:
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
    return dict(kind=kind, servers=servers, service="lognormal", p50_h=p50, p90_h=p90)


def _facility_tables() -> dict[str, dict]:
    """Every facility a class may name, as a ``make_system`` record without id and name."""
    out: dict[str, dict] = {}
    crossings = tables.load_crossings().set_index("facility_id")
    for fid, row in crossings.iterrows():
        default_id = (
            tables.DEFAULT_GAUGE_CHANGE_ID
            if row["kind"] == "gauge_change"
            else tables.DEFAULT_BORDER_ID
        )
        rec = _server_facility(
            row, row_at(crossings, default_id), KIND_BY_TABLE.get(row["kind"], "crossing")
        )
        out[str(fid)] = rec | {"name": row["name"]}
    ports = sea.load_ports_table().set_index("port_id")
    for pid, row in ports.iterrows():
        row = row.copy()
        row["capacity_trains_per_day"] = np.nan
        rec = _server_facility(row, row_at(crossings, tables.DEFAULT_BORDER_ID), "port")
        out[sea.PORT_ID_PREFIX + str(pid)] = rec | {"name": f"Port of {row['name']}"}
    links = pd.read_csv(sea.LINKS_CSV, dtype={"source_ids": str})
    for _, link in links[links["kind"].isin(["ferry", "feeder"])].iterrows():
        out[str(link["link_id"])] = {
            "name": link["name"],
            "kind": "ferry",
            "capacity_feu": float(link["vessel_capacity_feu"]),
            "fleet": int(link["fleet"]) if np.isfinite(link["fleet"]) else 0,
            "sailing_h": float(link["sailing_h"]),
            "headway_h": transit.headway_h(
                _transit(),
                _transit().facility_role(str(link["link_id"]), str(link["kind"]), ""),
                float(link["headway_h"]),
            ),
            "closure_days_per_month": float(link["weather_closure_days_per_month"]),
            "from_port": sea.PORT_ID_PREFIX + str(link["from_port"]),
            "to_port": sea.PORT_ID_PREFIX + str(link["to_port"]),
        }
    return out


def known_facility_ids() -> set[str]:
    """Facility ids of the network tables (crossings, ports, sea lines, line sections)."""
    return set(_facility_tables()) | set(tables.load_sections()["facility_id"].astype(str))


def _ferry_record(link: dict, ports: dict[str, dict], params: dict[str, float]) -> dict:
    """Turn a sea-table line into engine terms.

    - max wait = the published interval between sailings (a vessel does not wait longer),
    - round trip = sailing both ways + the median port dwell at each end,
    - closures: the closure days of a stormy month, for ``closure_months_per_yr`` months,
      in episodes of ``closure_mean_h``.
    """
    sailing_h = link["sailing_h"]
    round_trip_h = (
        2 * sailing_h + ports[link["from_port"]]["p50_h"] + ports[link["to_port"]]["p50_h"]
    )
    closure_h_per_yr = (
        link["closure_days_per_month"] * HOURS_PER_DAY * params["closure_months_per_yr"]
    )
    return dict(
        kind="ferry",
        name=link["name"],
        capacity_feu=link["capacity_feu"],
        fleet=link["fleet"],
        max_wait_h=link["headway_h"],
        crossing_h=sailing_h,
        round_trip_h=round_trip_h,
        closures_per_yr=closure_h_per_yr / params["closure_mean_h"],
        closure_mean_h=params["closure_mean_h"],
    )


def _split(cell: str, what: str, key: str) -> list[str]:
    parts = [p.strip() for p in cell.split(";") if p.strip()]
    if not parts:
        raise ParameterError(f"{SIM_CSV.name}: class '{key}' has no {what}")
    return parts


def system_name(demand: str = DEMAND_TRAINS) -> str:
    return SYSTEM_NAME if demand == DEMAND_TRAINS else f"{SYSTEM_NAME}/{demand}"


def _trains_per_yr(frame: pd.DataFrame, demand: str, feu_per_train: float) -> list[float]:
    classes = frame[frame["row_type"] == "class"]
    if demand == DEMAND_TRAINS:
        return [float(v) for v in classes["value"]]
    if not demand.startswith(DEMAND_OD_PREFIX) or not demand[len(DEMAND_OD_PREFIX) :].isdigit():
        raise InvalidInputError(
            f"unknown demand '{demand}': use '{DEMAND_NETWORK}' (OD demand routed on the network), "
            f"'{DEMAND_TRAINS}' (sourced 2023 train counts) or 'od-2023' / 'od-2024' (the flows "
            "layer's OD tables on the sourced train routes)"
        )
    from landbridge.flows.demand import load_demand

    od = load_demand(int(demand[len(DEMAND_OD_PREFIX) :]))
    teu = od.groupby("segment")["teu_per_yr"].sum()
    out = []
    for key, segs, share in zip(
        classes["key"], classes["demand_segments"], classes["demand_share"], strict=True
    ):
        names = _split(segs, "demand_segments", key)
        missing = [s for s in names if s not in teu.index]
        if missing:
            raise ParameterError(f"{SIM_CSV.name}: class '{key}' names unknown segments {missing}")
        out.append(float(teu[names].sum()) * float(share) / (TEU_PER_FEU * feu_per_train))
    return out


def build_corridor_2023(demand: str = DEMAND_TRAINS) -> CorridorSystem:
    """The 2023 corridor as a validated ``CorridorSystem`` (see the module docstring).

    ``demand``: ``"trains"`` (sourced 2023 train counts, the default), ``"od-YYYY"`` (the
    flows layer's OD table of that year on the sourced routes) or ``"network"`` (the 2023 OD
    demand routed on the network, ``sim.network_corridor``).
    """
    if demand == DEMAND_NETWORK:
        from landbridge.sim.network_corridor import build_network_corridor

        return build_network_corridor(2023).system()
    frame = load_sim_table()
    params = _params(frame)
    trains_per_yr = _trains_per_yr(frame, demand, params["feu_per_train"])
    known = _facility_tables()
    ports = {k: v for k, v in known.items() if v.get("kind") == "port"}
    facilities: dict[str, dict] = {}
    classes = []
    class_rows = frame[frame["row_type"] == "class"].reset_index(drop=True)
    for c, (_, row) in enumerate(class_rows.iterrows()):
        key = row["key"]
        direction = key.rsplit("-", 1)[-1]
        if direction not in DIRECTIONS:
            raise ParameterError(f"{SIM_CSV.name}: class '{key}' must end in -west or -east")
        route = []
        for fid in _split(row["route"], "route", key):
            if fid not in known:
                raise ParameterError(
                    f"{SIM_CSV.name}: class '{key}' names facility '{fid}', which is in none of "
                    "crossings.csv, ports.csv (as port-<id>), sea_links.csv"
                )
            inst = f"{fid}:{direction}"
            if inst not in facilities:
                rec = known[fid]
                if rec["kind"] == "ferry":
                    rec = _ferry_record(rec, ports, params)
                facilities[inst] = rec | {"id": inst, "name": f"{rec['name']} ({direction}bound)"}
            route.append(inst)
        legs_km = _split(row["legs_km"], "legs_km", key)
        speeds = _split(row["legs_speed"], "legs_speed", key)
        if len(speeds) != len(legs_km):
            raise ParameterError(f"{SIM_CSV.name}: class '{key}' needs one speed per leg")
        try:
            running = [
                _leg_running_h(km, speed, key) for km, speed in zip(legs_km, speeds, strict=True)
            ]
        except KeyError as exc:
            raise ParameterError(
                f"{SIM_CSV.name}: class '{key}' uses unknown speed {exc}; known: "
                f"{', '.join(LEG_COUNTRY)}"
            ) from None
        classes.append(
            dict(
                id=key,
                corridor=row["corridor"] or key,
                per_day=trains_per_yr[c] / DAYS_PER_YEAR,
                feu=params["feu_per_train"],
                route=route,
                legs_p50_h=[h50 for h50, _ in running],
                legs_p90_h=[h90 for _, h90 in running],
            )
        )
    return make_system(list(facilities.values()), classes)


def _leg_running_h(km_cell: str, speed_cell: str, key: str) -> tuple[float, float]:
    """(p50, p90) running hours of one class leg, summed over its networks (``SUBLEG``)."""
    kms, networks = km_cell.split(SUBLEG), speed_cell.split(SUBLEG)
    if len(kms) != len(networks):
        raise ParameterError(f"{SIM_CSV.name}: class '{key}' needs one speed per part of a leg")
    try:
        parts = [
            transit.running_h(load_default_params(), LEG_COUNTRY[n.strip()], float(km))
            for km, n in zip(kms, networks, strict=True)
        ]
    except ValueError as exc:
        raise ParameterError(f"{SIM_CSV.name}: class '{key}': a leg length is not a number "
                             f"({exc})") from None  # fmt: skip
    return sum(p for p, _ in parts), sum(p for _, p in parts)


def cited_sources() -> list[str]:
    """Source ids cited by ``sim.csv`` (the provenance test checks they exist)."""
    return sorted(
        {sid for cell in load_sim_table()["source_ids"] for sid in split_source_ids(cell)}
    )
