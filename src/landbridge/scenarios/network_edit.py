"""Array edits on a ``Network`` that return a new network (the input is never changed).

Removing or adding edges keeps the CSR contract: edges sorted by source node, ``indptr`` rebuilt,
``edge_reverse`` remapped, and each edge's geometry slice carried along.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landbridge.network.facilities import FacilityTable
from landbridge.network.model import Network

_EDGE_FIELDS = (
    "edge_src",
    "edge_dst",
    "edge_length_km",
    "edge_mode",
    "edge_country",
    "edge_gauge_mm",
    "edge_facility",
)
_NODE_FIELDS = ("node_lat", "node_lon", "node_country", "node_gauge_mm", "node_kind", "node_name")


def copy_network(net: Network) -> Network:
    """A copy: arrays and meta are new objects; the facility table (read-only) is shared."""
    changes: dict[str, Any] = {
        f.name: np.array(getattr(net, f.name), copy=True)
        for f in dataclasses.fields(net)
        if isinstance(getattr(net, f.name), np.ndarray)
    }
    changes["facilities"] = net.facilities  # read-only columns: shared, never changed
    changes["meta"] = _copy_meta(net.meta)
    return dataclasses.replace(net, **changes)


def _copy_meta(meta: dict) -> dict:
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if isinstance(value, list):
            out[key] = [dict(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            out[key] = dict(value)
        else:
            out[key] = value
    return out


def with_facilities(net: Network, facilities: pd.DataFrame) -> Network:
    """``net`` with the facility table of ``facilities`` (checked against the schema)."""
    return dataclasses.replace(net, facilities=FacilityTable.from_frame(facilities))


def with_meta(net: Network, **entries: object) -> Network:
    meta = _copy_meta(net.meta)
    meta.update(entries)
    return dataclasses.replace(net, meta=meta)


def remove_edges(net: Network, drop: np.ndarray) -> Network:
    """Drop the edges where ``drop`` is True, together with their reverse edges."""
    drop = np.asarray(drop, dtype=bool).copy()
    if drop.shape != (net.n_edges,):
        raise ValueError(f"mask has shape {drop.shape}, network has {net.n_edges} edges")
    drop |= drop[net.edge_reverse]
    if not drop.any():
        return net
    keep = np.flatnonzero(~drop)
    return _select_edges(net, keep)


def _select_edges(net: Network, order: np.ndarray) -> Network:
    """A network with the old edges ``order`` (already in CSR order), in that order."""
    new_index = np.full(net.n_edges, -1, dtype=np.int64)
    new_index[order] = np.arange(order.size)
    changes: dict[str, Any] = {name: getattr(net, name)[order] for name in _EDGE_FIELDS}
    changes["edge_reverse"] = new_index[net.edge_reverse[order]].astype(net.edge_reverse.dtype)
    changes["indptr"] = _indptr(changes["edge_src"], net.n_nodes, net.indptr.dtype)
    offsets, geom = _gather_geometry(net.edge_geom_offset, net.geom_lonlat, order)
    changes["edge_geom_offset"] = offsets
    changes["geom_lonlat"] = geom
    return dataclasses.replace(net, **changes)


def _indptr(edge_src: np.ndarray, n_nodes: int, dtype: np.dtype) -> np.ndarray:
    counts = np.bincount(edge_src, minlength=n_nodes)
    indptr = np.zeros(n_nodes + 1, dtype=dtype)
    np.cumsum(counts, out=indptr[1:])
    return indptr


def _gather_geometry(
    offsets: np.ndarray, geom: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    starts = offsets[order]
    lengths = offsets[order + 1] - starts
    new_offsets = np.zeros(order.size + 1, dtype=offsets.dtype)
    np.cumsum(lengths, out=new_offsets[1:])
    total = int(new_offsets[-1])
    # index of every kept vertex: its edge's old start plus its position inside the edge
    within = np.arange(total) - np.repeat(new_offsets[:-1], lengths)
    rows = np.repeat(starts, lengths) + within
    return new_offsets, geom[rows] if total else geom[:0].copy()


@dataclass(frozen=True)
class NewNode:
    lat: float
    lon: float
    country: int
    gauge_mm: int
    kind: int
    name: str


def add_nodes(net: Network, nodes: list[NewNode]) -> tuple[Network, list[int]]:
    """Append nodes (no edges); returns the network and the new node ids."""
    if not nodes:
        return net, []
    first = net.n_nodes
    values = {
        "node_lat": [n.lat for n in nodes],
        "node_lon": [n.lon for n in nodes],
        "node_country": [n.country for n in nodes],
        "node_gauge_mm": [n.gauge_mm for n in nodes],
        "node_kind": [n.kind for n in nodes],
        "node_name": [n.name for n in nodes],
    }
    changes: dict[str, Any] = {}
    for name in _NODE_FIELDS:
        old = getattr(net, name)
        changes[name] = np.concatenate([old, np.asarray(values[name], dtype=old.dtype)])
    last = net.indptr[-1]
    changes["indptr"] = np.concatenate(
        [net.indptr, np.full(len(nodes), last, dtype=net.indptr.dtype)]
    )
    return dataclasses.replace(net, **changes), list(range(first, first + len(nodes)))


@dataclass(frozen=True)
class NewLink:
    """One physical link, added as two directed edges; ``geometry`` is [k, 2] lon/lat, src→dst."""

    src: int
    dst: int
    length_km: float
    mode: int
    country: int
    gauge_mm: int
    facility: int
    geometry: np.ndarray


def add_links(net: Network, links: list[NewLink]) -> Network:
    """Append links (both directions) and restore CSR order."""
    if not links:
        return net
    m = net.n_edges
    k = len(links)
    fwd = np.arange(m, m + 2 * k, 2)
    rev = fwd + 1
    cols: dict[str, list] = {name: [] for name in _EDGE_FIELDS}
    geoms: list[np.ndarray] = []
    for link in links:
        geometry = np.asarray(link.geometry, dtype=net.geom_lonlat.dtype).reshape(-1, 2)
        for src, dst, geom in (
            (link.src, link.dst, geometry),
            (link.dst, link.src, geometry[::-1]),
        ):
            cols["edge_src"].append(src)
            cols["edge_dst"].append(dst)
            cols["edge_length_km"].append(link.length_km)
            cols["edge_mode"].append(link.mode)
            cols["edge_country"].append(link.country)
            cols["edge_gauge_mm"].append(link.gauge_mm)
            cols["edge_facility"].append(link.facility)
            geoms.append(geom)
    extended: dict[str, Any] = {}
    for name in _EDGE_FIELDS:
        old = getattr(net, name)
        extended[name] = np.concatenate([old, np.asarray(cols[name], dtype=old.dtype)])
    reverse_new = np.empty(2 * k, dtype=net.edge_reverse.dtype)
    reverse_new[0::2] = rev
    reverse_new[1::2] = fwd
    extended["edge_reverse"] = np.concatenate([net.edge_reverse, reverse_new])
    lengths = np.array([g.shape[0] for g in geoms], dtype=net.edge_geom_offset.dtype)
    extra_offsets = net.edge_geom_offset[-1] + np.cumsum(lengths)
    extended["edge_geom_offset"] = np.concatenate([net.edge_geom_offset, extra_offsets])
    extended["geom_lonlat"] = (
        np.concatenate([net.geom_lonlat, *geoms]) if geoms else net.geom_lonlat
    )
    grown = dataclasses.replace(net, **extended)
    order = np.argsort(grown.edge_src, kind="stable")
    return _select_edges(grown, order)
