"""Route options between two places: the priced table, and the same options as map lines.

Answers are cached as serialized bytes (plain and gzip), so a repeated question costs no
search and no re-serialization: it is answered on the event loop in well under a ms of CPU.
A new question is planned by the app's planner (worker processes under ``landbridge serve``,
threads otherwise: ``api/route_workers.py``); ``api/route_answers.py`` bounds how many wait.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from landbridge.api.models import ERROR_RESPONSES, FeatureCollection
from landbridge.api.route_answers import RouteAnswer, RouteAnswers, answer_key
from landbridge.api.route_workers import Planner
from landbridge.api.state import CachedJson
from landbridge.schema.route import RouteRequest, RouteResponse

router = APIRouter(tags=["routes"])


async def _planned(request: Request, body: RouteRequest) -> RouteAnswer:
    answers: RouteAnswers = request.app.state.route_answers
    key = answer_key(body)
    hit = answers.get(key)
    if hit is not None:
        return hit
    planner: Planner = request.app.state.planner

    async def compute() -> RouteAnswer:
        return RouteAnswer(await planner.plan(body))

    return await answers.get_or_compute(key, compute)


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
async def plan(body: RouteRequest, request: Request) -> Response:
    """Every corridor option (northern, middle, southern, sea) with p50/p90 days, cost and CO2e,
    Pareto-optimal options first. Same answer as ``landbridge route --json``."""
    return _send(request, (await _planned(request, body)).table)


@router.post(
    "/routes/geojson",
    response_model=FeatureCollection,
    responses={**ERROR_RESPONSES, 200: {"model": FeatureCollection}},
)
async def plan_lines(body: RouteRequest, request: Request) -> Response:
    """The options of ``POST /routes`` as LineStrings; property ``option`` indexes its table."""
    answer = await _planned(request, body)
    if answer.lines is None:
        planner: Planner = request.app.state.planner
        answer.lines = await planner.lines(answer.planned)
    return _send(request, answer.lines)
