"""Apply a scenario's modifications to a ``CorridorSystem`` (a copy; the base is never changed).

The simulation understands the modifications that change operations: dated closures
(``close_crossing`` with dates), capacities (``set_capacity`` in trains/day or servers), ferry
fleets (``set_ferry_fleet``), dwell (``set_dwell``) and demand (``scale_demand`` without an OD
filter). A facility id names both directions of a crossing (``khorgos-altynkol`` acts on
``khorgos-altynkol:west`` and ``:east``). Modifications that only change routes or prices
(tariffs, new links, avoided countries, undated closures) are not simulated: they are
returned as notes so the face can say so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math

import numpy as np

from landbridge.distributions import lognormal_mean
from landbridge.errors import InvalidInputError, ScenarioError
from landbridge.schema.scenario import (
    CloseCrossing,
    ScaleDemand,
    Scenario,
    SetCapacity,
    SetDwell,
    SetFerryFleet,
)
from landbridge.sim.system import CorridorSystem, FacilityKind
from landbridge.units import HOURS_PER_DAY


class _NotSimulated(Exception):
    """A facility of the network that the simulated corridor does not contain."""


def _rows(
    system: CorridorSystem, facility: str, label: str, known: set[str] | None = None
) -> np.ndarray:
    rows = [
        i
        for i, fid in enumerate(system.facility_id)
        if fid == facility or fid.split(":")[0] == facility
    ]
    if not rows and known is not None and facility in known:
        raise _NotSimulated(
            f"{label}: '{facility}' is not part of the simulated corridor; not simulated"
        )
    if not rows:
        simulated = sorted({fid.split(":")[0] for fid in system.facility_id})
        raise ScenarioError(
            f"{label}: facility '{facility}' is not in the simulated corridor; "
            f"simulated facilities: {', '.join(simulated)}"
        )
    return np.array(rows, dtype=np.int64)


def _enters(row_id: str, facility: str, country: str) -> bool:
    """Whether the simulated row ``facility:west|east`` carries the trains entering ``country``
    (a row without a direction carries both)."""
    direction = row_id.split(":")[1] if ":" in row_id else ""
    return not direction or direction == entering_direction(facility, country)


@functools.cache
def entering_direction(facility: str, country: str) -> str:
    """'east' or 'west': which way a train runs when it enters ``country`` through ``facility``,
    read from the network (the mean longitude of the rail nodes next to the crossing's two
    sides)."""
    from landbridge.network import load_network

    net = load_network()
    rows = np.flatnonzero(net.facilities["facility_id"] == facility)
    edges = np.flatnonzero(np.isin(net.edge_facility, rows))
    cid = net.country_id(country)
    entering = edges[net.node_country[net.edge_dst[edges]] == cid]
    if not entering.size:
        raise ScenarioError(f"'{facility}' has no track entering {country}")

    def side_lon(nodes: np.ndarray) -> float:
        near = [net.edge_dst[j] for n in nodes for j in range(net.indptr[n], net.indptr[n + 1])]
        return float(np.mean(net.node_lon[near]))

    inside, outside = side_lon(net.edge_dst[entering]), side_lon(net.edge_src[entering])
    return "east" if inside > outside else "west"


def _mean_service_h(system: CorridorSystem, f: int) -> float:
    p50, p90 = float(system.service_p50_h[f]), float(system.service_p90_h[f])
    return float(lognormal_mean(p50, p90))


def apply_to_system(
    system: CorridorSystem, scenario: Scenario, known: set[str] | None = None
) -> tuple[CorridorSystem, list[str]]:
    """The modified system and notes on the modifications the simulation does not model.

    Strict by default: a facility outside the corridor or a capacity unit with no train
    equivalent (t/yr, TEU/yr) is a ``ScenarioError``. With ``known`` (the facility ids of the
    whole network) both become notes instead, and only ids unknown everywhere are errors.
    """
    lenient = known is not None
    arrays = {
        name: getattr(system, name).copy()
        for name in (
            "servers", "service_p50_h", "service_p90_h", "fleet", "vessel_capacity_feu",
            "max_wait_h", "arrivals_per_day", "daily_quota_trains",
        )
    }  # fmt: skip
    closures = list(
        zip(system.closure_facility.tolist(), system.closure_start_h.tolist(),
            system.closure_end_h.tolist(), strict=True)
    )  # fmt: skip
    year_start = dt.date(scenario.base.year, 1, 1)
    notes: list[str] = []
    for index, mod in enumerate(scenario.modifications):
        label = f"modification {index + 1} ({mod.type})"
        try:
            if isinstance(mod, CloseCrossing):
                if mod.from_date is None or mod.to_date is None:
                    notes.append(
                        f"{label}: an undated closure changes routes, not operations; not simulated"
                    )
                    continue
                start_h = (mod.from_date - year_start).days * HOURS_PER_DAY
                end_h = ((mod.to_date - year_start).days + 1) * HOURS_PER_DAY  # to_date inclusive
                for f in _rows(system, mod.facility, label, known):
                    closures.append((int(f), float(start_h), float(end_h)))
            elif isinstance(mod, SetCapacity):
                for f in _rows(system, mod.facility, label, known):
                    if system.facility_kind[f] == FacilityKind.FERRY:
                        raise ScenarioError(
                            f"{label}: use set_ferry_fleet for ferry '{mod.facility}'"
                        )
                    if mod.into is not None:
                        if not _enters(system.facility_id[f], mod.facility, mod.into):
                            continue
                        # the engine counts whole service starts per day (at least one)
                        arrays["daily_quota_trains"][f] = max(1, round(mod.value))
                    elif mod.unit == "servers":
                        arrays["servers"][f] = int(mod.value)  # whole and >= 1 (schema)
                    elif mod.unit in ("trains_per_day", "train_pairs_per_day"):
                        per_day = mod.value
                        arrays["servers"][f] = max(
                            1, math.ceil(per_day * _mean_service_h(system, f) / HOURS_PER_DAY)
                        )
                    else:
                        message = (
                            f"{label}: the simulation takes capacities in trains_per_day "
                            f"or servers, not {mod.unit}"
                        )
                        if lenient:
                            raise _NotSimulated(f"{message}; not simulated")
                        raise ScenarioError(message)
            elif isinstance(mod, SetFerryFleet):
                for f in _rows(system, mod.facility, label, known):
                    if system.facility_kind[f] != FacilityKind.FERRY:
                        raise ScenarioError(f"{label}: '{mod.facility}' is not a ferry line")
                    arrays["fleet"][f] = mod.fleet
                    if mod.vessel_capacity_feu is not None:
                        arrays["vessel_capacity_feu"][f] = mod.vessel_capacity_feu
                    if mod.headway_h is not None:
                        arrays["max_wait_h"][f] = mod.headway_h
            elif isinstance(mod, SetDwell):
                for f in _rows(system, mod.facility, label, known):
                    if mod.factor is not None:
                        arrays["service_p50_h"][f] *= mod.factor
                        arrays["service_p90_h"][f] *= mod.factor
                    else:
                        if mod.dwell_p50_h is not None:
                            arrays["service_p50_h"][f] = mod.dwell_p50_h
                        if mod.dwell_p90_h is not None:
                            arrays["service_p90_h"][f] = mod.dwell_p90_h
                        arrays["service_p90_h"][f] = max(
                            arrays["service_p90_h"][f], arrays["service_p50_h"][f]
                        )
            elif isinstance(mod, ScaleDemand):
                if mod.od is not None:
                    notes.append(f"{label}: demand filters by OD are not simulated; ignored")
                    continue
                factor = mod.factor if mod.factor is not None else 1.0 + (mod.pct or 0.0) / 100.0
                arrays["arrivals_per_day"] *= factor
            else:
                notes.append(f"{label}: changes routes or prices, not operations; not simulated")
        except _NotSimulated as exc:
            notes.append(str(exc))

    fac, start, end = (
        (np.array(c) for c in zip(*closures, strict=True)) if closures else ([], [], [])
    )
    changed = dataclasses.replace(
        system,
        **arrays,
        closure_facility=np.asarray(fac, dtype=np.int32),
        closure_start_h=np.asarray(start, dtype=np.float64),
        closure_end_h=np.asarray(end, dtype=np.float64),
    )
    try:
        return changed.validate(), notes
    except InvalidInputError as exc:
        raise ScenarioError(f"scenario '{scenario.name}': {exc}") from None
