"""Route options between two places: the priced table, and the same options as map lines.

Answers are cached as serialized bytes (plain and gzip), so a repeated question costs no
search and no re-serialization: the popular origin–destination pairs answer in about a ms.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from landbridge.api.models import ERROR_RESPONSES, FeatureCollection
from landbridge.api.route_geometry import plan_with_geometry
from landbridge.api.state import CachedJson
from landbridge.schema.route import RouteRequest, RouteResponse

router = APIRouter(tags=["routes"])


def _planned(request: Request, body: RouteRequest) -> tuple[CachedJson, CachedJson]:
    state = request.app.state.server

    def compute() -> tuple[CachedJson, CachedJson]:
        response, lines = plan_with_geometry(body, state.network)
        return CachedJson(response.model_dump_json(by_alias=True).encode()), CachedJson.of(lines)

    return state.routes.get_or_compute(body.model_dump_json(), compute)


def _send(request: Request, cached: CachedJson) -> Response:
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            cached.gzipped,
            media_type="application/json",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return Response(cached.body, media_type="application/json", headers={"Vary": "Accept-Encoding"})


@router.post(
    "/routes",
    response_model=RouteResponse,
    responses={**ERROR_RESPONSES, 200: {"model": RouteResponse}},
)
def plan(body: RouteRequest, request: Request) -> Response:
    """Every corridor option (northern, middle, southern, sea) with p50/p90 days, cost and CO2e,
    Pareto-optimal options first. Same answer as ``landbridge route --json``."""
    return _send(request, _planned(request, body)[0])


@router.post(
    "/routes/geojson",
    response_model=FeatureCollection,
    responses={**ERROR_RESPONSES, 200: {"model": FeatureCollection}},
)
def plan_lines(body: RouteRequest, request: Request) -> Response:
    """The options of ``POST /routes`` as LineStrings; property ``option`` indexes its table."""
    return _send(request, _planned(request, body)[1])
