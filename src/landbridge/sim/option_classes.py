"""Train classes from routing's option paths: one rule for both simulated corridors.

The sourced services of ``sim.corridor2023`` and the OD options of ``sim.network_corridor``
become train classes the same way, so the simulation runs on the parts the planner prices:

- Stops: the option path's facilities in order, split by direction (``:west``/``:east``):
  crossings and gauge-change yards and ports are servers, ferry and feeder lines are ferries.
  Line sections and ocean legs are run through, as are ferries without a fleet or vessel size
  (their sailing and routing's mean wait, half the interval between sailings, go into the
  running leg).
- Running legs: routing's per-edge running hours summed between stops
  (``costs.edges.EdgeCosts``: the speed table's p50 and p90 of the edge's country with the delay
  factor of its network or region, e.g. Xinjiang), so a leg's p50 and p90 are the planner's;
  sailing and mean waits of lines run through count in both.
- Capacity: a stop's servers come from its sourced daily train capacity or server count, else
  from its sourced t/yr capacity; a stop with none of them adds its dwell but never a queue
  (``sourced_servers``). A block train longer than a ferry's vessel is cut to the vessel.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.costs.time import mean_wait_h
from landbridge.distributions import lognormal_mean
from landbridge.frames import row_at
from landbridge.network.model import EdgeMode, Network
from landbridge.sim.corridor_tables import FerryLine, ferry_spec, ports_of, server_facility
from landbridge.sim.system import FacilityKind, FacilitySpec, TrainClassSpec
from landbridge.units import DAYS_PER_YEAR, HOURS_PER_DAY, TEU_PER_FEU

if TYPE_CHECKING:
    from landbridge.costs.edges import EdgeCosts
    from landbridge.costs.params import Params
    from landbridge.routing.places import Resolver
    from landbridge.schema.route import RouteRequest

#: Network facility kinds the engine models, and how.
STOP_KIND = {
    "gauge_change": FacilityKind.GAUGE_CHANGE,
    "crossing": FacilityKind.CROSSING,
    "port": FacilityKind.PORT,
    "ferry": FacilityKind.FERRY,
    "feeder": FacilityKind.FERRY,
}
#: The flows layer's name for the Caspian gateway share (``flows.usage.corridor_shares``).
CASPIAN_GATEWAY = "Caspian Sea (Middle Corridor)"
#: Parallel servers of a facility with no sourced capacity (no trains/day, servers or t/yr
#: figure): more than trains could ever be in service there at once, so it adds its dwell and
#: never a queue, as the flows layer treats such facilities as unlimited. (The tables' one
#: default server is an assumption made for routing's dwell, not a capacity.)
UNCAPACITATED_SERVERS = 1000

#: One routing option: ``(family, label, edge ids in travel order)``.
Found = tuple[str, str, np.ndarray]


@dataclass(frozen=True)
class OptionStops:
    """One routing option as the simulation sees it."""

    family: str
    label: str
    gateway: str | None  # flows-layer gateway name, None if the path crosses no China border
    facility_rows: list[int]  # network facility rows of the stops, in order
    legs_p50_h: list[float]  # running hours: origin -> stop 1 -> ... -> destination
    legs_p90_h: list[float]


@dataclass(frozen=True)
class StopTable:
    """Per network facility row: is it a simulated stop, is it a China border (a gateway)."""

    ids: np.ndarray  # str [F]
    names: np.ndarray  # str [F]
    stop: np.ndarray  # bool [F]
    cn_border: np.ndarray  # bool [F]

    @classmethod
    def of(cls, net: Network, ferry_ok: set[str]) -> StopTable:
        """``ferry_ok``: the ferry and feeder ids the engine can model (fleet and vessel known)."""
        fac = net.facilities
        ids = fac["facility_id"]
        kinds = fac["kind"]
        countries = [c.split("-") for c in fac["countries"].tolist()]
        ferry = np.isin(kinds, [k for k, v in STOP_KIND.items() if v == FacilityKind.FERRY])
        stop = np.isin(kinds, list(STOP_KIND)) & (~ferry | np.isin(ids, sorted(ferry_ok)))
        border = np.isin(kinds, ["crossing", "gauge_change"])
        cn = np.array(["CN" in c for c in countries], dtype=bool)
        return cls(ids, fac["name"], stop, border & cn)


def option_stops(
    net: Network, costs: EdgeCosts, edges: np.ndarray, family: str, label: str, table: StopTable
) -> OptionStops:
    """Stops and running legs of one option path (edge ids in travel order).

    ``costs`` is routing's ``EdgeCosts`` of ``net``. Consecutive edges of one facility are one
    stop; a sea or ocean line that is run through adds its sailing and one mean wait.
    """
    f = net.edge_facility[edges].astype(np.int64)
    has = f >= 0
    fac = np.where(has, f, 0)
    stop = has & table.stop[fac]
    new_run = f != np.concatenate([[-1], f[:-1]])
    ship = np.isin(net.edge_mode[edges], [int(EdgeMode.SEA), int(EdgeMode.OCEAN)])
    at_sea = (
        np.where(ship, costs.sailing_h[edges], 0.0)
        + np.where(ship & new_run, mean_wait_h(costs.headway_h[edges]), 0.0)  # one wait per line
    )
    starts = stop & new_run
    rows = f[starts]
    leg = np.cumsum(starts)  # leg of each edge: 0 before the first stop, i after stop i

    def legs(running_h: np.ndarray) -> list[float]:
        # summed leg by leg, so a leg with no rail has the same p50 and p90 to the last bit
        hours = np.where(stop, 0.0, running_h[edges] + at_sea)
        return np.bincount(leg, weights=hours, minlength=len(rows) + 1).tolist()

    gateway: str | None = CASPIAN_GATEWAY if family == "middle" else None
    cn = rows[table.cn_border[rows]]
    if gateway is None and cn.size:
        gateway = str(table.names[cn[0]])
    return OptionStops(
        family, label, gateway, rows.tolist(), legs(costs.running_p50_h), legs(costs.running_p90_h)
    )


def routing_options(
    request: RouteRequest, net: Network, params: Params, resolver: Resolver | None = None
) -> list[Found]:
    """Routing's options for ``request`` with their paths, in routing's rank order."""
    from landbridge.routing.plan import plan_routes_with_paths

    response, paths = plan_routes_with_paths(request, net, params, resolver)
    return [(o.corridor, o.label, p) for o, p in zip(response.options, paths, strict=True)]


def facility_spec(
    net: Network, row: int, known: dict[str, FacilitySpec | FerryLine], defaults: pd.DataFrame
) -> FacilitySpec | FerryLine:
    """Spec of network facility ``row`` (the bundled tables first, else its own row).

    Ferries are stops only when the tables hold them (``StopTable``), so a spec built
    from the row is always a server.
    """
    from landbridge.network import tables

    r = pd.Series(net.facilities.record(row), name=row)
    fid = str(r["facility_id"])
    if fid in known:
        return known[fid]
    kind = STOP_KIND[str(r["kind"])]
    default_id = (
        tables.DEFAULT_GAUGE_CHANGE_ID
        if kind == FacilityKind.GAUGE_CHANGE
        else tables.DEFAULT_BORDER_ID
    )
    numeric = r.copy()
    for col in ("dwell_p50_h", "dwell_p90_h", "capacity_trains_per_day", "servers"):
        numeric[col] = pd.to_numeric(pd.Series([r.get(col, np.nan)]), errors="coerce").iloc[0]
    return server_facility(fid, str(r["name"]), numeric, row_at(defaults, default_id), kind)


def _number(row: pd.Series, col: str) -> float:
    value = pd.to_numeric(pd.Series([row.get(col, np.nan)]), errors="coerce").iloc[0]
    return float(value) if np.isfinite(value) and value > 0 else math.nan


def sourced_servers(row: pd.Series, rec: FacilitySpec, t_per_train: float, named: bool) -> int:
    """Servers of a server facility from its sourced capacity (network facilities ``row``).

    Daily train capacity or a server count of a ``named`` row of the bundled tables: as ``rec``
    has them; else the yearly tonnage in trains of ``t_per_train`` at the mean dwell; else
    ``UNCAPACITATED_SERVERS``. (Detected crossings carry the default row's assumed server.)
    """
    if math.isfinite(_number(row, "capacity_trains_per_day")) or (
        named and math.isfinite(_number(row, "servers"))
    ):
        return rec.servers
    tonnes = _number(row, "capacity_t_per_yr")
    if not math.isfinite(tonnes):
        return UNCAPACITATED_SERVERS
    p50, p90 = rec.p50_h, rec.service_p90_h
    mean_h = float(lognormal_mean(p50, p90))
    per_day = tonnes / t_per_train / DAYS_PER_YEAR
    return max(1, math.ceil(per_day * mean_h / HOURS_PER_DAY))


def tonnes_per_train(params: Params, sim: dict[str, float]) -> float:
    """Tonnes of one block train of ``feu_per_train`` FEU (``sim.csv``) at routing's t/TEU."""
    return TEU_PER_FEU * float(params.scalar("tonnes_per_teu")) * sim["feu_per_train"]


@dataclass
class ClassBuilder:
    """The facilities and train classes of a corridor, added option by option.

    ``known``: the bundled tables' specs (``corridor_tables.facility_tables``); ``defaults``:
    the crossings table by ``facility_id`` (its default rows); ``sim``: the ``param`` rows of
    ``sim.csv``; ``t_per_train`` turns a facility's t/yr capacity into trains.
    """

    net: Network
    costs: EdgeCosts
    known: dict[str, FacilitySpec | FerryLine]
    defaults: pd.DataFrame
    sim: dict[str, float]
    t_per_train: float
    facilities: dict[str, FacilitySpec] = field(default_factory=dict)
    classes: list[TrainClassSpec] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Turkmenbashi-Alat has a speed but no sailing hours: not simulated
        ferry_ok = {
            fid for fid, rec in self.known.items() if isinstance(rec, FerryLine) and rec.simulated
        }
        self.table = StopTable.of(self.net, ferry_ok)
        self.ports = ports_of(self.known)

    def stops(self, found: Found) -> OptionStops:
        family, label, edges = found
        return option_stops(self.net, self.costs, edges, family, label, self.table)

    def stop_ids(self, option: OptionStops) -> list[str]:
        return [str(self.table.ids[row]) for row in option.facility_rows]

    def add(
        self, option: OptionStops, class_id: str, corridor: str, direction: str,
        trains_per_yr: float,
    ) -> None:  # fmt: skip
        """Add ``trains_per_yr`` block trains of ``option`` running ``direction`` as a class."""
        route = []
        feu = self.sim["feu_per_train"]
        size = feu
        for row, fid in zip(option.facility_rows, self.stop_ids(option), strict=True):
            inst = f"{fid}:{direction}"
            if inst not in self.facilities:
                self.facilities[inst] = self._instance(row, fid, inst, direction)
            if self.facilities[inst].kind == FacilityKind.FERRY:
                size = min(size, self.facilities[inst].capacity_feu)
            route.append(inst)
        self.classes.append(
            TrainClassSpec(
                id=class_id,
                corridor=corridor,
                # A block train longer than a vessel takes is cut to the vessel's size and
                # runs more often: the FEU carried stay those of the demand.
                per_day=trains_per_yr * feu / size / DAYS_PER_YEAR,
                feu=size,
                route=tuple(route),
                legs_p50_h=tuple(option.legs_p50_h),
                legs_p90_h=tuple(option.legs_p90_h),
            )
        )

    def _instance(self, row: int, fid: str, inst: str, direction: str) -> FacilitySpec:
        rec = facility_spec(self.net, row, self.known, self.defaults)
        if isinstance(rec, FerryLine):
            spec = ferry_spec(fid, rec, self.ports, self.sim)
        else:
            record = pd.Series(self.net.facilities.record(row), name=row)
            servers = sourced_servers(record, rec, self.t_per_train, fid in self.known)
            spec = dataclasses.replace(rec, servers=servers)
        return dataclasses.replace(spec, id=inst, name=f"{spec.name} ({direction}bound)")
