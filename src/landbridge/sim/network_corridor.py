"""The corridor built from the network, routing and flows layers (``simulate --demand network``).

- Demand: the container OD rows of the flows layer's table of the year (``flows.demand``), in
  block trains of ``feu_per_train`` FEU (``sim.csv``); bulk is not containerised and left out.
- Options: every corridor option ``routing.plan_routes`` finds between the OD's regions (snapped
  to the network as the flows layer snaps them), all-sea options excepted (the flows layer does
  not assign ocean legs either). Each train class is one (OD, option).
- Split: the flows layer does not publish path flows, so an OD's trains go to its options in
  proportion to the share of China's transit that ``run_flows`` puts through the option's gateway
  (its China border crossing, or the Caspian Sea for middle options), each gateway's share
  divided equally among the OD's options through it. An OD whose options have no such share
  (no China crossing, e.g. Kazakh cargo to the Caucasus) rides routing's first-ranked option.
- Stops: the option path's facilities in order, split by direction (``:west``/``:east``; west
  when the destination lies west of the origin) as in the bundled corridor: crossings and
  gauge-change yards and ports are servers, ferry and feeder lines are ferries. Line sections and
  ocean legs are run through, as are ferries without a fleet or vessel size (their sailing and
  routing's mean wait, half the interval between sailings, go into the running leg).
- Running legs: routing's per-edge median running hours summed between stops
  (``costs.edges.EdgeCosts.running_p50_h``); p90 = p50 x ``run_p90_over_p50`` (``sim.csv``).
- Capacity: a stop's servers come from its sourced daily train capacity or server count, else
  from its sourced t/yr capacity; a stop with none of them adds its dwell but never a queue
  (``sourced_servers``). A block train longer than a ferry's vessel is cut to the vessel.

Building the real corridor runs the flows assignment and about 200 route plans (half a minute),
so the records are cached under the user cache, keyed by the network inputs, the tables read
and the code of the layers involved (a change to any of them rebuilds).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landbridge.costs.time import mean_wait_h
from landbridge.distributions import lognormal_mean
from landbridge.errors import InvalidInputError, OutputError, UnreachableError
from landbridge.frames import row_at
from landbridge.network.model import EdgeMode, Network
from landbridge.outputs import write_text
from landbridge.paths import cache_dir
from landbridge.sim.corridor_tables import (
    DIRECTIONS,
    FerryLine,
    facility_tables,
    ferry_spec,
    load_sim_table,
    ports_of,
    server_facility,
    sim_params,
)
from landbridge.sim.system import (
    CorridorSystem,
    FacilityKind,
    FacilitySpec,
    TrainClassSpec,
    make_system,
)
from landbridge.units import DAYS_PER_YEAR, HOURS_PER_DAY, TEU_PER_FEU

if TYPE_CHECKING:
    from landbridge.costs.edges import EdgeCosts
    from landbridge.costs.params import Params
    from landbridge.schema.flows import FlowsResult

#: Network facility kinds the engine models, and how.
STOP_KIND = {
    "gauge_change": FacilityKind.GAUGE_CHANGE,
    "crossing": FacilityKind.CROSSING,
    "port": FacilityKind.PORT,
    "ferry": FacilityKind.FERRY,
    "feeder": FacilityKind.FERRY,
}
#: Routing families whose options the simulation carries (all-sea is not the land bridge).
SIMULATED_FAMILIES = ("northern", "middle", "southern")
#: The flows layer's name for the Caspian gateway share (``flows.usage.corridor_shares``).
CASPIAN_GATEWAY = "Caspian Sea (Middle Corridor)"
#: Demand groups whose OD pairs are reported as the China–Kazakhstan corridor.
REGIONAL_GROUPS = frozenset({"CN", "KZ", "CA"})
REGIONAL_CORRIDOR = "china-kazakhstan"
#: Parallel servers of a facility with no sourced capacity (no trains/day, servers or t/yr
#: figure): more than trains could ever be in service there at once, so it adds its dwell and
#: never a queue, as the flows layer treats such facilities as unlimited. (The tables' one
#: default server is an assumption made for routing's dwell, not a capacity.)
UNCAPACITATED_SERVERS = 1000
#: Bump when the records built here change meaning (invalidates the cache).
CACHE_VERSION = 4


@dataclass(frozen=True)
class OptionStops:
    """One routing option as the simulation sees it."""

    family: str
    label: str
    gateway: str | None  # flows-layer gateway name, None if the path crosses no China border
    facility_rows: list[int]  # network facility rows of the stops, in order
    legs_p50_h: list[float]  # running hours: origin -> stop 1 -> ... -> destination


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
    hours = (
        costs.running_p50_h[edges]
        + np.where(ship, costs.sailing_h[edges], 0.0)
        + np.where(ship & new_run, mean_wait_h(costs.headway_h[edges]), 0.0)  # one wait per line
    )
    hours[stop] = 0.0
    at = np.flatnonzero(stop & new_run)
    rows = f[at]
    total = np.concatenate([[0.0], np.cumsum(hours)])
    bounds = np.concatenate([[0], at, [len(edges)]])
    legs = total[bounds[1:]] - total[bounds[:-1]]
    gateway: str | None = CASPIAN_GATEWAY if family == "middle" else None
    cn = rows[table.cn_border[rows]]
    if gateway is None and cn.size:
        gateway = str(table.names[cn[0]])
    return OptionStops(family, label, gateway, rows.tolist(), legs.tolist())


def option_weights(options: list[OptionStops], shares: dict[str, float]) -> np.ndarray:
    """Share of an OD's trains on each option (see the module docstring); sums to 1."""
    gateways = [o.gateway for o in options]
    count = {g: gateways.count(g) for g in set(gateways)}
    w = np.array(
        [shares.get(g, 0.0) / count[g] if g is not None else 0.0 for g in gateways], dtype=float
    )
    if w.sum() <= 0:
        w = np.zeros(len(options))
        w[0] = 1.0
    return w / w.sum()


def _direction(net: Network, origin: int, destination: int) -> str:
    return DIRECTIONS[0] if net.node_lon[destination] < net.node_lon[origin] else DIRECTIONS[1]


def corridor_of(origin_group: str, destination_group: str, family: str) -> str:
    """Reporting corridor of a class: regional pairs apart, else the routing family."""
    if {origin_group, destination_group} <= REGIONAL_GROUPS:
        return REGIONAL_CORRIDOR
    return family


@dataclass(frozen=True)
class NetworkCorridor:
    """The specs of the network-derived corridor, and what was left out."""

    facilities: list[FacilitySpec]
    classes: list[TrainClassSpec]
    notes: list[str]

    def system(self) -> CorridorSystem:
        return make_system(self.facilities, self.classes)


def facility_spec(
    net: Network, row: int, known: dict[str, FacilitySpec | FerryLine], defaults: pd.DataFrame
) -> FacilitySpec | FerryLine:
    """Spec of network facility ``row`` (the bundled tables first, else its own row).

    Ferries are stops only when the tables hold them (``build_records``), so a spec built
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


def build_records(
    net: Network,
    costs: EdgeCosts,
    od: pd.DataFrame,
    nodes: dict[str, int],
    plan: Callable[[int, int], list[tuple[str, str, np.ndarray]]],
    shares: dict[str, float],
    params: dict[str, float],
    known: dict[str, FacilitySpec | FerryLine],
    defaults: pd.DataFrame,
    t_per_train: float,
) -> NetworkCorridor:
    """Records of the corridor: one class per (OD row with TEU, simulated option).

    ``plan(origin_node, destination_node)`` returns routing's options as ``(family, label,
    edges)`` in routing's rank order; it may raise ``UnreachableError`` or
    ``InvalidInputError`` (same node), and such ODs are left out with a note. ``t_per_train``
    turns a facility's t/yr capacity into trains (``sourced_servers``).
    """
    feu = params["feu_per_train"]
    spread = params["run_p90_over_p50"]
    # Turkmenbashi-Alat has a speed but no sailing hours: not simulated
    ferry_ok = {fid for fid, rec in known.items() if isinstance(rec, FerryLine) and rec.simulated}
    table = StopTable.of(net, ferry_ok)
    ports = ports_of(known)
    facilities: dict[str, FacilitySpec] = {}
    classes: list[TrainClassSpec] = []
    left_out: list[str] = []
    left_teu = 0.0
    plans: dict[tuple[int, int], list[OptionStops]] = {}
    rows = od[od["teu_per_yr"].astype(float) > 0]
    for r in rows.to_dict("records"):
        key = f"{r['origin']}>{r['destination']}"
        teu = float(r["teu_per_yr"])
        if r["origin"] not in nodes or r["destination"] not in nodes:
            left_out.append(key)
            left_teu += teu
            continue
        o, d = nodes[r["origin"]], nodes[r["destination"]]
        if (o, d) not in plans:
            try:
                found = plan(o, d)
            except (UnreachableError, InvalidInputError):
                found = []
            plans[(o, d)] = [
                option_stops(net, costs, edges, family, label, table)
                for family, label, edges in found
                if family in SIMULATED_FAMILIES
            ]
        options = plans[(o, d)]
        if not options:
            left_out.append(key)
            left_teu += teu
            continue
        direction = _direction(net, o, d)
        trains_per_yr = teu / (TEU_PER_FEU * feu)
        for option, weight in zip(options, option_weights(options, shares), strict=True):
            if weight <= 0:
                continue
            route = []
            size = feu
            for row in option.facility_rows:
                fid = str(table.ids[row])
                inst = f"{fid}:{direction}"
                if inst not in facilities:
                    rec = facility_spec(net, row, known, defaults)
                    if isinstance(rec, FerryLine):
                        spec = ferry_spec(fid, rec, ports, params)
                    else:
                        servers = sourced_servers(
                            pd.Series(net.facilities.record(row), name=row), rec, t_per_train,
                            fid in known,
                        )
                        spec = dataclasses.replace(rec, servers=servers)
                    name = f"{spec.name} ({direction}bound)"
                    facilities[inst] = dataclasses.replace(spec, id=inst, name=name)
                if facilities[inst].kind == FacilityKind.FERRY:
                    size = min(size, facilities[inst].capacity_feu)
                route.append(inst)
            legs = tuple(option.legs_p50_h)
            classes.append(
                TrainClassSpec(
                    id=f"{key} {option.label}",
                    corridor=corridor_of(r["origin_group"], r["destination_group"], option.family),
                    # A block train longer than a vessel takes is cut to the vessel's size and
                    # runs more often: the FEU carried stay those of the demand.
                    per_day=trains_per_yr * weight * feu / size / DAYS_PER_YEAR,
                    feu=size,
                    route=tuple(route),
                    legs_p50_h=legs,
                    legs_p90_h=tuple(h * spread for h in legs),
                )
            )
    notes = []
    if left_out:
        notes.append(
            f"{left_teu:,.0f} TEU/yr of container demand ({len(left_out)} OD rows) has no "
            f"simulated rail option and is left out: {', '.join(left_out[:5])}"
            + (" ..." if len(left_out) > 5 else "")
        )
    return NetworkCorridor(list(facilities.values()), classes, notes)


def gateway_shares(flows_result: FlowsResult) -> dict[str, float]:
    """Gateway name -> share of China's transit, from a ``FlowsResult``."""
    return {s.corridor: float(s.share) for s in flows_result.corridor_shares}


def _cache_key(net: Network, year: int) -> str:
    """Digest of everything the build reads: network inputs, tables and the layers' code."""
    from landbridge.flows.demand import DEMAND_DIR
    from landbridge.paths import DATA_DIR, PACKAGE_DIR

    h = hashlib.sha256()
    h.update(json.dumps([CACHE_VERSION, year, net.meta.get("inputs_sha256", "")]).encode())
    files = [
        *DEMAND_DIR.glob("*.csv"),
        *(DATA_DIR / "params").glob("*.csv"),
        *(DATA_DIR / "facilities").glob("*.csv"),
        *(PACKAGE_DIR / "sim").glob("*.py"),
        *(PACKAGE_DIR / "flows").glob("*.py"),
        *(PACKAGE_DIR / "routing").glob("*.py"),
        *(PACKAGE_DIR / "costs").glob("*.py"),
    ]
    for path in sorted(files):
        h.update(str(path.relative_to(PACKAGE_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_network_corridor(
    year: int = 2023,
    network: Network | None = None,
    params: Params | None = None,
    flows_result: FlowsResult | None = None,
) -> NetworkCorridor:
    """The corridor of ``year`` from the network, routing and flows layers.

    With no arguments besides ``year`` the bundled network and parameters are used and the
    records are cached (``<cache>/sim/``). ``flows_result`` skips the flows run (its gateway
    shares are used as they are).
    """
    from landbridge.flows import demand as dem

    if year not in dem.YEARS:
        raise InvalidInputError(
            f"no demand for year {year}; available: {', '.join(map(str, dem.YEARS))}"
        )
    bundled = network is None and params is None and flows_result is None
    if network is None:
        from landbridge.network import load_network

        network = load_network()
    cache = None
    if bundled:
        cache = cache_dir() / "sim" / f"network-corridor-{year}-{_cache_key(network, year)}.json"
        if cache.is_file():
            try:
                data = json.loads(cache.read_text())
                return NetworkCorridor(
                    [FacilitySpec(**f) for f in data["facilities"]],
                    [TrainClassSpec(**c) for c in data["classes"]],
                    data["notes"],
                )
            except (OSError, ValueError, KeyError, TypeError, InvalidInputError):
                pass  # rebuilt below and written again
    if params is None:
        from landbridge.costs.params import load_default_params

        params = load_default_params()
    if flows_result is None:
        from landbridge.flows.run import run_flows

        flows_result = run_flows(year, network=network, params=params)
    corridor = _build(network, params, dem.load_demand(year), gateway_shares(flows_result))
    if cache is not None:
        _write_cache(cache, corridor, year)
    return corridor


def _write_cache(cache: Path, corridor: NetworkCorridor, year: int) -> None:
    """Write atomically (a per-process temporary file renamed into place) and drop stale builds.

    A cache that cannot be written only costs the next run a rebuild.
    """
    records = dict(
        facilities=[dataclasses.asdict(f) for f in corridor.facilities],
        classes=[dataclasses.asdict(c) for c in corridor.classes],
        notes=corridor.notes,
    )
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_text(cache, json.dumps(records), "simulation corridor cache")
        for stale in cache.parent.glob(f"network-corridor-{year}-*.json"):
            if stale != cache:
                stale.unlink(missing_ok=True)
    except (OSError, OutputError):
        pass  # the next run rebuilds it


def _build(
    net: Network, params: Params, od: pd.DataFrame, shares: dict[str, float]
) -> NetworkCorridor:
    from landbridge.flows.corridor import snap_regions
    from landbridge.network import tables
    from landbridge.routing.plan import edge_costs, plan_routes_with_paths
    from landbridge.schema.route import Endpoint, RouteRequest

    od = od[od["teu_per_yr"].astype(float) > 0]
    nodes = snap_regions(net, sorted(set(od.origin) | set(od.destination)), True)
    by_node = {f"node:{n}": n for n in nodes.values()}

    def resolve(query: str, network: Network) -> Endpoint:
        n = by_node[query]
        return Endpoint(
            name=query, node=n, lat=float(network.node_lat[n]), lon=float(network.node_lon[n]),
            country="",
        )  # fmt: skip

    def plan(o: int, d: int) -> list[tuple[str, str, np.ndarray]]:
        response, paths = plan_routes_with_paths(
            RouteRequest(origin=f"node:{o}", destination=f"node:{d}"), net, params, resolve
        )
        return [
            (opt.corridor, opt.label, p) for opt, p in zip(response.options, paths, strict=True)
        ]

    sim = sim_params(load_sim_table())
    return build_records(
        net, edge_costs(net, params), od, nodes, plan, shares, sim,
        facility_tables(), tables.load_crossings().set_index("facility_id"),
        TEU_PER_FEU * float(params.scalar("tonnes_per_teu")) * sim["feu_per_train"],
    )  # fmt: skip
