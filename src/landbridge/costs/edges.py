"""Per-edge time, money and CO2e arrays of a network under a parameter set (computed once).

Facility values are resolved in this order: ``--params`` override by ``facility_id``, the
declared transit-time parameter of the facility's role (``costs/transit.py``: calibrated dwell
at the China-Kazakhstan and EU-entry gauge changes, Caspian wait scale), the dated row valid on
the request's date (``costs/dated.py``), the facility row of the network, then
``facility_defaults`` for the facility's kind. Rail running times carry the delay factor of
their country's network.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from landbridge.costs import emissions, tariff, time, transit
from landbridge.costs.dated import DatedPatch
from landbridge.costs.params import FACILITY_COLUMNS, Params
from landbridge.costs.rate_basis import RateFactors, rate_factors
from landbridge.errors import ParameterError
from landbridge.network.model import EdgeMode, Network

DEFAULT_KIND_BY_MODE = {
    EdgeMode.TRANSFER: "gauge_change",
    EdgeMode.BORDER: "crossing",
    EdgeMode.PORT: "port",
    EdgeMode.SEA: "ferry",
    EdgeMode.OCEAN: "ocean",
}
FACTOR_BY_KIND = {"ferry": "ferry", "feeder": "feeder", "ocean": "ocean"}
# Keeps zero-length edges (crossings, transfers) positive so scipy keeps them as edges.
MIN_WEIGHT = 1e-6


@dataclass(frozen=True)
class FacilityValues:
    """Resolved facility parameters, one entry per row of ``Network.facilities``."""

    kind: np.ndarray  # object [f]
    values: dict[str, np.ndarray]  # column -> float [f]
    used_default: np.ndarray  # bool [f]: some value came from facility_defaults
    overridden: np.ndarray  # bool [f]: some value came from --params
    role: np.ndarray  # int [f]: transit_time row that sets its dwell or wait (-1: none)


@dataclass(frozen=True)
class EdgeCosts:
    """Arrays over the edges of one network for one parameter set."""

    running_p50_h: np.ndarray
    running_p90_h: np.ndarray
    dwell_p50_h: np.ndarray
    dwell_p90_h: np.ndarray
    headway_h: np.ndarray
    sailing_h: np.ndarray
    linehaul_usd_per_feu: np.ndarray
    fixed_usd_per_feu: np.ndarray
    co2e_kg_per_t: np.ndarray
    electric_co2e_kg_per_t: np.ndarray  # the part of co2e_kg_per_t from electric traction
    factor_key: np.ndarray  # object [m]: emission_factors key used ('' for rail/handling)
    weight: np.ndarray  # generalized cost per FEU used by the path search
    facilities: FacilityValues
    country_refs: dict[str, dict[str, str]]  # country -> table -> row key actually used
    time_role: np.ndarray  # int [m]: transit_time row that sets the edge's time (-1: none)
    transit: transit.TransitTime  # the declared transit-time parameters used
    rates: RateFactors  # rail rate by direction and booking size (costs/rate_basis.py)


def check_facility_overrides(net: Network, params: Params) -> None:
    """Raise ``ParameterError`` naming any overridden ``facility_id`` the network lacks."""
    known = set(net.facilities["facility_id"].tolist()) if len(net.facilities) else set()
    for fid in params.facility_overrides:
        if fid not in known:
            close = difflib.get_close_matches(fid, sorted(known), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ParameterError(
                f"{params.override_origin}: facilities.{fid}: "
                f"no facility with this id in the network{hint}"
            )


def resolve_facilities(
    net: Network, params: Params, dated: DatedPatch | None = None
) -> FacilityValues:
    check_facility_overrides(net, params)
    fac = net.facilities
    n = len(fac)
    defaults = params.tables["facility_defaults"]
    kinds = fac["kind"] if n else np.empty(0, dtype=object)
    # row of each facility's kind in facility_defaults; -1 (the NaN appended below) if none
    default_row = defaults.rows_of(kinds.tolist()) if n else np.empty(0, dtype=np.int64)
    rows_of: dict[str, list[int]] = {}
    for i, fid in enumerate(fac["facility_id"].tolist() if n else []):
        rows_of.setdefault(fid, []).append(i)
    dated_cells = dated.facility_values if dated else {}
    values: dict[str, np.ndarray] = {}
    used_default = np.zeros(n, dtype=bool)
    overridden = np.zeros(n, dtype=bool)
    tt = transit.transit_time(params)
    role = (
        transit.facility_roles(tt, fac["facility_id"].tolist(), kinds.tolist(),
                               fac["countries"].tolist())
        if n and "countries" in fac
        else np.full(n, transit.NO_ROLE, dtype=np.int64)
    )  # fmt: skip
    for col in FACILITY_COLUMNS:
        own = fac[col] if col in fac else np.full(n, np.nan)
        fallback = np.append(defaults.column(col), np.nan)[default_row]
        missing = np.isnan(own)
        resolved = np.where(missing, fallback, own)
        used_default |= missing & ~np.isnan(fallback)
        for fid, cells in dated_cells.items():
            if col in cells and fid in rows_of:
                resolved[rows_of[fid]] = cells[col]
        values[col] = resolved
    transit.apply_to_facilities(tt, role, values, np.zeros(n, dtype=bool))
    for fid, cells in params.facility_overrides.items():  # ids checked above
        for col, value in cells.items():
            values[col][rows_of[fid]] = value
            overridden[rows_of[fid]] = True
    return FacilityValues(kinds, values, used_default, overridden, role)


def compute_edge_costs(net: Network, params: Params, dated: DatedPatch | None = None) -> EdgeCosts:
    """All per-edge arrays (vectorised over edges; one pass over countries and facilities);
    ``dated`` puts the facility rows valid on its date in place of the network's own."""
    m = net.n_edges
    mode = net.edge_mode.astype(np.int64)
    length = net.edge_length_km.astype(float)
    fv = resolve_facilities(net, params, dated)
    defaults = params.tables["facility_defaults"]

    country_refs: dict[str, dict[str, str]] = {}
    tt = transit.transit_time(params)
    speed50, speed90, rate, share, grid = (np.empty(len(net.countries) + 1) for _ in range(5))
    delay_role = np.empty(len(net.countries) + 1, dtype=np.int64)
    for c, code in enumerate([*net.countries, "*"]):
        refs = {
            t: params.resolve_key(t, code)
            for t in ("rail_speed", "rail_tariff", "electric_share", "grid_intensity")
        }
        country_refs[code] = refs
        speed50[c] = params.value("rail_speed", code, "speed_p50_kmh")
        speed90[c] = params.value("rail_speed", code, "speed_p90_kmh")
        rate[c] = params.value("rail_tariff", code)
        share[c] = params.value("electric_share", code)
        grid[c] = params.value("grid_intensity", code)
        delay_role[c] = tt.running_role(code)
    rail_factor = emissions.rail_kg_per_tkm(
        share, grid, params.factor("rail_electric"), params.factor("rail_diesel")
    )
    rail_electric = emissions.rail_kg_per_tkm(share, grid, params.factor("rail_electric"), 0.0)
    country = np.where(net.edge_country >= 0, net.edge_country, len(net.countries)).astype(np.int64)

    is_rail = mode == EdgeMode.RAIL
    is_ship = (mode == EdgeMode.SEA) | (mode == EdgeMode.OCEAN)
    is_handling = (mode == EdgeMode.TRANSFER) | (mode == EdgeMode.BORDER) | (mode == EdgeMode.PORT)

    # facility values per edge, or the kind default of the edge mode where an edge has none
    fidx = net.edge_facility.astype(np.int64)
    has_fac = fidx >= 0
    kinds = [*defaults.keys, ""]
    kind_code = {k: i for i, k in enumerate(kinds)}
    mode_kind = np.full(max(int(x) for x in EdgeMode) + 1, kind_code[""], dtype=np.int64)
    for edge_mode, k in DEFAULT_KIND_BY_MODE.items():
        mode_kind[int(edge_mode)] = kind_code.get(k, kind_code[""])
    edge_kind = mode_kind[mode]
    if len(fv.kind):
        fac_kind = np.array([kind_code.get(str(k), kind_code[""]) for k in fv.kind], dtype=np.int64)
        edge_kind[has_fac] = fac_kind[fidx[has_fac]]
    kind = np.asarray(kinds, dtype=object)[edge_kind]

    def per_edge(col: str) -> np.ndarray:
        table = np.append(defaults.column(col), np.nan)
        out = table[edge_kind]
        if len(fv.kind):
            out[has_fac] = fv.values[col][fidx[has_fac]]
        return np.nan_to_num(out, nan=0.0) if col != "cost_usd_per_feu" else out

    dwell50 = np.where(is_handling, per_edge("dwell_p50_h"), 0.0)
    dwell90 = np.where(is_handling, per_edge("dwell_p90_h"), 0.0)
    headway = np.where(is_ship, per_edge("headway_h"), 0.0)
    ship_speed = per_edge("speed_kmh")
    sailing = np.zeros(m)
    sailing[is_ship] = time.sailing_h(
        length[is_ship], np.where(ship_speed[is_ship] > 0, ship_speed[is_ship], np.inf)
    )
    fixed_cost = per_edge("cost_usd_per_feu")
    ocean_per_km = (mode == EdgeMode.OCEAN) & np.isnan(fixed_cost)
    fixed = np.where(is_handling | is_ship, np.nan_to_num(fixed_cost, nan=0.0), 0.0)

    time_role = np.full(m, transit.NO_ROLE, dtype=np.int64)
    time_role[is_rail] = delay_role[country[is_rail]]
    lon = (net.node_lon[net.edge_src] + net.node_lon[net.edge_dst]) / 2.0
    codes = np.asarray([*net.countries, "*"], dtype=object)[country]
    region = transit.region_roles(tt, codes, lon)
    time_role[is_rail & (region != transit.NO_ROLE)] = region[is_rail & (region != transit.NO_ROLE)]
    running50 = np.zeros(m)
    running90 = np.zeros(m)
    rail_delay = np.where(time_role >= 0, tt.value[time_role], 1.0)[is_rail]
    running50[is_rail] = time.running_h(length[is_rail], speed50[country[is_rail]]) * rail_delay
    running90[is_rail] = time.running_h(length[is_rail], speed90[country[is_rail]]) * rail_delay
    if len(fv.kind):
        # a rail edge on a section (a facility for its capacity) keeps its delay factor's role
        handled = has_fac & ~is_rail
        time_role[handled] = np.where(
            fv.overridden[fidx[handled]], transit.NO_ROLE, fv.role[fidx[handled]]
        )
    linehaul = np.zeros(m)
    linehaul[is_rail] = tariff.line_haul_usd_per_feu(length[is_rail], rate[country[is_rail]])
    linehaul[ocean_per_km] = tariff.line_haul_usd_per_feu(
        length[ocean_per_km], params.scalar("ocean_freight_usd_per_feu_km")
    )

    factor_key = np.full(m, "", dtype=object)
    factor_key[is_ship] = "ferry"
    for k, key in FACTOR_BY_KIND.items():
        factor_key[is_ship & (kind == k)] = key
    kg_per_tkm = np.zeros(m)
    kg_per_tkm[is_rail] = rail_factor[country[is_rail]]
    for key in ("ferry", "feeder", "ocean"):
        sel = factor_key == key
        kg_per_tkm[sel] = params.factor(key)
    co2e_per_t = emissions.co2e_kg(1.0, length, kg_per_tkm)

    hours = running50 + dwell50 + time.mean_wait_h(headway) + sailing
    weight = linehaul + fixed + params.scalar("value_of_time_usd_per_feu_h") * hours + MIN_WEIGHT
    return EdgeCosts(
        running_p50_h=running50,
        running_p90_h=running90,
        dwell_p50_h=dwell50,
        dwell_p90_h=dwell90,
        headway_h=headway,
        sailing_h=sailing,
        linehaul_usd_per_feu=linehaul,
        fixed_usd_per_feu=fixed,
        co2e_kg_per_t=co2e_per_t,
        electric_co2e_kg_per_t=np.where(is_rail, length * rail_electric[country], 0.0),
        factor_key=factor_key,
        weight=weight,
        facilities=fv,
        country_refs=country_refs,
        time_role=time_role,
        transit=tt,
        rates=rate_factors(params),
    )


def running_parts(
    net: Network, costs: EdgeCosts, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rail running of a path as time parts: p50, p90 hours and the delay-factor role of each
    (country, role) group, in the order the path enters them (all legs of one group share
    one draw: a slow network is slow everywhere on it)."""
    rail = edges[net.edge_mode[edges] == EdgeMode.RAIL]
    if not len(rail):
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, dtype=np.int64)
    role = costs.time_role[rail]
    key = net.edge_country[rail].astype(np.int64) * (len(costs.transit.keys) + 1) + role + 1
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = rank[group.ravel()]
    p50 = np.bincount(group, weights=costs.running_p50_h[rail], minlength=len(order))
    p90 = np.bincount(group, weights=costs.running_p90_h[rail], minlength=len(order))
    return p50, p90, role[first[order]]
