"""Routing layer: ``plan_routes(RouteRequest(...))`` (or ``landbridge.plan`` for place names)."""

from __future__ import annotations

from typing import Any

__all__ = ["RouteRequest", "plan_routes"]


def __getattr__(name: str) -> Any:
    if name == "plan_routes":
        from landbridge.routing.plan import plan_routes

        return plan_routes
    if name == "RouteRequest":
        from landbridge.schema.route import RouteRequest

        return RouteRequest
    raise AttributeError(f"module 'landbridge.routing' has no attribute {name!r}")
