"""Route options drawn on the map.

``plan_routes_with_paths`` returns each option's edge ids; the map line of an option is
``network.route_lines.path_line``, the line stored runs keep too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from landbridge.network.model import Network
from landbridge.network.route_lines import path_line, simplified_edges


def warm_route_lines(net: Network) -> None:
    """Simplify every edge of ``net`` now, so the first route request does not pay for it."""
    simplified_edges(net)


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
