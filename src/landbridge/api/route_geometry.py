"""Route options drawn on the map.

``plan_routes_with_paths`` returns each option's edge ids; the map line of an option is the
concatenation of its edges' geometries. Every edge is simplified once per network (vectorised
with shapely), so drawing a request's options only gathers pre-simplified pieces.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from landbridge.api.layers import COORD_DECIMALS, LINE_SIMPLIFY_DEG
from landbridge.network.model import Network

_LOCK = threading.Lock()
_SIMPLIFIED: dict[int, tuple[Network, np.ndarray, np.ndarray]] = {}


def _simplified_edges(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Per-edge simplified lon/lat vertices (offsets [m+1], coords [k, 2]), once per network."""
    with _LOCK:
        hit = _SIMPLIFIED.get(id(net))
        if hit is not None and hit[0] is net:
            return hit[1], hit[2]
        offsets = np.asarray(net.edge_geom_offset, dtype=np.int64)
        counts = np.diff(offsets)
        drawable = np.flatnonzero(counts >= 2)
        starts, stops = offsets[drawable], offsets[drawable + 1]
        index = np.concatenate([np.arange(a, b) for a, b in zip(starts, stops, strict=True)])
        part_offsets = np.concatenate([[0], np.cumsum(stops - starts)])
        lines = shapely.from_ragged_array(
            shapely.GeometryType.LINESTRING,
            net.geom_lonlat[index].astype(np.float64),
            (part_offsets,),
        )
        coords, owner = shapely.get_coordinates(
            shapely.simplify(lines, LINE_SIMPLIFY_DEG), return_index=True
        )
        per_edge = np.zeros(net.n_edges, dtype=np.int64)
        per_edge[drawable] = np.bincount(owner, minlength=len(drawable))
        out_offsets = np.concatenate([[0], np.cumsum(per_edge)])
        _SIMPLIFIED.clear()  # one network at a time: scenario copies would otherwise pile up
        _SIMPLIFIED[id(net)] = (net, out_offsets, coords)
        return out_offsets, coords


def warm_route_lines(net: Network) -> None:
    """Simplify every edge of ``net`` now, so the first route request does not pay for it."""
    _simplified_edges(net)


def path_line(net: Network, edges: np.ndarray) -> list[list[float]]:
    """The lon/lat line of a path: its edges' simplified geometries joined in travel order."""
    offsets, coords = _simplified_edges(net)
    pieces = [coords[offsets[e] : offsets[e + 1]] for e in np.asarray(edges, dtype=np.int64)]
    pieces = [p for p in pieces if len(p)]
    if not pieces:
        return []
    line = np.concatenate(pieces)
    # consecutive edges share their joint vertex: keep it once
    keep = np.ones(len(line), dtype=bool)
    keep[1:] = np.any(line[1:] != line[:-1], axis=1)
    return np.round(line[keep], COORD_DECIMALS).tolist()


def option_lines(
    net: Network, options: Sequence[tuple[str, str]], paths: Sequence[np.ndarray]
) -> dict[str, Any]:
    """Route options as a FeatureCollection: one LineString per drawable option, along its path.

    ``options`` are the (label, corridor) of each option and ``paths`` their edge ids, both in
    the order of ``RouteResponse.options`` (as ``plan_routes_with_paths`` returns them).
    Feature properties: ``option`` (index into the options), ``label``, ``corridor``.
    """
    features = []
    for i, ((label, corridor), edges) in enumerate(zip(options, paths, strict=True)):
        coordinates = path_line(net, edges)
        if len(coordinates) < 2:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coordinates},
                "properties": {"option": i, "label": label, "corridor": corridor},
            }
        )
    return {"type": "FeatureCollection", "features": features}
