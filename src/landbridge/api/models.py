"""Response models that exist only in the REST face (GeoJSON wrappers, errors, server info).

Domain requests and results use the library's own models from ``landbridge.schema``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorResponse(BaseModel):
    """Body of every 4xx/5xx the API raises itself: the same message the CLI prints."""

    detail: str
    error: str = Field(description="Error class, e.g. UnknownPlaceError.")


class Feature(BaseModel):
    type: Literal["Feature"]
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[Feature]


class ServerInfo(BaseModel):
    """What the web page needs to know about the server it talks to."""

    version: str
    token_required: bool
    web_assets: bool = Field(
        description="False when the MapLibre files were not installed (run make install)."
    )
    layers: list[str]
    max_replications: int
    max_job_run_s: float


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 404, 409, 413, 422, 429)
}
