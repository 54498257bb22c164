"""The sea layer: ports, Caspian and Black Sea ferry/feeder lines, and all-sea China–Europe legs.

``build_sea_layer()`` reads the curated sea tables (``network/sea.py``: ``ports.csv``,
``sea_links.csv``, ``ocean_rates.csv`` in ``data/facilities/``) and routes every link as a
shortest path on the searoute lane graph (``network/build/marnet.py``). The network build turns
ports into PORT edges (rail ↔ port), ferries and feeders into SEA edges and mainline legs into OCEAN
edges; the facility columns follow docs/ARCHITECTURE.md.

Lengths are great-circle km along the lane polyline, including the port approaches. Ferry and
feeder speeds are derived from published crossing times over the modelled length, so a sailing
time computed back from ``length_km / speed_kmh`` equals the published one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from landbridge.errors import InvalidInputError, NetworkDataError
from landbridge.network.build.marnet import (
    MARNET_PATH,
    SeaGraph,
    attach_points,
    load_marnet,
    polyline_km,
    shortest_paths,
)
from landbridge.network.sea import (
    LINKS_CSV,
    OCEAN_RATE_LANE,
    OCEAN_RATES_CSV,
    PORT_ID_PREFIX,
    PORTS_CSV,
    SEAROUTE_PORTS,
    load_ocean_rates,
    load_ports_table,
    ocean_rate_usd_per_feu,
    read_sea_table,
)

# Arctic lanes are seasonal and not sailed by Asia–Europe container loops, so no sea leg uses them.
# Marnet draws the Corinth Canal as an open lane, but it is 21 m wide (no container ship of the
# mainline or feeder trades fits), so its edges get this passage name and no link uses them.
CORINTH = "corinth"
CORINTH_BBOX = (22.90, 37.89, 23.05, 37.99)  # lon_min, lat_min, lon_max, lat_max of the cut
EXCLUDED_PASSAGES: tuple[str, ...] = ("northwest", "bering", CORINTH)
SUEZ = "suez"
VIA_CAPE = "cape"
# Without Suez, East Asia – Europe runs via Panama (as long); the 2024 diversions went round Africa.
CAPE_EXCLUDED_PASSAGES: tuple[str, ...] = (SUEZ, "panama")
REGION_PREFIX = "region:"

FACILITY_COLUMNS: tuple[str, ...] = (
    "facility_id", "name", "kind", "countries", "lat", "lon", "dwell_p50_h", "dwell_p90_h",
    "cost_usd_per_feu", "capacity_trains_per_day", "capacity_t_per_yr", "servers", "headway_h",
    "vessel_capacity_feu", "fleet", "speed_kmh", "source_ids", "assumption",
)  # fmt: skip
PORT_EXTRA_COLUMNS: tuple[str, ...] = (
    "port_id", "locode", "country", "region", "rail_served", "rail_lat", "rail_lon",
    "capacity_teu_per_yr", "wpi_index", "wci_lane", "year",
)  # fmt: skip
LINK_EXTRA_COLUMNS: tuple[str, ...] = (
    "link_id", "from_port", "to_port", "via", "length_km", "sailing_h", "capacity_teu_per_yr",
    "weather_closure_days_per_month", "year",
)  # fmt: skip
LINK_KINDS = ("ferry", "feeder", "ocean")


def input_files() -> list[Path]:
    """Every bundled file whose content determines the sea layer (for build-cache hashes)."""
    return [PORTS_CSV, LINKS_CSV, OCEAN_RATES_CSV, SEAROUTE_PORTS, MARNET_PATH]


@dataclass(frozen=True)
class SeaLayer:
    """Ports and sea links as facility tables, with one lon/lat polyline per link row."""

    ports: pd.DataFrame  # FACILITY_COLUMNS + PORT_EXTRA_COLUMNS, one row per port, kind 'port'
    links: pd.DataFrame  # FACILITY_COLUMNS + LINK_EXTRA_COLUMNS, kind ferry | feeder | ocean
    link_geometry: list[np.ndarray]  # float32 [k, 2] lon/lat, from_port → to_port, per links row
    rate_year: int  # year of the ocean freight rate used for the OCEAN links

    def port(self, port_id: str) -> pd.Series:
        """The row of one port; ``InvalidInputError`` naming the known ports otherwise."""
        hit = self.ports.loc[self.ports["port_id"] == port_id]
        if hit.empty:
            raise InvalidInputError(
                f"unknown port '{port_id}'; known: {', '.join(self.ports['port_id'])}"
            )
        return hit.iloc[0]


def _ocean_costs(
    to_ports: pd.Series, lane_of: dict[str, str], year: int | None
) -> tuple[int, np.ndarray, list[str]]:
    """Per ocean link: the WCI rate of the destination port's lane in ``year`` (the reference
    lane where that lane has no observation that year, said in the returned note)."""
    rates = load_ocean_rates()
    chosen, reference = ocean_rate_usd_per_feu(year, rates)
    cost, notes = [], []
    for port in to_ports:
        lane = lane_of.get(port) or OCEAN_RATE_LANE
        try:
            cost.append(ocean_rate_usd_per_feu(chosen, rates, lane)[1])
            notes.append("")
        except InvalidInputError:
            cost.append(reference)
            notes.append(
                f"; no {lane} WCI observation in {chosen}: the {OCEAN_RATE_LANE} rate is used"
            )
    return chosen, np.asarray(cost, dtype=np.float64), notes


def _approach(value: object) -> np.ndarray:
    """Waypoints 'lon lat; lon lat' → float64 [k, 2] (empty when blank)."""
    if not isinstance(value, str) or not value.strip():
        return np.empty((0, 2))
    try:
        return np.array(
            [[float(x) for x in pair.split()] for pair in value.split(";")], dtype=np.float64
        ).reshape(-1, 2)
    except ValueError as exc:
        raise NetworkDataError(
            f"ports.csv: bad approach_lonlat '{value}' (expected 'lon lat; lon lat')"
        ) from exc


def _expand_links(links: pd.DataFrame, ports: pd.DataFrame) -> pd.DataFrame:
    """One row per concrete port pair: 'region:x' endpoints become every port of that region."""
    known = set(ports["port_id"])
    name_of = dict(zip(ports["port_id"], ports["name"], strict=True))
    rows: list[dict] = []
    for row in links.to_dict("records"):
        ends = []
        for end in (row["from_port"], row["to_port"]):
            if str(end).startswith(REGION_PREFIX):
                region = str(end)[len(REGION_PREFIX) :]
                members = ports.loc[ports["region"] == region, "port_id"].tolist()
                if not members:
                    raise NetworkDataError(
                        f"sea_links.csv: link '{row['link_id']}' names region '{region}' "
                        "with no ports"
                    )
                ends.append(members)
            elif end in known:
                ends.append([end])
            else:
                raise NetworkDataError(
                    f"sea_links.csv: link '{row['link_id']}' names unknown port '{end}'"
                )
        expand = len(ends[0]) > 1 or len(ends[1]) > 1
        for a in ends[0]:
            for b in ends[1]:
                new = {**row, "from_port": a, "to_port": b}
                if expand:
                    new["link_id"] = f"{a}-{b}-{row['via']}"
                    new["name"] = f"{name_of[a]} – {name_of[b]} ({row['via']})"
                rows.append(new)
    return pd.DataFrame(rows, columns=links.columns)


def _passage_pairs(graph: SeaGraph, passage: str) -> set[tuple[int, int]]:
    """The (u, v) node pairs (u < v) of the edges of a named passage."""
    sel = graph.edge_passage == passage
    return set(zip(graph.edge_u[sel].tolist(), graph.edge_v[sel].tolist(), strict=True))


def _passes(pairs: set[tuple[int, int]], nodes: np.ndarray) -> bool:
    """True if consecutive path nodes use one of the given edges."""
    steps = zip(nodes[:-1].tolist(), nodes[1:].tolist(), strict=True)
    return any((min(a, b), max(a, b)) in pairs for a, b in steps)


def _name_corinth(graph: SeaGraph) -> SeaGraph:
    """The graph with the edges touching the Corinth Canal cut named ``CORINTH``."""
    lon_min, lat_min, lon_max, lat_max = CORINTH_BBOX
    lon, lat = graph.lonlat[:, 0], graph.lonlat[:, 1]
    inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    touches = inside[graph.edge_u] | inside[graph.edge_v]
    passage = graph.edge_passage.copy()
    passage[touches] = CORINTH
    return SeaGraph(graph.lonlat, graph.edge_u, graph.edge_v, graph.edge_km, passage)


def _dedupe(points: np.ndarray) -> np.ndarray:
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    return points[keep]


def build_sea_layer(rate_year: int | None = None) -> SeaLayer:
    """Ports and routed sea links from the bundled tables and the searoute lane graph.

    ``rate_year`` picks the ocean freight rate (mean of the sampled WCI observations of that
    year; latest year by default).
    """
    ports = load_ports_table()
    links = read_sea_table(
        LINKS_CSV, ("link_id", "name", "kind", "from_port", "to_port", "via", "source_ids")
    )
    bad_kind = sorted(set(links["kind"]) - set(LINK_KINDS))
    if bad_kind:
        raise NetworkDataError(
            f"sea_links.csv: unknown kind {bad_kind}; allowed {list(LINK_KINDS)}"
        )
    links["via"] = links["via"].fillna("")

    # Ports join the lane graph at their last approach waypoint (or themselves).
    approaches = [
        _approach(v) for v in ports.get("approach_lonlat", pd.Series([None] * len(ports)))
    ]
    port_lonlat = ports[["lon", "lat"]].to_numpy(dtype=np.float64)
    join_points = np.array(
        [a[-1] if len(a) else p for a, p in zip(approaches, port_lonlat, strict=True)]
    )
    graph, join_nodes = attach_points(_name_corinth(load_marnet()), join_points)
    connector = {
        pid: np.vstack([p[None, :], a, graph.lonlat[n][None, :]])
        for pid, p, a, n in zip(ports["port_id"], port_lonlat, approaches, join_nodes, strict=True)
    }
    node_of = dict(zip(ports["port_id"], join_nodes.tolist(), strict=True))

    expanded = _expand_links(links, ports)
    suez_pairs = _passage_pairs(graph, SUEZ)
    geometry: list[np.ndarray] = [np.empty((0, 2))] * len(expanded)
    lengths = np.zeros(len(expanded))
    for via, group in expanded.groupby("via", sort=True):
        excluded = EXCLUDED_PASSAGES + (CAPE_EXCLUDED_PASSAGES if via == VIA_CAPE else ())
        sources = np.array([node_of[p] for p in group["from_port"]])
        paths = shortest_paths(graph, sources, excluded)
        for i, link_id, a, b in zip(
            group.index, group["link_id"], group["from_port"], group["to_port"], strict=True
        ):
            nodes = paths.path(node_of[a], node_of[b])
            if nodes.size == 0:
                raise NetworkDataError(f"sea link '{link_id}': no sea route between its ports")
            if via == SUEZ and not _passes(suez_pairs, nodes):
                raise NetworkDataError(
                    f"sea link '{link_id}': the shortest route does not pass Suez"
                )
            line = _dedupe(np.vstack([connector[a], graph.lonlat[nodes], connector[b][::-1]]))
            geometry[i] = line.astype(np.float32)
            lengths[i] = polyline_km(line)

    country_of = dict(zip(ports["port_id"], ports["country"], strict=True))
    out = expanded.copy()
    out["length_km"] = lengths
    sailing = out["sailing_h"].astype(float)
    speed = out["speed_kmh"].astype(float)
    out["speed_kmh"] = np.where(np.isfinite(sailing), lengths / sailing, speed)
    out["sailing_h"] = lengths / out["speed_kmh"]
    if not np.all(np.isfinite(out["speed_kmh"])):
        raise NetworkDataError("sea_links.csv: every link needs sailing_h or speed_kmh")
    is_ocean = (out["kind"] == "ocean").to_numpy()
    lanes = ports["wci_lane"].fillna("") if "wci_lane" in ports else pd.Series([""] * len(ports))
    lane_of = dict(zip(ports["port_id"], lanes, strict=True))
    year, ocean_cost, ocean_notes = _ocean_costs(out.loc[is_ocean, "to_port"], lane_of, rate_year)
    cost = out["cost_usd_per_feu"].astype(float).to_numpy(copy=True)
    cost[is_ocean] = ocean_cost
    out["cost_usd_per_feu"] = cost
    out.loc[is_ocean, "year"] = year
    out["assumption"] = out["assumption"].fillna("")
    out.loc[is_ocean, "assumption"] = out.loc[is_ocean, "assumption"] + ocean_notes
    out["facility_id"] = out["link_id"]
    out["countries"] = [
        "-".join(sorted({country_of[a], country_of[b]}))
        for a, b in zip(out["from_port"], out["to_port"], strict=True)
    ]
    mid = np.array([_midpoint(g) for g in geometry]).reshape(-1, 2)
    out["lon"], out["lat"] = mid[:, 0], mid[:, 1]
    for col in ("dwell_p50_h", "dwell_p90_h", "capacity_trains_per_day"):
        out[col] = np.nan
    out["capacity_t_per_yr"] = out["capacity_t_per_yr"].astype(float)
    out["servers"] = out["fleet"]
    out["assumption"] = out["assumption"].fillna("")
    links_out = out[list(FACILITY_COLUMNS + LINK_EXTRA_COLUMNS)].reset_index(drop=True)

    p = ports.copy()
    p["facility_id"] = PORT_ID_PREFIX + p["port_id"]
    p["kind"] = "port"
    p["countries"] = p["country"]
    p["rail_lat"] = np.where(p["rail_served"], p["lat"], np.nan)
    p["rail_lon"] = np.where(p["rail_served"], p["lon"], np.nan)
    for col in (
        "capacity_trains_per_day",
        "headway_h",
        "vessel_capacity_feu",
        "fleet",
        "speed_kmh",
    ):
        p[col] = np.nan
    p["assumption"] = p["assumption"].fillna("")
    p["wci_lane"] = p["wci_lane"].fillna("")
    ports_out = p[list(FACILITY_COLUMNS + PORT_EXTRA_COLUMNS)].reset_index(drop=True)
    return SeaLayer(ports=ports_out, links=links_out, link_geometry=geometry, rate_year=year)


def _midpoint(line: np.ndarray) -> np.ndarray:
    """Lon/lat of the polyline vertex nearest half its length (for labels and facility points)."""
    seg = np.sqrt((np.diff(line.astype(np.float64), axis=0) ** 2).sum(axis=1))
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    return line[int(np.searchsorted(cum, cum[-1] / 2))].astype(np.float64)
