"""Turn a path (edge ids) into a priced option: legs, time parts, p50/p90, cost and CO2e.

Consecutive rail edges in one country form one leg; consecutive edges of one facility (a
ferry line split into several edges) form one leg whose fixed charge, dwell and wait count
once. With a ``Weather``, a ferry leg reached in a winter month of ``weather_months.csv``
waits ``closure share × mean closure length`` more (the month is the one in which the box
reaches the ferry: departure plus the median hours of the legs before it).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from landbridge.costs.dated import DatedPatch
from landbridge.costs.edges import DEFAULT_KIND_BY_MODE, EdgeCosts, running_parts
from landbridge.costs.params import RowRef
from landbridge.costs.rate_basis import RateBasis as RateBasisOf
from landbridge.costs.rate_basis import RateFactors, is_block_train, rate_basis
from landbridge.costs.tariff import shipment_usd
from landbridge.costs.time import SCOPE, TimeParts, mean_wait_h, transit_p10_p50_p90_h
from landbridge.costs.weather import Weather, closure_share, weather_wait_h
from landbridge.network.model import EdgeMode, Network
from landbridge.routing.constraints import facility_text
from landbridge.routing.families import customs_flags, customs_territory
from landbridge.schema.route import (
    ArrivalDates,
    DatedValue,
    DistanceKm,
    RateBasis,
    RouteOption,
    TimeBreakdownH,
    TransitDays,
)
from landbridge.units import HOURS_PER_DAY

LEG_MODE = {
    EdgeMode.RAIL: "rail",
    EdgeMode.TRANSFER: "transfer",
    EdgeMode.BORDER: "border",
    EdgeMode.PORT: "port",
    EdgeMode.SEA: "sea",
    EdgeMode.OCEAN: "ocean",
}
DWELL_BUCKET = {EdgeMode.TRANSFER: "gauge_change", EdgeMode.BORDER: "border", EdgeMode.PORT: "port"}
COST_BUCKET = {
    EdgeMode.RAIL: "rail",
    EdgeMode.TRANSFER: "gauge_change",
    EdgeMode.BORDER: "border",
    EdgeMode.PORT: "port",
    EdgeMode.SEA: "ferry",
    EdgeMode.OCEAN: "ocean",
}
ROUND = 2  # decimals in the output (hours, km, USD, kg)
MODES = {int(m): m for m in EdgeMode}


@dataclass
class Shipment:
    feu: float
    tonnes: float


@dataclass
class Evaluated:
    option: RouteOption
    refs: list[RowRef] = field(default_factory=list)
    facility_rows: list[int] = field(default_factory=list)
    dated: list[DatedValue] = field(default_factory=list)  # weather waits applied
    parts: TimeParts | None = None  # the time parts the transit days were drawn from
    leg_starts: np.ndarray | None = None  # position in the path of each leg's first edge


def node_label(net: Network, node: int) -> str:
    name = str(net.node_name[node]) if net.node_name[node] else ""
    return name or f"{net.node_lat[node]:.3f},{net.node_lon[node]:.3f}"


def run_starts(net: Network, edges: np.ndarray) -> np.ndarray:
    """Start positions of the legs of a path: same mode and (rail) country or (others) facility."""
    mode = net.edge_mode[edges].astype(np.int64)
    group = np.where(
        mode == EdgeMode.RAIL, net.edge_country[edges], net.edge_facility[edges]
    ).astype(np.int64)
    no_fac = (mode != EdgeMode.RAIL) & (group < 0)
    change = np.ones(len(edges), dtype=bool)
    change[1:] = (mode[1:] != mode[:-1]) | (group[1:] != group[:-1]) | no_fac[1:]
    return np.flatnonzero(change)


def evaluate_path(
    net: Network,
    costs: EdgeCosts,
    edges: np.ndarray,
    shipment: Shipment,
    corridor: str,
    label: str,
    depart: dt.date | None = None,
    weather: Weather | None = None,
) -> Evaluated:
    """The option of ``edges`` for ``shipment``: ``priced(path_times(...), shipment)``."""
    return priced(path_times(net, costs, edges, corridor, label, depart, weather), shipment)


@dataclass
class PathTimes:
    """What pricing a path does not need the shipment for: per leg its places, km and hours and
    its charge per FEU and CO2e per tonne; the time parts and the p10/p50/p90 drawn from them;
    the sources read. ``priced`` turns it into an option for one shipment."""

    corridor: str
    label: str
    end_countries: tuple[str, str]
    by_ocean: bool
    rates: RateFactors
    # per leg (plain lists, travel order)
    modes: list[EdgeMode]
    shown: list[dict[str, object]]  # mode, from, to, country, km and hours as the leg shows them
    hours: list[float]  # rounded as shown
    usd_per_feu: list[float]  # before the rate basis (rail legs) and the shipment size
    co2e_kg_per_t: list[float]
    electric_kg_per_t: list[float]
    co2e_key: list[str]  # the emission bucket of a ship leg ('' for none)
    time_breakdown_h: TimeBreakdownH
    distance_km: DistanceKm
    transit_days: TransitDays
    arrival: ArrivalDates | None
    via: list[str]
    countries: list[str]
    refs: list[RowRef]  # before the shipment's rate basis
    transit_refs: list[RowRef]
    facility_rows: list[int]
    dated: list[DatedValue]
    parts: TimeParts
    leg_starts: np.ndarray
    # set by the planner, per date: the dated values of the days the box reaches each facility,
    # and the events that may act on each leg (``routing.event_effects.leg_events``)
    box: dict[dt.date, DatedPatch] = field(default_factory=dict)
    events: dict[dt.date, list[Any]] = field(default_factory=dict)
    bases: dict[bool, RateBasisOf] = field(default_factory=dict)  # per block-train booking


def path_times(
    net: Network,
    costs: EdgeCosts,
    edges: np.ndarray,
    corridor: str,
    label: str,
    depart: dt.date | None = None,
    weather: Weather | None = None,
) -> PathTimes:
    """The shipment-independent part of pricing ``edges`` (see ``PathTimes``)."""
    time_h = dict.fromkeys(
        ("running", "border", "gauge_change", "port", "ferry_wait", "sailing"), 0.0
    )
    dist = {"rail": 0.0, "sea": 0.0}
    dwell50: list[float] = []
    dwell90: list[float] = []
    dwell_roles: list[int] = []
    headways: list[float] = []
    headway_roles: list[int] = []
    sailing_total = 0.0
    via: list[str] = []
    countries: list[str] = []
    refs: list[RowRef] = []
    facility_rows: list[int] = []
    dated: list[DatedValue] = []
    closure_shares: list[float] = []
    closure_lengths: list[float] = []
    shown: list[dict[str, object]] = []
    leg_hours: list[float] = []
    leg_usd: list[float] = []
    leg_key: list[str] = []
    elapsed_h = 0.0
    text = facility_text(net)
    customs = customs_flags(net)
    country_rows: dict[str, list[RowRef]] = {}  # the rows a country's rail legs read

    def add_country(code: str) -> None:
        if code and (not countries or countries[-1] != code):
            countries.append(code)

    starts = run_starts(net, edges) if len(edges) else np.empty(0, dtype=np.int64)
    by_ocean = bool((net.edge_mode[edges] == EdgeMode.OCEAN).any())

    def per_run(values: np.ndarray) -> list[float]:
        return np.add.reduceat(values[edges], starts).tolist() if len(starts) else []

    lengths = per_run(net.edge_length_km)
    run50 = per_run(costs.running_p50_h)
    linehaul, sailing = per_run(costs.linehaul_usd_per_feu), per_run(costs.sailing_h)
    per_ts, electrics = per_run(costs.co2e_kg_per_t), per_run(costs.electric_co2e_kg_per_t)
    # per leg, from its first edge (its last for the end node), as plain lists
    firsts = edges[starts]
    lasts = edges[np.append(starts[1:], len(edges)) - 1] if len(starts) else firsts
    leg_modes = [MODES[m] for m in net.edge_mode[firsts].tolist()]
    leg_src, leg_dst = net.edge_src[firsts].tolist(), net.edge_dst[lasts].tolist()
    leg_fac, leg_cid = net.edge_facility[firsts].tolist(), net.edge_country[firsts].tolist()
    leg_dwell50 = costs.dwell_p50_h[firsts].tolist()
    leg_dwell90 = costs.dwell_p90_h[firsts].tolist()
    leg_role, leg_headway = costs.time_role[firsts].tolist(), costs.headway_h[firsts].tolist()
    leg_fixed = costs.fixed_usd_per_feu[firsts].tolist()
    leg_factor = costs.factor_key[firsts].tolist()
    for i, first in enumerate(firsts.tolist()):
        mode = leg_modes[i]
        length = lengths[i]
        src, dst = leg_src[i], leg_dst[i]
        f = leg_fac[i]
        key = ""
        if mode == EdgeMode.RAIL:
            cid = leg_cid[i]
            code = net.countries[cid] if cid >= 0 else ""
            hours = run50[i]
            usd_per_feu = linehaul[i]
            time_h["running"] += hours
            dist["rail"] += length
            rows = country_rows.get(code)
            if rows is None:
                read = costs.country_refs.get(code or "*", costs.country_refs["*"])
                rows = country_rows[code] = [RowRef(t, k) for t, k in read.items()]
            refs.extend(rows)
            refs.append(RowRef("emission_factors", "rail_diesel"))
            refs.append(RowRef("emission_factors", "rail_electric"))
            add_country(code)
        else:
            dwell = leg_dwell50[i]
            hours = dwell
            if mode in DWELL_BUCKET:
                time_h[DWELL_BUCKET[mode]] += dwell
                dwell50.append(dwell)
                dwell90.append(leg_dwell90[i])
                dwell_roles.append(leg_role[i])
            headway = leg_headway[i]
            sail = sailing[i]
            if mode in (EdgeMode.SEA, EdgeMode.OCEAN):
                headways.append(headway)
                headway_roles.append(leg_role[i])
                headway_wait_h = float(mean_wait_h(headway))
                time_h["ferry_wait"] += headway_wait_h
                time_h["sailing"] += sail
                sailing_total += sail
                hours += headway_wait_h + sail
                if weather is not None and f >= 0 and weather.closure_days[f] > 0:
                    reached = weather.depart + dt.timedelta(hours=elapsed_h)
                    month = weather.months.get(reached.month)
                    if month is not None:
                        share = closure_share(weather.closure_days[f], reached)
                        wait = weather_wait_h(share, weather.mean_closure_h)
                        time_h["ferry_wait"] += wait
                        hours += wait
                        closure_shares.append(share)
                        closure_lengths.append(weather.mean_closure_h)
                        refs.append(RowRef("scalars", "ferry_closure_mean_h"))
                        dated.append(_weather_value(text.ids[f], reached, weather, f, wait))
                dist["sea"] += length
                key = str(leg_factor[i])
                refs.append(RowRef("emission_factors", key))
                if mode == EdgeMode.OCEAN and linehaul[i] > 0:
                    refs.append(RowRef("scalars", "ocean_freight_usd_per_feu_km"))
            usd_per_feu = leg_fixed[i] + linehaul[i]
            if f >= 0:
                facility_rows.append(f)
                kind = text.kinds[f]
                if costs.facilities.used_default[f]:
                    refs.append(RowRef("facility_defaults", kind))
                # an operator change inside a customs union is no stop a shipper names
                if mode in DWELL_BUCKET and (mode != EdgeMode.BORDER or customs[f]):
                    name = text.names[f]
                    if not via or via[-1] != name:
                        via.append(name)
            else:
                refs.append(RowRef("facility_defaults", _default_kind(mode)))
            for node in (src, dst):
                cid = int(net.node_country[node])
                add_country(net.countries[cid] if cid >= 0 else "")
        elapsed_h += hours
        leg_hours.append(round(hours, ROUND))
        shown.append({
            "mode": LEG_MODE[mode], "from": _leg_end(net, src, f, mode),
            "to": _leg_end(net, dst, f, mode), "country": _leg_country(net, first, f, mode),
            "distance_km": round(length, ROUND), "hours": leg_hours[-1],
        })  # fmt: skip
        leg_usd.append(usd_per_feu)
        leg_key.append(key)

    run50_h, run90_h, run_roles = running_parts(net, costs, edges)
    parts = TimeParts(
        lognormal_p50_h=np.array([*run50_h, *dwell50]),
        lognormal_p90_h=np.array([*run90_h, *dwell90]),
        headway_h=np.array(headways),
        fixed_h=sailing_total,
        closure_share=np.array(closure_shares),
        closure_h=np.array(closure_lengths),
        lognormal_role=np.array([*run_roles, *dwell_roles], dtype=np.int64),
        headway_role=np.array(headway_roles, dtype=np.int64),
        corridor_rho=costs.transit.corridor_rho,
    )
    p10_h, p50_h, p90_h = transit_p10_p50_p90_h(parts)
    arrival = None
    if depart is not None:
        arrival = ArrivalDates(
            p50=depart + dt.timedelta(hours=p50_h), p90=depart + dt.timedelta(hours=p90_h)
        )
    return PathTimes(
        corridor=corridor,
        label=label,
        end_countries=_end_countries(net, edges),
        by_ocean=by_ocean,
        rates=costs.rates,
        modes=leg_modes,
        shown=shown,
        hours=leg_hours,
        usd_per_feu=leg_usd,
        co2e_kg_per_t=per_ts,
        electric_kg_per_t=electrics,
        co2e_key=leg_key,
        time_breakdown_h=TimeBreakdownH(**{k: round(v, ROUND) for k, v in time_h.items()}),
        distance_km=DistanceKm(
            rail=round(dist["rail"], ROUND),
            sea=round(dist["sea"], ROUND),
            total=round(dist["rail"] + dist["sea"], ROUND),
        ),
        transit_days=TransitDays(
            p10=round(p10_h / HOURS_PER_DAY, ROUND),
            p50=round(p50_h / HOURS_PER_DAY, ROUND),
            p90=round(p90_h / HOURS_PER_DAY, ROUND),
        ),
        arrival=arrival,
        via=via,
        countries=countries,
        refs=refs,
        transit_refs=[RowRef("transit_time", k) for k in _transit_keys(costs, parts)],
        facility_rows=facility_rows,
        dated=dated,
        parts=parts,
        leg_starts=starts,
    )


def priced(times: PathTimes, shipment: Shipment) -> Evaluated:
    """The option of a path for ``shipment``: charges and CO2e of each leg for its size (the
    rate basis of its end countries and FEU count on the rail legs)."""
    cost = dict.fromkeys(("rail", "border", "gauge_change", "port", "ferry", "ocean"), 0.0)
    co2e = dict.fromkeys(("rail_electric", "rail_diesel", "ferry", "feeder", "ocean"), 0.0)
    block = is_block_train(times.rates, shipment.feu)
    basis = times.bases.get(block)
    if basis is None:  # the rate basis depends on the size only through the booking
        basis = times.bases[block] = rate_basis(
            times.rates, *times.end_countries, shipment.feu, customs_territory(), times.by_ocean
        )
    tonnes, factor = shipment.tonnes, basis.factor
    # the one place the quoted rate basis prices a leg: the rail line haul
    usd_per_feu = [
        usd * factor if mode == EdgeMode.RAIL else usd
        for mode, usd in zip(times.modes, times.usd_per_feu, strict=True)
    ]
    leg_costs = shipment_usd(np.array(usd_per_feu), shipment.feu).tolist()
    legs: list[dict[str, object]] = []
    for i, mode in enumerate(times.modes):
        per_t = times.co2e_kg_per_t[i]
        if mode == EdgeMode.RAIL:
            electric = times.electric_kg_per_t[i]
            co2e["rail_electric"] += tonnes * electric
            co2e["rail_diesel"] += tonnes * (per_t - electric)
        elif times.co2e_key[i]:
            co2e[times.co2e_key[i]] += tonnes * per_t
        leg_cost = leg_costs[i]
        cost[COST_BUCKET[mode]] += leg_cost
        legs.append({
            **times.shown[i], "cost_usd": round(leg_cost, ROUND),
            "co2e_kg": round(tonnes * per_t, ROUND),
        })  # fmt: skip
    # one validation of the option with its legs (a model per leg is ~5x slower)
    option = RouteOption.model_validate({
        "corridor": times.corridor,
        "label": times.label,
        "via": times.via,
        "countries": times.countries,
        "distance_km": times.distance_km,
        "transit_days": times.transit_days,
        "scope": SCOPE,
        "time_breakdown_h": times.time_breakdown_h,
        "cost_usd": round(sum(cost.values()), ROUND),
        "cost_breakdown_usd": {k: round(v, ROUND) for k, v in cost.items() if v},
        "co2e_kg": round(sum(co2e.values()), ROUND),
        "co2e_breakdown_kg": {k: round(v, ROUND) for k, v in co2e.items() if v},
        "arrival": times.arrival,
        "legs": legs,
        "rate_basis": RateBasis(
            direction=basis.direction,
            booking=basis.booking,
            factor=round(basis.factor, 4),
            note=basis.note,
            source_ids=list(basis.source_ids),
        ),
    })  # fmt: skip
    refs = [*times.refs, RowRef("scalars", "tonnes_per_teu"), *basis.refs, *times.transit_refs]
    return Evaluated(option, refs, times.facility_rows, times.dated, times.parts, times.leg_starts)


def _transit_keys(costs: EdgeCosts, parts: TimeParts) -> list[str]:
    """The transit_time rows the option's parts used (their sources go into the answer)."""
    keys = costs.transit.keys
    roles = {*parts.lognormal_role.tolist(), *parts.headway_role.tolist()} - {-1}
    rho = [k for k, kind in zip(keys, costs.transit.kind, strict=True) if kind == "corridor"]
    return [keys[r] for r in sorted(roles)] + rho


def _weather_value(
    fid: str, reached: dt.date, weather: Weather, f: int, wait_h: float
) -> DatedValue:
    month = weather.months[reached.month]
    days_in_month = calendar.monthrange(reached.year, reached.month)[1]
    days = float(weather.closure_days[f])
    note = (
        f"reached about {reached} ({calendar.month_name[reached.month]}, {month.basis}): "
        f"{days:g} storm days / {days_in_month} days x {weather.mean_closure_h:g} h mean "
        f"closure = {wait_h:.2f} h expected added wait"
    )
    if month.assumption:
        note += f"; {month.assumption}"
    return DatedValue(
        item=fid,
        parameter="weather_wait_h",
        value=round(wait_h, ROUND),
        unit="h",
        source_ids=[*month.source_ids, "landbridge-assumption"],
        note=note,
    )


def _end_countries(net: Network, edges: np.ndarray) -> tuple[str, str]:
    """ISO2 countries of the path's first and last node ('' off the map or for no path)."""
    if not len(edges):
        return "", ""
    ends = (
        int(net.node_country[net.edge_src[edges[0]]]),
        int(net.node_country[net.edge_dst[edges[-1]]]),
    )
    a, b = (net.countries[c] if c >= 0 else "" for c in ends)
    return a, b


def _default_kind(mode: EdgeMode) -> str:
    return DEFAULT_KIND_BY_MODE[mode]


def _leg_end(net: Network, node: int, facility: int, mode: EdgeMode) -> str:
    if mode in DWELL_BUCKET and facility >= 0:
        return facility_text(net).names[facility]
    return node_label(net, node)


def _leg_country(net: Network, edge: int, facility: int, mode: EdgeMode) -> str:
    if mode == EdgeMode.RAIL:
        cid = int(net.edge_country[edge])
        return net.countries[cid] if cid >= 0 else ""
    if facility >= 0:
        return facility_text(net).countries[facility]
    ends = {int(net.node_country[net.edge_src[edge]]), int(net.node_country[net.edge_dst[edge]])}
    return "-".join(net.countries[c] for c in sorted(ends) if c >= 0)
