"""Split railway lines where they cross a country border; give every line its country."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from landbridge.network.build.boundary_lines import BoundaryLines
from landbridge.network.build.countries import NO_COUNTRY, CountryPolygons
from landbridge.network.build.lines import LineSet
from landbridge.network.geo import haversine_km

# Natural Earth 1:50m borders are generalised by a few km, so a line running along a border
# flickers between the two countries. Runs shorter than this, with the same country on both
# sides, are given to that country instead of making two spurious crossings.
BORDER_JITTER_KM = 5.0
# A piece of railway in one country that touches a single other country and no other railway of
# its own, shorter than this, is a line grazing the border (the simplified source geometry cuts
# corners, e.g. Shu–Taraz through Kyrgyzstan for 12 km): it is given to that other country.
# Real excursions (Freilassing–Kufstein, Turkmenabat) join their country's network.
ENCLAVE_MAX_KM = 30.0


def _smooth(country: np.ndarray, seg_km: np.ndarray, jitter_km: float) -> np.ndarray:
    """Vertex countries of one line with short excursions removed (see ``BORDER_JITTER_KM``)."""
    c = country.copy()
    if np.all(c == c[0]):
        return c
    # interior runs with no country (rivers, lakes on the border) take the previous country
    for i in range(1, len(c)):
        if c[i] == NO_COUNTRY and c[i - 1] != NO_COUNTRY and np.any(c[i:] != NO_COUNTRY):
            c[i] = c[i - 1]
    changed = True
    while changed:
        changed = False
        starts = np.concatenate([[0], np.flatnonzero(np.diff(c)) + 1])
        ends = np.concatenate([starts[1:], [len(c)]])
        for k in range(1, len(starts) - 1):
            s, e = starts[k], ends[k]
            run_km = seg_km[max(s - 1, 0) : e].sum()
            if c[s - 1] == c[e] and run_km < jitter_km:
                c[s:e] = c[s - 1]
                changed = True
                break
    return c


def split_at_borders(
    ls: LineSet,
    countries: CountryPolygons,
    jitter_km: float = BORDER_JITTER_KM,
    border_lines: BoundaryLines | None = None,
) -> tuple[LineSet, np.ndarray]:
    """Lines split at every border crossing, each with its country; lines outside the study
    countries dropped. With ``border_lines`` (1:10m), vertices near a border take the side of
    it they lie on. Returns the set and the ids of the new border nodes."""
    vc = countries.locate(ls.coords[:, 0], ls.coords[:, 1])
    if border_lines is not None:
        vc = border_lines.side_country(ls.coords[:, 0], ls.coords[:, 1], vc)
    vline = ls.vertex_line()
    first = vc[ls.offsets[:-1]]
    same = np.ones(ls.n_lines, dtype=bool)
    diff = np.flatnonzero(vc[1:] != vc[:-1])
    diff = diff[vline[diff] == vline[diff + 1]]
    same[vline[diff]] = False
    country = np.where(same, first, NO_COUNTRY).astype(np.int16)
    seg_km = haversine_km(ls.coords[:-1, 0], ls.coords[:-1, 1], ls.coords[1:, 0], ls.coords[1:, 1])

    new_nodes: list[np.ndarray] = []
    border_nodes: list[int] = []
    us: list[int] = []
    vs: list[int] = []
    geoms: list[np.ndarray] = []
    origins: list[int] = []
    ctrys: list[int] = []
    drop: list[int] = []
    src_line: list[int] = []
    next_node = ls.n_nodes
    for li in np.flatnonzero(~same):
        s, e = ls.offsets[li], ls.offsets[li + 1]
        c = _smooth(vc[s:e], seg_km[s : e - 1], jitter_km)
        if np.all(c == c[0]):
            country[li] = c[0]
            continue
        geom = ls.coords[s:e]
        cuts = np.flatnonzero(c[1:] != c[:-1])
        piece_start_node = int(ls.line_u[li])
        piece_geom_start: list[np.ndarray] = [geom[0]]
        prev = 0
        for j in cuts:
            if c[j] == NO_COUNTRY or c[j + 1] == NO_COUNTRY:
                bx, by = (geom[j] + geom[j + 1]) / 2.0 if c[j] == NO_COUNTRY else geom[j]
                if c[j] != NO_COUNTRY:
                    bx, by = countries.boundary_crossing(int(c[j]), *geom[j], *geom[j + 1])
                else:
                    bx, by = countries.boundary_crossing(int(c[j + 1]), *geom[j + 1], *geom[j])
            else:
                bx, by = countries.boundary_crossing(int(c[j]), *geom[j], *geom[j + 1])
            point = np.array([bx, by])
            body = [*piece_geom_start, *geom[prev + 1 : j + 1], point]
            new_nodes.append(point)
            node = next_node
            next_node += 1
            if c[j] != NO_COUNTRY and c[j + 1] != NO_COUNTRY:
                border_nodes.append(node)
            us.append(piece_start_node)
            vs.append(node)
            geoms.append(np.array(body))
            origins.append(int(ls.origin[li]))
            ctrys.append(int(c[j]))
            src_line.append(int(li))
            piece_start_node = node
            piece_geom_start = [point]
            prev = int(j)
        us.append(piece_start_node)
        vs.append(int(ls.line_v[li]))
        geoms.append(np.array([*piece_geom_start, *geom[prev + 1 :]]))
        origins.append(int(ls.origin[li]))
        ctrys.append(int(c[-1]))
        src_line.append(int(li))
        drop.append(int(li))
    base = replace(ls, country=country)
    out = base.with_lines(
        np.array(new_nodes).reshape(-1, 2),
        us,
        vs,
        geoms,
        origins,
        ctrys,
        drop=np.array(drop, dtype=np.int64),
    )
    # pieces share their source line's length in proportion to geometry, so a repaired link with
    # a published length keeps it when it crosses a border
    n_base = base.n_lines - len(drop)
    src = np.array(src_line, dtype=np.int64)
    piece_len = out.length_km[n_base:]
    geom_sum = np.bincount(src, weights=piece_len, minlength=ls.n_lines)[src]
    scaled = out.length_km.copy()
    scaled[n_base:] = np.where(
        geom_sum > 0,
        piece_len / np.where(geom_sum > 0, geom_sum, 1.0) * ls.length_km[src],
        piece_len,
    )
    out = replace(out, length_km=scaled)
    keep = out.country != NO_COUNTRY
    is_border = np.zeros(out.n_nodes, dtype=bool)
    is_border[np.array(border_nodes, dtype=np.int64)] = True
    kept = out.subset(keep, compact_nodes=False)
    used = np.zeros(kept.n_nodes, dtype=bool)
    used[kept.line_u] = True
    used[kept.line_v] = True
    new_id = np.cumsum(used) - 1
    compacted = kept.compact()
    borders = new_id[np.flatnonzero(is_border & used)]
    return compacted, borders


def absorb_enclaves(ls: LineSet, max_km: float = ENCLAVE_MAX_KM) -> tuple[LineSet, int]:
    """Give every short enclave (see ``ENCLAVE_MAX_KM``) the country around it: a piece that
    enters and leaves one neighbour (touches it at two or more nodes, and nothing else).
    Shortest first; a piece next to one just absorbed waits for the next pass. Returns the set
    and the number of enclaves absorbed."""
    total = 0
    while True:
        ls, n = _absorb_pass(ls, max_km)
        total += n
        if n == 0:
            return ls, total


def _absorb_pass(ls: LineSet, max_km: float) -> tuple[LineSet, int]:
    country = ls.country.astype(np.int64)
    m = ls.n_lines
    if not m:
        return ls, 0
    # components of lines joined through shared nodes, only between lines of one country
    ends = np.concatenate([ls.line_u, ls.line_v])
    end_line = np.tile(np.arange(m), 2)
    end_country = np.tile(country, 2)
    _, node_in_country = np.unique(
        np.column_stack([ends, end_country]), axis=0, return_inverse=True
    )
    node_in_country = node_in_country.ravel()
    size = m + int(node_in_country.max()) + 1
    graph = coo_matrix((np.ones(len(ends)), (end_line, m + node_in_country)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    comp = label[:m]
    km = np.bincount(comp, weights=ls.length_km)
    # where each component touches another: ends of other components at its nodes
    frame = pd.DataFrame({"node": ends, "comp": comp[end_line], "country": end_country})
    pairs = frame.merge(frame, on="node")
    pairs = pairs[(pairs["comp_x"] != pairs["comp_y"]) & (pairs["country_x"] != pairs["country_y"])]
    touch = pairs.groupby("comp_x").agg(
        countries=("country_y", "unique"), nodes=("node", "nunique"), others=("comp_y", "unique")
    )
    touch = touch[(km[touch.index] < max_km) & (touch["nodes"] >= 2)]
    out = country.copy()
    changed: set[int] = set()
    absorbed = 0
    for c in touch.index[np.argsort(km[touch.index], kind="stable")]:
        others = np.asarray(touch.at[c, "countries"])
        neighbours = np.asarray(touch.at[c, "others"])
        if len(others) != 1 or others[0] == NO_COUNTRY or changed & {c, *neighbours.tolist()}:
            continue
        out[comp == c] = others[0]
        changed.add(int(c))
        absorbed += 1
    return replace(ls, country=out.astype(np.int16)), absorbed
