"""The route workers' shared, read-only state, loaded once before they are forked.

The route worker pool (``api/route_workers.ProcessPlanner``) names this module as its
forkserver's preload: importing it there loads the bundled network and the gazetteer, simplifies
the map geometry and plans one route (which builds the planner's per-network caches), and every
worker forked afterwards shares those pages copy-on-write. Only the route workers import it.
"""

from __future__ import annotations

import threading

from landbridge.network.model import Network

WARM_UP_REQUEST = {"origin": "Xi'an", "destination": "Duisburg"}
"""One request planned before the fork, so the workers inherit the planner's warm caches."""

_LOCK = threading.Lock()
_NETWORK: Network | None = None


def network() -> Network:
    """The bundled network, loaded on first use (in the forkserver, before any worker exists)."""
    global _NETWORK
    with _LOCK:
        if _NETWORK is None:
            from landbridge.network import load_network

            _NETWORK = load_network()
        return _NETWORK


def warm_up() -> None:
    """Load and prepare everything a route request uses. Failures are left for the first
    request, which reports them with its own message."""
    from landbridge.api.route_geometry import warm_route_lines
    from landbridge.places.gazetteer import Gazetteer
    from landbridge.routing.plan import plan_routes
    from landbridge.schema.route import RouteRequest

    try:
        net = network()
        Gazetteer.load()
        warm_route_lines(net)
        plan_routes(RouteRequest(**WARM_UP_REQUEST), network=net)
    except Exception:  # noqa: BLE001, S110 - the request that needs it raises the same error
        return


warm_up()  # on import: this module is imported by the forkserver before it forks any worker
