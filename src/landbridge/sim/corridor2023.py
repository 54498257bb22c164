"""The bundled 2023 corridor: facilities from the network tables, trains and routes from sim.csv.

Facilities (dwell p50/p90, servers, daily capacity; ports; the Caspian feeder's vessels, fleet,
sailing time, interval and weather) come from the network layer's curated tables in engine
terms (``sim.corridor_tables``, with the planner's declared transit-time parameters applied),
so the simulation and routing draw the same parts. Train classes (trains a
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

import dataclasses

import pandas as pd

from landbridge.costs import transit
from landbridge.costs.params import load_default_params
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.sim.corridor_tables import (
    DIRECTIONS,
    SIM_CSV,
    FerryLine,
    facility_tables,
    ferry_spec,
    load_sim_table,
    ports_of,
    sim_params,
)
from landbridge.sim.system import CorridorSystem, FacilitySpec, TrainClassSpec, make_system
from landbridge.units import DAYS_PER_YEAR, TEU_PER_FEU

SYSTEM_NAME = "corridor-2023"
DEMAND_TRAINS = "trains"
DEMAND_OD_PREFIX = "od-"
DEMAND_NETWORK = "network"
# The rail network whose speed and delay factor (routing's, costs.transit.running_h) a class leg
# of sim.csv (legs_speed) runs at: the eu legs (Brest - Duisburg, about 675 of 1150 km in
# Poland) take the Polish figures, the cau legs (Baku - Poti) the regional ones. A leg over
# several networks joins its parts with "+" in both cells (``2140+1191`` km, ``cn+cn_xj``):
# Chinese legs run partly in Xinjiang (cn_xj), where routing's CN-XJ delay factor applies.
LEG_COUNTRY = {"cn": "CN", "cn_xj": "CN-XJ", "kz": "KZ", "ru": "RU", "eu": "PL", "cau": "AZ"}
SUBLEG = "+"


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
    params = sim_params(frame)
    trains_per_yr = _trains_per_yr(frame, demand, params["feu_per_train"])
    known = facility_tables()
    ports = ports_of(known)
    facilities: dict[str, FacilitySpec] = {}
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
                spec = ferry_spec(fid, rec, ports, params) if isinstance(rec, FerryLine) else rec
                name = f"{spec.name} ({direction}bound)"
                facilities[inst] = dataclasses.replace(spec, id=inst, name=name)
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
            TrainClassSpec(
                id=key,
                corridor=row["corridor"] or key,
                per_day=trains_per_yr[c] / DAYS_PER_YEAR,
                feu=params["feu_per_train"],
                route=tuple(route),
                legs_p50_h=tuple(h50 for h50, _ in running),
                legs_p90_h=tuple(h90 for _, h90 in running),
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
