"""Route options between two places: the priced table, and the same options as map lines."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from landbridge.api.models import ERROR_RESPONSES, FeatureCollection
from landbridge.api.route_geometry import plan_with_geometry
from landbridge.schema.route import RouteRequest, RouteResponse

router = APIRouter(tags=["routes"])


def _planned(request: Request, body: RouteRequest) -> tuple[RouteResponse, dict[str, Any]]:
    state = request.app.state.server
    return state.routes.get_or_compute(
        body.model_dump_json(), lambda: plan_with_geometry(body, state.network)
    )


@router.post("/routes", response_model=RouteResponse, responses=ERROR_RESPONSES)
def plan(body: RouteRequest, request: Request) -> RouteResponse:
    """Every corridor option (northern, middle, southern, sea) with p50/p90 days, cost and CO2e,
    Pareto-optimal options first. Same answer as ``landbridge route --json``."""
    return _planned(request, body)[0]


@router.post("/routes/geojson", response_model=FeatureCollection, responses=ERROR_RESPONSES)
def plan_lines(body: RouteRequest, request: Request) -> dict[str, Any]:
    """The options of ``POST /routes`` as LineStrings; property ``option`` indexes its table."""
    return _planned(request, body)[1]
