"""``LineSet``: the undirected railway graph while it is being built (nodes + polyline edges).

Every line runs from node ``u`` to node ``v``; its geometry ``coords[offsets[i]:offsets[i+1]]``
starts at ``u`` and ends at ``v``. Operations return new sets; arrays are never shared mutably.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

import numpy as np

from landbridge.network.geo import haversine_km


class LineOrigin(IntEnum):
    """Where a line comes from (kept for the build report and for drawing repaired gaps)."""

    OSM = 0
    SNAP = 1  # straight connector that closes a gap left by the source's simplification
    LINK = 2  # a missing line added from ``rail_links.csv``


def gather_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, e)`` for every pair (vectorised)."""
    starts = np.asarray(starts, dtype=np.int64)
    counts = np.asarray(ends, dtype=np.int64) - starts
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return first + np.arange(total, dtype=np.int64)


def polyline_lengths_km(coords: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Great-circle length of every polyline (km)."""
    seg = haversine_km(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    seg_cum = np.concatenate([[0.0], np.cumsum(seg)])
    # the segment from the last vertex of one line to the first of the next is not part of either
    return seg_cum[offsets[1:] - 1] - seg_cum[offsets[:-1]]


@dataclass(frozen=True)
class LineSet:
    node_lonlat: np.ndarray  # float64 [n, 2]
    line_u: np.ndarray  # int64 [m]
    line_v: np.ndarray  # int64 [m]
    coords: np.ndarray  # float64 [k, 2] lon/lat
    offsets: np.ndarray  # int64 [m+1]
    length_km: np.ndarray  # float64 [m]
    country: np.ndarray  # int16 [m], -1 until assigned
    origin: np.ndarray  # int8 [m], LineOrigin

    @classmethod
    def from_arrays(
        cls,
        node_lonlat: np.ndarray,
        line_u: np.ndarray,
        line_v: np.ndarray,
        coords: np.ndarray,
        offsets: np.ndarray,
        country: np.ndarray | None = None,
        origin: np.ndarray | None = None,
    ) -> LineSet:
        m = len(line_u)
        return cls(
            node_lonlat=np.asarray(node_lonlat, dtype=np.float64).reshape(-1, 2),
            line_u=np.asarray(line_u, dtype=np.int64),
            line_v=np.asarray(line_v, dtype=np.int64),
            coords=np.asarray(coords, dtype=np.float64).reshape(-1, 2),
            offsets=np.asarray(offsets, dtype=np.int64),
            length_km=polyline_lengths_km(
                np.asarray(coords, np.float64).reshape(-1, 2), np.asarray(offsets, np.int64)
            )
            if m
            else np.zeros(0),
            country=np.full(m, -1, np.int16)
            if country is None
            else np.asarray(country, dtype=np.int16),
            origin=np.full(m, LineOrigin.OSM, np.int8)
            if origin is None
            else np.asarray(origin, dtype=np.int8),
        )

    @property
    def n_nodes(self) -> int:
        return int(self.node_lonlat.shape[0])

    @property
    def n_lines(self) -> int:
        return int(self.line_u.shape[0])

    def geometry(self, i: int) -> np.ndarray:
        return self.coords[self.offsets[i] : self.offsets[i + 1]]

    def degrees(self) -> np.ndarray:
        """Number of line ends at each node (a self-loop counts twice)."""
        return np.bincount(np.concatenate([self.line_u, self.line_v]), minlength=self.n_nodes)

    def total_km(self) -> float:
        return float(self.length_km.sum())

    def subset(self, keep: np.ndarray, compact_nodes: bool = True) -> LineSet:
        """The lines where ``keep`` (bool mask or index array) holds; unused nodes dropped."""
        idx = (
            np.flatnonzero(keep)
            if np.asarray(keep).dtype == bool
            else np.asarray(keep, dtype=np.int64)
        )
        take = gather_ranges(self.offsets[idx], self.offsets[idx + 1])
        counts = self.offsets[idx + 1] - self.offsets[idx]
        offsets = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        out = replace(
            self,
            line_u=self.line_u[idx],
            line_v=self.line_v[idx],
            coords=self.coords[take],
            offsets=offsets,
            length_km=self.length_km[idx],
            country=self.country[idx],
            origin=self.origin[idx],
        )
        return out.compact() if compact_nodes else out

    def compact(self) -> LineSet:
        """Drop nodes that no line uses and renumber the rest in order."""
        used = np.zeros(self.n_nodes, dtype=bool)
        used[self.line_u] = True
        used[self.line_v] = True
        new_id = np.cumsum(used) - 1
        return replace(
            self,
            node_lonlat=self.node_lonlat[used],
            line_u=new_id[self.line_u],
            line_v=new_id[self.line_v],
        )

    def with_lines(
        self,
        new_nodes_lonlat: np.ndarray,
        u: list[int] | np.ndarray,
        v: list[int] | np.ndarray,
        geoms: list[np.ndarray],
        origin: list[int] | np.ndarray,
        country: list[int] | np.ndarray | None = None,
        drop: np.ndarray | None = None,
    ) -> LineSet:
        """Append nodes and lines (geometry from ``u`` to ``v``); optionally drop lines ``drop``."""
        base = self
        if drop is not None and len(drop):
            keep = np.ones(self.n_lines, dtype=bool)
            keep[np.asarray(drop, dtype=np.int64)] = False
            base = self.subset(keep, compact_nodes=False)
        if not len(u):
            nodes = np.vstack(
                [base.node_lonlat, np.asarray(new_nodes_lonlat, float).reshape(-1, 2)]
            )
            return replace(base, node_lonlat=nodes)
        geoms = [np.asarray(g, dtype=np.float64).reshape(-1, 2) for g in geoms]
        counts = np.array([len(g) for g in geoms], dtype=np.int64)
        add_off = np.concatenate([[0], np.cumsum(counts)])
        add_coords = np.vstack(geoms)
        add_len = polyline_lengths_km(add_coords, add_off)
        m_new = len(geoms)
        ctry = (
            np.full(m_new, -1, np.int16) if country is None else np.asarray(country, dtype=np.int16)
        )
        return LineSet(
            node_lonlat=np.vstack(
                [base.node_lonlat, np.asarray(new_nodes_lonlat, float).reshape(-1, 2)]
            ),
            line_u=np.concatenate([base.line_u, np.asarray(u, dtype=np.int64)]),
            line_v=np.concatenate([base.line_v, np.asarray(v, dtype=np.int64)]),
            coords=np.vstack([base.coords, add_coords]),
            offsets=np.concatenate([base.offsets, base.offsets[-1] + add_off[1:]]),
            length_km=np.concatenate([base.length_km, add_len]),
            country=np.concatenate([base.country, ctry]),
            origin=np.concatenate([base.origin, np.asarray(origin, dtype=np.int8)]),
        )

    def vertex_line(self) -> np.ndarray:
        """Line index of every coordinate row."""
        return np.repeat(np.arange(self.n_lines), np.diff(self.offsets))

    def split_at_vertices(
        self, line_idx: np.ndarray, vertex_pos: np.ndarray
    ) -> tuple[LineSet, np.ndarray]:
        """Make the given geometry vertices into nodes, splitting their lines there.

        ``vertex_pos`` is the position inside the line's geometry. Returns the new set and the
        node id of each requested vertex (an existing end node when the vertex is an end).
        """
        line_idx = np.asarray(line_idx, dtype=np.int64)
        vertex_pos = np.asarray(vertex_pos, dtype=np.int64)
        node_of = np.full(len(line_idx), -1, dtype=np.int64)
        counts = np.diff(self.offsets)[line_idx]
        at_u = vertex_pos <= 0
        at_v = vertex_pos >= counts - 1
        node_of[at_u] = self.line_u[line_idx[at_u]]
        node_of[at_v & ~at_u] = self.line_v[line_idx[at_v & ~at_u]]
        inner = ~(at_u | at_v)
        if not inner.any():
            return self, node_of
        new_nodes: list[np.ndarray] = []
        us: list[int] = []
        vs: list[int] = []
        geoms: list[np.ndarray] = []
        origins: list[int] = []
        ctrys: list[int] = []
        sel = np.flatnonzero(inner)
        order = np.lexsort((vertex_pos[sel], line_idx[sel]))
        sel = sel[order]
        next_node = self.n_nodes
        i = 0
        drop = []
        while i < len(sel):
            li = int(line_idx[sel[i]])
            j = i
            positions: list[int] = []
            while j < len(sel) and line_idx[sel[j]] == li:
                p = int(vertex_pos[sel[j]])
                if not positions or positions[-1] != p:
                    positions.append(p)
                    new_nodes.append(self.coords[self.offsets[li] + p])
                    next_node += 1
                node_of[sel[j]] = next_node - 1
                j += 1
            geom = self.geometry(li)
            cuts = [0, *positions, len(geom) - 1]
            first_new = next_node - len(positions)
            ends = [int(self.line_u[li]), *range(first_new, next_node), int(self.line_v[li])]
            for k in range(len(cuts) - 1):
                us.append(ends[k])
                vs.append(ends[k + 1])
                geoms.append(geom[cuts[k] : cuts[k + 1] + 1])
                origins.append(int(self.origin[li]))
                ctrys.append(int(self.country[li]))
            drop.append(li)
            i = j
        out = self.with_lines(
            np.array(new_nodes), us, vs, geoms, origins, ctrys, drop=np.array(drop)
        )
        return out, node_of


def densify(ls: LineSet, max_km: float) -> LineSet:
    """Insert vertices so that no segment is longer than ``max_km`` (linear in lon/lat).

    The source geometry is simplified, with straight segments of tens of km; nodes for places
    and joins can only be made at vertices, so long segments get intermediate ones."""
    seg = haversine_km(ls.coords[:-1, 0], ls.coords[:-1, 1], ls.coords[1:, 0], ls.coords[1:, 1])
    vline = ls.vertex_line()
    inside = vline[:-1] == vline[1:]
    pieces = np.where(inside, np.maximum(1, np.ceil(seg / max_km)).astype(np.int64), 1)
    # vertex i (not a line's last) emits pieces[i] points: itself and pieces[i]-1 interpolated
    emit = np.ones(len(ls.coords), dtype=np.int64)
    emit[:-1] = np.where(inside, pieces, 1)
    start = np.repeat(np.arange(len(ls.coords)), emit)
    offset = np.arange(int(emit.sum())) - np.repeat(np.cumsum(emit) - emit, emit)
    frac = offset / np.repeat(emit, emit)
    nxt = np.minimum(start + 1, len(ls.coords) - 1)
    coords = ls.coords[start] + (ls.coords[nxt] - ls.coords[start]) * frac[:, None]
    new_counts = (
        np.add.reduceat(emit, ls.offsets[:-1]) if ls.n_lines else np.zeros(0, dtype=np.int64)
    )
    offsets = np.concatenate([[0], np.cumsum(new_counts)]).astype(np.int64)
    return replace(ls, coords=coords, offsets=offsets)
