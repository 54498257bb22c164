"""Serve the offline web planner: ``/`` is the page, ``/static`` its JS, CSS and vendored MapLibre;
``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from the npm packages copied at install, no CDN.

Starlette's ``StaticFiles`` resolves every path and refuses anything outside its folder, so
``/static/../../etc/passwd`` and symlink tricks end in 404.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from landbridge.paths import PACKAGE_DIR

WEB_DIR = PACKAGE_DIR / "web"
STATIC_DIR = WEB_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
VENDOR_FILES = (
    "maplibre-gl.js",
    "maplibre-gl.css",
    "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui/swagger-ui.css",
    "redoc/redoc.standalone.js",
)


def web_assets_installed() -> bool:
    """True when ``make install`` copied MapLibre, Swagger UI and ReDoc into web/static/vendor."""
    return all((VENDOR_DIR / name).is_file() for name in VENDOR_FILES)


def mount_web(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> FileResponse:
        return FileResponse(WEB_DIR / "docs.html", media_type="text/html")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> FileResponse:
        return FileResponse(WEB_DIR / "redoc.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
