"""Route options with the paths behind them, for drawing on the map.

``plan_routes`` answers with priced options but not their edge lists. Its ``constraints`` hook
sees every path it checks, so a constraint that restricts nothing records them; each option is
then matched to the recorded path of the same length. This keeps the library's response model
untouched while the map draws exactly the paths that were priced.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import shapely

from landbridge.api.layers import COORD_DECIMALS, LINE_SIMPLIFY_DEG
from landbridge.network.model import Network
from landbridge.routing.constraints import Constraint, PathView
from landbridge.routing.plan import plan_routes
from landbridge.schema.route import RouteRequest, RouteResponse

# Options carry distances rounded by the routing layer; a recorded path matches an option when
# their totals differ by less than this (far below the km between two distinct corridor paths).
MATCH_TOLERANCE_KM = 0.5


class PathRecorder(Constraint):
    """Restricts nothing; remembers each path checked in the current thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def start(self) -> None:
        self._local.paths = []

    def take(self) -> list[np.ndarray]:
        paths = getattr(self._local, "paths", [])
        self._local.paths = None
        return paths

    def check(self, path: PathView) -> str | None:
        paths = getattr(self._local, "paths", None)
        if paths is not None:
            paths.append(np.asarray(path.edges, dtype=np.int64).copy())
        return None

    def describe(self) -> str:
        return "records paths for the map"


# One instance for the process: the planner caches masked graphs per constraint identity.
_RECORDER = PathRecorder()


def _match(total_km: float, paths: list[np.ndarray], lengths: list[float]) -> np.ndarray | None:
    best = None
    for edges, km in zip(paths, lengths, strict=True):
        gap = abs(km - total_km)
        if gap <= MATCH_TOLERANCE_KM and (best is None or gap < best[0]):
            best = (gap, edges)
    return None if best is None else best[1]


def path_line(net: Network, edges: np.ndarray) -> list[list[float]]:
    """The simplified lon/lat line of a path (edge geometries joined in travel order)."""
    parts = [net.edge_geometry(int(e)).astype(np.float64) for e in edges]
    coords = np.concatenate([p for p in parts if len(p)]) if parts else np.empty((0, 2))
    if len(coords) < 2:
        return np.round(coords, COORD_DECIMALS).tolist()
    line = shapely.simplify(shapely.LineString(coords), LINE_SIMPLIFY_DEG)
    return np.round(shapely.get_coordinates(line), COORD_DECIMALS).tolist()


def plan_with_geometry(request: RouteRequest, net: Network) -> tuple[RouteResponse, dict[str, Any]]:
    """``plan_routes`` on ``net`` plus a FeatureCollection: one LineString per drawable option.

    Feature properties: ``option`` (index into ``response.options``), ``label``, ``corridor``.
    """
    _RECORDER.start()
    try:
        response = plan_routes(request, network=net, constraints=(_RECORDER,))
    finally:
        paths = _RECORDER.take()
    lengths = [float(net.edge_length_km[p].sum()) for p in paths]
    features = []
    for i, option in enumerate(response.options):
        edges = _match(option.distance_km.total, paths, lengths)
        if edges is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": path_line(net, edges)},
                "properties": {"option": i, "label": option.label, "corridor": option.corridor},
            }
        )
    return response, {"type": "FeatureCollection", "features": features}
