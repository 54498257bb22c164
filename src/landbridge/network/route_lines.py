"""The line a path is drawn with, on the map and in stored runs alike.

A path's line is the concatenation of its edges' geometries, each simplified once per network
(vectorised with shapely), so drawing a request's options only gathers pre-simplified pieces.
"""

from __future__ import annotations

import numpy as np
import shapely

from landbridge.network.derived import derived
from landbridge.network.model import Network

# Douglas-Peucker tolerance for lines drawn at continental zoom: 0.01 deg is ~1 km, under one pixel
# at the zoom levels that show the whole corridor, and cuts the vertex count several-fold.
LINE_SIMPLIFY_DEG = 0.01
# Decimal places kept in coordinates: 3 decimals is ~100 m, under a pixel up to zoom 10 (the
# map's deepest zoom), and a third fewer bytes than 4 decimals.
COORD_DECIMALS = 3


def simplified_edges(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Per-edge simplified lon/lat vertices (offsets [m+1], coords [k, 2]), once per network."""
    return derived(net, "route-lines", _simplify_edges)


def _simplify_edges(net: Network) -> tuple[np.ndarray, np.ndarray]:
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
    return out_offsets, coords


def path_line(net: Network, edges: np.ndarray) -> list[list[float]]:
    """The lon/lat line of a path: its edges' simplified geometries joined in travel order."""
    offsets, coords = simplified_edges(net)
    pieces = [coords[offsets[e] : offsets[e + 1]] for e in np.asarray(edges, dtype=np.int64)]
    pieces = [p for p in pieces if len(p)]
    if not pieces:
        return []
    line = np.concatenate(pieces)
    # consecutive edges share their joint vertex: keep it once
    keep = np.ones(len(line), dtype=bool)
    keep[1:] = np.any(line[1:] != line[:-1], axis=1)
    return np.round(line[keep], COORD_DECIMALS).tolist()
