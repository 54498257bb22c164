"""Read the OSM-derived railway lines (scgraph-world-railways) into flat arrays.

The raw file is a gzipped GeoJSON FeatureCollection of LineStrings whose end points carry the
vertex ids of the scgraph graph (``from_node``/``to_node``): features that share an id meet there.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from landbridge.errors import NetworkDataError
from landbridge.network.build.inputs import RAIL_FILE
from landbridge.network.build.lines import LineSet


def read_rail_lines(path: Path = RAIL_FILE) -> LineSet:
    """All railway LineStrings of ``path`` as a ``LineSet`` (nodes = the scgraph end vertices)."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            features = json.load(fh)["features"]
    except FileNotFoundError:
        raise NetworkDataError(
            f"railway data missing: {path}; reinstall landbridge or restore the file"
        ) from None
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise NetworkDataError(
            f"railway data unreadable ({exc}): {path}; restore the file from the repository"
        ) from None
    return lines_from_features(features)


def lines_from_features(features: list[dict]) -> LineSet:
    """Build a ``LineSet`` from GeoJSON LineString features with ``from_node``/``to_node`` ids."""
    coords_list: list[list[list[float]]] = []
    ends: list[tuple[int, int]] = []
    for feat in features:
        geom = feat.get("geometry") or {}
        pts = geom.get("coordinates")
        props = feat.get("properties") or {}
        if geom.get("type") != "LineString" or not pts or len(pts) < 2:
            continue
        if "from_node" not in props or "to_node" not in props:
            raise NetworkDataError(
                "railway feature without from_node/to_node: the file is not an scgraph export"
            )
        coords_list.append(pts)
        ends.append((int(props["from_node"]), int(props["to_node"])))
    if not coords_list:
        raise NetworkDataError("railway data holds no LineString features")
    counts = np.fromiter((len(c) for c in coords_list), dtype=np.int64, count=len(coords_list))
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    coords = np.fromiter(
        (v for c in coords_list for p in c for v in p[:2]),
        dtype=np.float64,
        count=int(offsets[-1]) * 2,
    ).reshape(-1, 2)
    end_ids = np.asarray(ends, dtype=np.int64)
    uniq, inverse = np.unique(end_ids.ravel(), return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    node_lonlat = np.empty((len(uniq), 2), dtype=np.float64)
    node_lonlat[inverse[:, 0]] = coords[offsets[:-1]]
    node_lonlat[inverse[:, 1]] = coords[offsets[1:] - 1]
    return LineSet.from_arrays(node_lonlat, inverse[:, 0], inverse[:, 1], coords, offsets)
