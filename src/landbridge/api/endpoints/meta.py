"""Server information for the web page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from landbridge import __version__
from landbridge.api.layers import LAYER_NAMES
from landbridge.api.models import ServerInfo
from landbridge.api.web import web_assets_installed

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
