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


@router.get(
    "/layers/{name}",
    response_model=FeatureCollection,
    responses={**ERROR_RESPONSES, 200: {"model": FeatureCollection}},
)
def layer(name: LayerName, request: Request) -> Response:
    """One network layer: ``rail`` (property ``gauge_mm``), ``crossings``, ``yards``, ``ports``,
    ``sea`` (ferry, feeder and ocean lines) or ``sections`` (capacitated line sections)."""
    state = request.app.state.server
    return _send(
        request,
        state.cached(
            f"layer-{name.value}",
            lambda: layers.network_layer(state.network, name.value),
            per_network=True,
        ),
    )


@router.get(
    "/basemap", response_model=FeatureCollection, responses={200: {"model": FeatureCollection}}
)
def basemap(request: Request) -> Response:
    """Country outlines from Natural Earth 1:50m (public domain), simplified for the browser."""
    return _send(request, request.app.state.server.cached("basemap", layers.basemap_countries))
