"""REST endpoints, one module per resource; the app mounts ``ENDPOINT_ROUTERS`` at /api."""

from __future__ import annotations

from landbridge.api.endpoints import (
    events,
    flows,
    jobs,
    layers,
    meta,
    places,
    routes,
    runs,
    scenarios,
    simulations,
)

ENDPOINT_ROUTERS = (
    meta.router,
    layers.router,
    places.router,
    events.router,
    routes.router,
    jobs.router,
    simulations.router,
    flows.router,
    scenarios.router,
    runs.router,
)
