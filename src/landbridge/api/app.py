"""The FastAPI application: ``create_app()`` wires settings, guards, endpoints and the web page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from landbridge import __version__
from landbridge.api.endpoints import ENDPOINT_ROUTERS
from landbridge.api.jobs import JobRunner
from landbridge.api.security import SizeLimitMiddleware
from landbridge.api.settings import ApiSettings
from landbridge.api.state import ServerState
from landbridge.api.web import mount_web
from landbridge.errors import LandbridgeError
from landbridge.network.model import Network


def _default_network() -> Network:
    from landbridge.network import load_network

    return load_network()


def create_app(
    settings: ApiSettings | None = None, network_loader: Callable[[], Network] | None = None
) -> FastAPI:
    """Build the app. ``network_loader`` defaults to the bundled network (``load_network``)."""
    settings = settings or ApiSettings.from_env()
    settings.check_exposure()
    jobs = JobRunner(
        max_running=settings.max_running_jobs,
        max_queued=settings.max_queued_jobs,
        max_kept=settings.max_kept_jobs,
        max_run_s=settings.max_job_run_s,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="landbridge",
        version=__version__,
        summary="Routes, transit time, cost, CO2e, corridor flows, simulation and scenarios "
        "for the China–Europe rail land bridge.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.server = ServerState(network_loader or _default_network)

    @app.exception_handler(LandbridgeError)
    async def _landbridge_error(_: Request, exc: LandbridgeError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.http_status, content={"detail": str(exc), "error": type(exc).__name__}
        )

    for router in ENDPOINT_ROUTERS:
        app.include_router(router, prefix="/api")
    mount_web(app)
    app.add_middleware(
        SizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_query_bytes=settings.max_query_bytes,
    )
    return app
