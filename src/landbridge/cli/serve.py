"""``landbridge serve``: the REST API and the offline web planner."""

from __future__ import annotations

import typer

from landbridge.cli.common import err_console


def serve(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; beyond loopback needs LANDBRIDGE_TOKEN."
    ),
    port: int = typer.Option(8765, min=0, max=65535, help="TCP port."),
    workers: int | None = typer.Option(
        None,
        min=0,
        max=64,
        help="Processes that plan new route answers (default: one per core, at most 4; "
        "0 plans them in threads of the server process).",
    ),
) -> None:
    """Start the REST API and the offline web planner, and print its URL."""
    from landbridge.api.app import create_app
    from landbridge.api.route_workers import default_workers
    from landbridge.api.serving import serve as serve_app
    from landbridge.api.settings import ApiSettings

    route_workers = default_workers() if workers is None else workers
    settings = ApiSettings.from_env(host=host, port=port, route_workers=route_workers)
    web_app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        f"landbridge web planner: http://{shown}:{port}/  (API docs: /docs; Ctrl-C stops)"
    )
    serve_app(web_app, host, port)
