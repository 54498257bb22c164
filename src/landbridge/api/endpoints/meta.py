"""Server information and the sources table for the web page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from landbridge import __version__
from landbridge.api.layers import LAYER_NAMES
from landbridge.api.models import ServerInfo
from landbridge.api.web import web_assets_installed
from landbridge.schema.route import Source

router = APIRouter(tags=["server"])


@router.get("/info", response_model=ServerInfo)
def info(request: Request) -> ServerInfo:
    """Version, whether work endpoints need a token, the map layers and the request limits."""
    settings = request.app.state.settings
    return ServerInfo(
        version=__version__,
        token_required=bool(settings.token),
        web_assets=web_assets_installed(),
        layers=list(LAYER_NAMES),
        max_replications=settings.max_replications,
        max_job_run_s=settings.max_job_run_s,
    )


@router.get("/sources", response_model=list[Source])
def sources() -> list[Source]:
    """Every source cited by a parameter, facility or event row (id, title, publisher, year)."""
    from landbridge.data import source_rows

    return [Source(**row) for row in source_rows().values()]
