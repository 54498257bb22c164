"""The FastAPI application: ``create_app()`` wires settings, guards, endpoints and the web page."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from landbridge import __version__
from landbridge.api.endpoints import ENDPOINT_ROUTERS
from landbridge.api.errors import without_paths
from landbridge.api.heavy import HeavyWork
from landbridge.api.jobs import JobRunner
from landbridge.api.route_answers import RouteAnswers
from landbridge.api.route_workers import Planner, ProcessPlanner, ThreadPlanner
from landbridge.api.security import RequestGuard, SizeLimitMiddleware
from landbridge.api.settings import ApiSettings
from landbridge.api.state import ServerState
from landbridge.api.web import mount_web
from landbridge.errors import LandbridgeError, validation_text
from landbridge.network.model import Network


def validation_message(exc: RequestValidationError) -> str:
    """One line per wrong field, ``where.field: what is wrong`` (pydantic's words, no traceback)."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        message = validation_text(error, default="invalid")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(dict.fromkeys(lines)) or "Invalid request."


def _warm_up(app: FastAPI) -> None:
    """Load the network and gazetteer of this process before the first page asks for them.

    Failures are left for the first request to report with its own message.
    """
    from landbridge.api.route_geometry import warm_route_lines
    from landbridge.places.gazetteer import Gazetteer

    state: ServerState = app.state.server
    try:
        Gazetteer.load()
        if isinstance(app.state.planner, ThreadPlanner):  # worker processes draw their own
            warm_route_lines(state.network)
    except Exception:  # noqa: BLE001, S110 - the request that needs it raises the same error
        return


async def _warm_layers(app: FastAPI) -> None:
    """Make the map layers (by the planner, off the event loop) before the page asks for them."""
    from landbridge.api.layers import LAYER_NAMES

    state: ServerState = app.state.server
    for key in ("basemap", *(f"layer-{name}" for name in LAYER_NAMES)):
        try:
            state.put(key, await app.state.planner.layer(key))
        except Exception:  # noqa: BLE001 - the request that needs it raises the same error
            return


def _default_network() -> Network:
    from landbridge.network import load_network

    return load_network()


def create_app(
    settings: ApiSettings | None = None, network_loader: Callable[[], Network] | None = None
) -> FastAPI:
    """Build the app. ``network_loader`` defaults to the bundled network (``load_network``).

    With ``settings.route_workers`` new route answers are planned in that many worker processes
    on the bundled network (started with the app; ``network_loader`` then serves the other
    endpoints only), else in threads of this process on the loader's network.
    """
    settings = settings or ApiSettings.from_env()
    settings.check_exposure()
    if settings.route_workers and network_loader is not None:
        raise ValueError("route worker processes plan on the bundled network only")
    heavy = HeavyWork()
    state = ServerState(network_loader or _default_network)
    planner: Planner = (
        ProcessPlanner(settings.route_workers) if settings.route_workers else ThreadPlanner(state)
    )
    jobs = JobRunner(
        max_running=settings.max_running_jobs,
        max_queued=settings.max_queued_jobs,
        max_kept=settings.max_kept_jobs,
        max_run_s=settings.max_job_run_s,
    )

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        await planner.start()  # before the first request is accepted
        threading.Thread(
            target=_warm_up, args=(started,), name="landbridge-warm-up", daemon=True
        ).start()
        layers = asyncio.ensure_future(_warm_layers(started))
        yield
        layers.cancel()
        jobs.shutdown()
        heavy.shutdown()
        planner.shutdown()

    app = FastAPI(
        title="landbridge",
        version=__version__,
        summary="Routes, transit time, cost, CO2e, corridor flows, simulation and scenarios "
        "for the China–Europe rail land bridge.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from local assets (api/web.py), not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.heavy = heavy
    app.state.server = state
    app.state.planner = planner
    app.state.route_answers = RouteAnswers()

    @app.exception_handler(LandbridgeError)
    async def _landbridge_error(_: Request, exc: LandbridgeError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.http_status,
            content={
                "detail": without_paths(str(exc)),
                "error": getattr(exc, "error_name", type(exc).__name__),
            },
        )

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": str(exc.detail), "error": "HTTPError"},
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": validation_message(exc), "error": "ValidationError"}
        )

    for router in ENDPOINT_ROUTERS:
        app.include_router(router, prefix="/api")
    mount_web(app)
    app.add_middleware(
        SizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_query_bytes=settings.max_query_bytes,
    )
    app.add_middleware(RequestGuard, settings=settings)  # outermost: runs first
    return app
