"""Compile a repaired ``LineSet`` into the ``Network`` arrays: border nodes, crossings and
gauge changes with their facilities, capacitated sections, CSR order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from landbridge.errors import NetworkDataError
from landbridge.network.build.lines import LineSet
from landbridge.network.build.sea_layer import SeaLayer
from landbridge.network.facilities import FacilityTable
from landbridge.network.geo import PointIndex, haversine_km
from landbridge.network.graph import min_weight_csr
from landbridge.network.model import EdgeMode, Network, NodeKind
from landbridge.network.tables import (
    DEFAULT_BORDER_ID,
    DEFAULT_EU_INTERNAL_ID,
    DEFAULT_GAUGE_CHANGE_ID,
    FACILITY_COLUMNS,
    NUMERIC_FACILITY_COLUMNS,
    pair_key,
)

# A rail-served port joins the nearest rail node of its country within this distance (the
# sea layer's rail points are the quays; the nearest network node is within a few km).
PORT_RAIL_MAX_KM = 30.0
# Extra facility columns (beyond the shared contract in docs/ARCHITECTURE.md).
EXTRA_FACILITY_COLUMNS = ("closed", "gauge_change", "customs")
# The union whose internal borders have no customs and a short operator change instead of the
# default border stop (the EAEU's internal borders keep the default: crew change, inspection).
OPERATOR_CHANGE_UNION = "EU"


@dataclass(frozen=True)
class NamedPoint:
    """A protected node the build keeps: terminal, station, section end, length-check end."""

    name: str
    kind: NodeKind
    node: int  # node id in the LineSet


@dataclass(frozen=True)
class BorderPoint:
    lon: float
    lat: float
    node_a: int
    node_b: int
    country_a: int
    country_b: int


def _expand_border_nodes(ls: LineSet) -> tuple[LineSet, list[BorderPoint], np.ndarray]:
    """Give each country at a border node its own copy of the node. Returns the new set, the
    border points (one per pair of copies) and the country of every node."""
    n = ls.n_nodes
    ends = np.concatenate([ls.line_u, ls.line_v])
    ctry = np.concatenate([ls.country, ls.country]).astype(np.int64)
    pairs = np.unique(np.column_stack([ends, ctry]), axis=0)
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:, 0] != pairs[:-1, 0]
    node_country = np.full(n, -1, dtype=np.int64)
    node_country[pairs[first, 0]] = pairs[first, 1]
    extra = pairs[~first]
    clone_id = n + np.arange(len(extra))
    lookup = {(int(a), int(c)): int(k) for (a, c), k in zip(extra, clone_id, strict=True)}
    u = ls.line_u.copy()
    v = ls.line_v.copy()
    for arr in (u, v):
        idx = np.flatnonzero(node_country[arr] != ls.country)
        for e in idx.tolist():
            arr[e] = lookup[(int(arr[e]), int(ls.country[e]))]
    node_lonlat = np.vstack([ls.node_lonlat, ls.node_lonlat[extra[:, 0]]])
    all_country = np.concatenate([node_country, extra[:, 1]])
    borders: list[BorderPoint] = []
    members: dict[int, list[int]] = {}
    for a, k in zip(extra[:, 0], clone_id, strict=True):
        members.setdefault(int(a), [int(a)]).append(int(k))
    for base, nodes in members.items():
        for i in range(len(nodes)):
            for j in range(i + 1, len(nodes)):
                a, b = nodes[i], nodes[j]
                borders.append(
                    BorderPoint(
                        float(node_lonlat[base, 0]),
                        float(node_lonlat[base, 1]),
                        a,
                        b,
                        int(all_country[a]),
                        int(all_country[b]),
                    )
                )
    out = LineSet(node_lonlat, u, v, ls.coords, ls.offsets, ls.length_km, ls.country, ls.origin)
    return out, borders, all_country


def crossing_facilities(
    borders: list[BorderPoint],
    iso2: tuple[str, ...],
    gauge_family: np.ndarray,
    crossings: pd.DataFrame,
    closed_borders: pd.DataFrame,
    unions: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """One facility per named crossing found and per unnamed border point. Returns the table
    and the facility row of each border point. A border inside one customs union (``unions``:
    iso2 -> union) has ``customs`` False; an unnamed one inside the EU takes the operator-change
    default row."""
    unions = unions or {}
    named = crossings[crossings["lat"].notna()].reset_index(drop=True)
    defaults = crossings.set_index("facility_id")
    named_pair = named["countries"].map(pair_key).to_numpy()
    rows: list[dict] = []
    row_of: dict[str, int] = {}
    facility = np.zeros(len(borders), dtype=np.int64)
    for i, bp in enumerate(borders):
        pair = pair_key(f"{iso2[bp.country_a]}-{iso2[bp.country_b]}")
        change = bool(gauge_family[bp.country_a] != gauge_family[bp.country_b])
        union_a = unions.get(iso2[bp.country_a])
        internal = union_a is not None and union_a == unions.get(iso2[bp.country_b])
        cand = np.flatnonzero(named_pair == pair)
        best = -1
        if len(cand):
            d = haversine_km(
                bp.lon,
                bp.lat,
                named["lon"].to_numpy(float)[cand],
                named["lat"].to_numpy(float)[cand],
            )
            ok = d <= named["match_km"].to_numpy(float)[cand]
            if ok.any():
                best = int(cand[np.flatnonzero(ok)[np.argmin(d[ok])]])
        if best >= 0:
            src = named.iloc[best]
            fid = str(src["facility_id"])
            if fid not in row_of:
                row = {c: src.get(c, np.nan) for c in FACILITY_COLUMNS}
                row["closed"] = bool(src["closed"])
                row["gauge_change"] = change
                row["customs"] = not internal
                if pair in closed_borders.index and not row["closed"]:
                    row["closed"] = True
                    row["source_ids"] = (
                        f"{row['source_ids']};{closed_borders.at[pair, 'source_ids']!s}"
                    )
                row_of[fid] = len(rows)
                rows.append(row)
            facility[i] = row_of[fid]
            continue
        if change:
            default_id = DEFAULT_GAUGE_CHANGE_ID
        elif internal and union_a == OPERATOR_CHANGE_UNION:
            default_id = DEFAULT_EU_INTERNAL_ID
        else:
            default_id = DEFAULT_BORDER_ID
        default = defaults.loc[default_id]
        what = "operator change" if default_id == DEFAULT_EU_INTERNAL_ID else "border"
        ns = "n" if bp.lat >= 0 else "s"
        ew = "e" if bp.lon >= 0 else "w"
        fid = f"border-{pair.lower()}-{abs(bp.lat):.2f}{ns}-{abs(bp.lon):.2f}{ew}"
        if fid in row_of:
            facility[i] = row_of[fid]
            continue
        row = {c: default.get(c, np.nan) for c in FACILITY_COLUMNS}
        row.update(
            facility_id=fid,
            name=(
                f"{pair.replace('-', '–')} {what} at "
                f"{abs(bp.lat):.2f}°{ns.upper()} {abs(bp.lon):.2f}°{ew.upper()}"
            ),
            kind="gauge_change" if change else "crossing",
            countries=pair,
            lat=bp.lat,
            lon=bp.lon,
            assumption=(
                "unnamed crossing detected where the railway meets the border; parameters from "
                f"the '{default.name}' row: {default['assumption']}"
            ),
            closed=False,
            gauge_change=change,
            customs=not internal,
        )
        if pair in closed_borders.index:
            row["closed"] = True
            row["capacity_trains_per_day"] = 0.0
            row["source_ids"] = f"{row['source_ids']};{closed_borders.at[pair, 'source_ids']!s}"
            row["assumption"] += f"; closed: {closed_borders.at[pair, 'note']!s}"
        row_of[fid] = len(rows)
        rows.append(row)
        facility[i] = row_of[fid]
    table = pd.DataFrame(rows, columns=[*FACILITY_COLUMNS, *EXTRA_FACILITY_COLUMNS])
    return table, facility


def section_facilities(
    sections: pd.DataFrame,
    section_nodes: np.ndarray,
    n_nodes: int,
    line_u: np.ndarray,
    line_v: np.ndarray,
    length_km: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Section rows and, per line, the section it belongs to (-1 for none): the lines of the
    shortest rail path between the section's end nodes."""
    line_section = np.full(len(line_u), -1, dtype=np.int64)
    if sections.empty:
        return pd.DataFrame(columns=[*FACILITY_COLUMNS, *EXTRA_FACILITY_COLUMNS]), line_section
    m = len(line_u)
    graph = min_weight_csr(
        np.concatenate([line_u, line_v]),
        np.concatenate([line_v, line_u]),
        np.concatenate([length_km, length_km]) + 1e-9,
        n_nodes,
    )
    line_of: dict[tuple[int, int], int] = {}
    for i in range(m):
        for key in ((int(line_u[i]), int(line_v[i])), (int(line_v[i]), int(line_u[i]))):
            if key not in line_of or length_km[i] < length_km[line_of[key]]:
                line_of[key] = i
    rows = []
    for k, sec in enumerate(sections.to_dict("records")):
        a, b = int(section_nodes[k, 0]), int(section_nodes[k, 1])
        if a < 0 or b < 0:
            raise NetworkDataError(
                f"sections.csv {sec['facility_id']}: an end point is not on the railway"
            )
        # scipy-stubs type ``indices`` as an array only; scipy takes one int (a 1-D answer)
        _, pred = dijkstra(graph, indices=a, return_predecessors=True)  # type: ignore[call-overload]
        if pred[b] < 0:
            raise NetworkDataError(
                f"sections.csv {sec['facility_id']}: no rail path between its end points"
            )
        cur = b
        while cur != a:
            p = int(pred[cur])
            line_section[line_of[(p, cur)]] = k
            cur = p
        mid = np.array(
            [(sec["from_lat"] + sec["to_lat"]) / 2.0, (sec["from_lon"] + sec["to_lon"]) / 2.0]
        )
        row = {c: sec.get(c, np.nan) for c in FACILITY_COLUMNS}
        row.update(kind="section", lat=mid[0], lon=mid[1], closed=False, gauge_change=False)
        row["assumption"] = "" if pd.isna(row["assumption"]) else row["assumption"]
        rows.append(row)
    return pd.DataFrame(rows, columns=[*FACILITY_COLUMNS, *EXTRA_FACILITY_COLUMNS]), line_section


def _tidy_facilities(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One facilities table from the parts: contract columns first, then the extras; numbers as
    float, text as str ('' when missing), flags as bool (nullable where a part lacks them)."""
    table = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for col in FACILITY_COLUMNS:
        if col not in table.columns:
            table[col] = np.nan
    for col in NUMERIC_FACILITY_COLUMNS:
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    for col in EXTRA_FACILITY_COLUMNS:
        if col not in table.columns:
            table[col] = False
        table[col] = table[col].fillna(False).astype(bool)
    for col in table.columns:
        if col in NUMERIC_FACILITY_COLUMNS or col in EXTRA_FACILITY_COLUMNS:
            continue
        values = table[col].dropna()
        if len(values) and all(isinstance(v, bool | np.bool_) for v in values):
            table[col] = table[col].astype("boolean")
        elif len(values) and all(
            isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values
        ):
            table[col] = table[col].astype(float)
        else:
            table[col] = table[col].map(
                lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            )
    extras = [c for c in table.columns if c not in FACILITY_COLUMNS]
    return table[[*FACILITY_COLUMNS, *extras]]


def compile_network(
    ls: LineSet,
    iso2: tuple[str, ...],
    gauges: pd.DataFrame,
    crossings: pd.DataFrame,
    closed_borders: pd.DataFrame,
    sections: pd.DataFrame,
    named_points: list[NamedPoint],
    section_nodes: np.ndarray,
    meta: dict,
    sea: SeaLayer | None = None,
    rail_ferries: tuple[pd.DataFrame, np.ndarray] | None = None,
    unions: dict[str, str] | None = None,
) -> Network:
    """The ``Network`` of a final ``LineSet`` whose every line has a study country, plus the
    sea layer's ports (PORT edges to the nearest rail node of their country) and sea links."""
    ls, borders, node_country = _expand_border_nodes(ls)
    gauge_mm = gauges.loc[list(iso2), "gauge_mm"].to_numpy(np.int16)
    families = gauges.loc[list(iso2), "gauge_family"].to_numpy()
    _, family_id = np.unique(families, return_inverse=True)
    border_fac, border_facility = crossing_facilities(
        borders, iso2, family_id, crossings, closed_borders, unions
    )
    sec_fac, line_section = section_facilities(
        sections, section_nodes, ls.n_nodes, ls.line_u, ls.line_v, ls.length_km
    )
    n_rail_nodes = ls.n_nodes
    m_rail = ls.n_lines
    nb = len(borders)
    bu = np.array([b.node_a for b in borders], dtype=np.int64)
    bv = np.array([b.node_b for b in borders], dtype=np.int64)
    b_mode = np.where(
        border_fac["gauge_change"].to_numpy(bool)[border_facility] if nb else np.zeros(0, bool),
        EdgeMode.TRANSFER,
        EdgeMode.BORDER,
    )
    # undirected links (rail, border, port, sea); each becomes two directed edges
    und_u = [ls.line_u, bu]
    und_v = [ls.line_v, bv]
    und_len = [ls.length_km, np.zeros(nb)]
    und_mode = [np.full(m_rail, EdgeMode.RAIL), b_mode]
    und_country = [ls.country.astype(np.int64), node_country[bu]]
    und_fac = [np.where(line_section >= 0, line_section + len(border_fac), -1), border_facility]
    und_gauge = [gauge_mm[ls.country], np.zeros(nb, dtype=np.int16)]
    und_geom: list[np.ndarray] = [ls.geometry(i) for i in range(m_rail)]
    und_geom += [np.array([[b.lon, b.lat], [b.lon, b.lat]]) for b in borders]
    node_lonlat = ls.node_lonlat
    node_gauge = gauge_mm[node_country]
    fac_parts = [border_fac, sec_fac]
    port_names: list[str] = []
    if sea is not None:
        first_fac = len(border_fac) + len(sec_fac)
        ports = sea.ports.reset_index(drop=True)
        links = sea.links.reset_index(drop=True)
        n_ports = len(ports)
        port_node = n_rail_nodes + np.arange(n_ports)
        code = {c: i for i, c in enumerate(iso2)}
        port_country = np.array([code.get(str(c), -1) for c in ports["country"]], dtype=np.int64)
        node_lonlat = np.vstack([node_lonlat, ports[["lon", "lat"]].to_numpy(float)])
        node_country = np.concatenate([node_country, port_country])
        node_gauge = np.concatenate([node_gauge, np.zeros(n_ports, dtype=np.int16)])
        port_names = [str(x) for x in ports["name"]]
        rail_nodes = np.unique(np.concatenate([ls.line_u, ls.line_v]))
        joined, not_joined = [], []
        for i, (_, row) in enumerate(ports.iterrows()):
            if not bool(row["rail_served"]) or port_country[i] < 0:
                continue
            own = rail_nodes[node_country[rail_nodes] == port_country[i]]
            if not len(own):
                not_joined.append(str(row["port_id"]))
                continue
            dist, k = PointIndex(node_lonlat[own, 0], node_lonlat[own, 1]).nearest(
                np.array([float(row["rail_lon"])]), np.array([float(row["rail_lat"])])
            )
            if float(np.atleast_1d(dist)[0]) > PORT_RAIL_MAX_KM:
                not_joined.append(str(row["port_id"]))
                continue
            rail = int(own[int(np.atleast_1d(k)[0])])
            joined.append((i, rail))
        pj = np.array([j[0] for j in joined], dtype=np.int64)
        pr = np.array([j[1] for j in joined], dtype=np.int64)
        und_u += [pr]
        und_v += [port_node[pj]]
        und_len += [np.zeros(len(pj))]
        und_mode += [np.full(len(pj), EdgeMode.PORT)]
        und_country += [port_country[pj]]
        und_fac += [first_fac + pj]
        und_gauge += [np.zeros(len(pj), dtype=np.int16)]
        und_geom += [
            np.vstack([node_lonlat[r], node_lonlat[port_node[i]]])
            for i, r in zip(pj, pr, strict=True)
        ]
        port_index = {pid: k for k, pid in enumerate(ports["port_id"])}
        lu = np.array([port_node[port_index[p]] for p in links["from_port"]], dtype=np.int64)
        lv = np.array([port_node[port_index[p]] for p in links["to_port"]], dtype=np.int64)
        und_u += [lu]
        und_v += [lv]
        und_len += [links["length_km"].to_numpy(float)]
        und_mode += [np.where(links["kind"] == "ocean", EdgeMode.OCEAN, EdgeMode.SEA)]
        und_country += [np.full(len(links), -1)]
        und_fac += [first_fac + n_ports + np.arange(len(links))]
        und_gauge += [np.zeros(len(links), dtype=np.int16)]
        und_geom += [np.asarray(g, dtype=np.float64) for g in sea.link_geometry]
        fac_parts += [ports, links]
        meta["ports_joined"] = len(joined)
        meta["ports_not_joined"] = not_joined
    if rail_ferries is not None and len(rail_ferries[0]):
        table, ends = rail_ferries
        first_fac = sum(len(f) for f in fac_parts)
        fu, fv = ends[:, 0].astype(np.int64), ends[:, 1].astype(np.int64)
        und_u += [fu]
        und_v += [fv]
        und_len += [table["length_km"].to_numpy(float)]
        und_mode += [np.full(len(table), EdgeMode.SEA)]
        und_country += [np.full(len(table), -1)]
        und_fac += [first_fac + np.arange(len(table))]
        und_gauge += [np.zeros(len(table), dtype=np.int16)]
        und_geom += [
            np.vstack([node_lonlat[a], node_lonlat[b]]) for a, b in zip(fu, fv, strict=True)
        ]
        rows = table.copy()
        rows["lat"] = (rows["from_lat"] + rows["to_lat"]) / 2.0
        rows["lon"] = (rows["from_lon"] + rows["to_lon"]) / 2.0
        keep = [c for c in (*FACILITY_COLUMNS, "length_km") if c in rows.columns]
        fac_parts.append(rows[keep])
    facilities = _tidy_facilities(fac_parts)

    n = len(node_lonlat)
    u_all = np.concatenate(und_u).astype(np.int64)
    v_all = np.concatenate(und_v).astype(np.int64)
    k_und = len(u_all)
    src = np.concatenate([u_all, v_all])
    dst = np.concatenate([v_all, u_all])
    order = np.argsort(src, kind="stable")
    inv = np.empty_like(order)
    inv[order] = np.arange(len(order))
    twin = np.concatenate([np.arange(k_und) + k_und, np.arange(k_und)])
    # geometry in travel direction, gathered in CSR order
    geoms = [und_geom[e] if e < k_und else und_geom[e - k_und][::-1] for e in order]
    counts = np.array([len(g) for g in geoms], dtype=np.int64)
    geom_offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])

    node_kind = np.full(n, NodeKind.JUNCTION, dtype=np.int8)
    node_name = np.full(n, "", dtype=object)
    node_kind[n_rail_nodes:] = NodeKind.PORT
    node_name[n_rail_nodes:] = port_names
    for bp, fi in zip(borders, border_facility, strict=True):
        kind = NodeKind.YARD if border_fac["gauge_change"].iat[fi] else NodeKind.CROSSING
        for node in (bp.node_a, bp.node_b):
            node_kind[node] = kind
            node_name[node] = f"{border_fac['name'].iat[fi]} ({iso2[node_country[node]]})"
    for p in named_points:
        free = 0 <= p.node < n_rail_nodes and node_kind[p.node] in (
            NodeKind.JUNCTION,
            NodeKind.STATION,
        )
        if free and (node_kind[p.node] == NodeKind.JUNCTION or p.kind == NodeKind.TERMINAL):
            node_kind[p.node] = p.kind
            node_name[p.node] = p.name
    und_index = order % k_und
    return Network(
        node_lat=node_lonlat[:, 1].astype(np.float64),
        node_lon=node_lonlat[:, 0].astype(np.float64),
        node_country=node_country.astype(np.int16),
        node_gauge_mm=node_gauge.astype(np.int16),
        node_kind=node_kind,
        node_name=node_name,
        indptr=indptr,
        edge_src=src[order].astype(np.int32),
        edge_dst=dst[order].astype(np.int32),
        edge_length_km=np.concatenate(und_len).astype(np.float64)[und_index],
        edge_mode=np.concatenate(und_mode).astype(np.int8)[und_index],
        edge_country=np.concatenate(und_country).astype(np.int16)[und_index],
        edge_gauge_mm=np.concatenate(und_gauge).astype(np.int16)[und_index],
        edge_facility=np.concatenate(und_fac).astype(np.int32)[und_index],
        edge_reverse=inv[twin[order]].astype(np.int32),
        edge_geom_offset=geom_offset,
        geom_lonlat=np.vstack(geoms).astype(np.float32),
        countries=tuple(iso2),
        facilities=FacilityTable.from_frame(facilities),
        meta=meta,
    )
