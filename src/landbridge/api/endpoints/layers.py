"""Map layers: network by gauge, facilities, sea lines, Natural Earth basemap (GeoJSON)."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Request, Response

from landbridge.api import layers
from landbridge.api.models import ERROR_RESPONSES, FeatureCollection
from landbridge.api.state import CachedJson

router = APIRouter(tags=["map"])

# mypy reads enum members only from literals; these come from the layer table at import
LayerName = StrEnum("LayerName", {name: name for name in layers.LAYER_NAMES})  # type: ignore[misc]
# The browser may keep a layer for an hour, then revalidates with the ETag (cheap 304).
LAYER_MAX_AGE_S = 3600


def _send(request: Request, cached: CachedJson) -> Response:
    headers = {
        "ETag": cached.etag,
        "Cache-Control": f"max-age={LAYER_MAX_AGE_S}",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == cached.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(content=cached.gzipped, media_type="application/json", headers=headers)
    return Response(content=cached.body, media_type="application/json", headers=headers)


async def _layer(request: Request, key: str) -> CachedJson:
    """The layer from the app's memory, or made by the planner (threads or worker processes)
    off the event loop: the rail layer takes seconds of CPU the first time for a network."""
    state = request.app.state.server
    hit = state.peek(key)
    if hit is None:
        hit = await request.app.state.planner.layer(key)
        state.put(key, hit)
    return hit


@router.get(
    "/layers/{name}",
    response_model=FeatureCollection,
    responses={**ERROR_RESPONSES, 200: {"model": FeatureCollection}},
)
async def layer(name: LayerName, request: Request) -> Response:
    """One network layer: ``rail`` (property ``gauge_mm``), ``crossings``, ``yards``, ``ports``,
    ``sea`` (ferry, feeder and ocean lines) or ``sections`` (capacitated line sections)."""
    return _send(request, await _layer(request, f"layer-{name.value}"))


@router.get(
    "/basemap", response_model=FeatureCollection, responses={200: {"model": FeatureCollection}}
)
async def basemap(request: Request) -> Response:
    """Country outlines from Natural Earth 1:50m (public domain), simplified for the browser."""
    return _send(request, await _layer(request, "basemap"))
