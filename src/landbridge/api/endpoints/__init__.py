"""REST endpoints, one module per resource; the app mounts ``ENDPOINT_ROUTERS`` at /api."""

from __future__ import annotations

from landbridge.api.endpoints import layers, meta, places, routes

ENDPOINT_ROUTERS = (meta.router, layers.router, places.router, routes.router)
