"""Use case: plan a route (``landbridge route``). Imports nothing heavy up front: a cold
``landbridge route`` pays only for what planning needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from landbridge.schema.route import RouteRequest, RouteResponse


def plan_route(request: RouteRequest, params_file: str | None = None) -> RouteResponse:
    """Every corridor option of the request, with the parameter overrides of ``params_file``."""
    from landbridge.costs.params import load_params
    from landbridge.routing.plan import plan_routes

    return plan_routes(request, params=load_params(params_file) if params_file else None)
