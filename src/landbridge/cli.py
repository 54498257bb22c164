"""The ``landbridge`` command line (Typer + Rich). A face: it calls the library, never the reverse.

Every library error (``LandbridgeError``) becomes a one-line message on stderr and its exit code;
no traceback reaches the user.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from landbridge.errors import LandbridgeError

app = typer.Typer(
    name="landbridge",
    help="Digital twin of the China–Europe rail land bridge through Kazakhstan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(help="Build, inspect and check the bundled rail network.", no_args_is_help=True)
scenario_app = typer.Typer(help="List, run and compare what-if scenarios.", no_args_is_help=True)
runs_app = typer.Typer(help="Stored runs: list, show, export.", no_args_is_help=True)
app.add_typer(network_app, name="network")
app.add_typer(scenario_app, name="scenario")
app.add_typer(runs_app, name="runs")

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn ``LandbridgeError`` into a one-line message and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LandbridgeError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Write JSON to stdout without Rich markup or wrapping."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


# --- network and places (issue 2) ---

# --- route (issue 3) ---

# --- flows (issue 4) ---

# --- simulate (issue 5) ---

# --- scenario and runs (issue 6) ---

# --- serve (issue 7) ---


@app.command()
@user_errors
def serve(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; beyond loopback needs LANDBRIDGE_TOKEN."
    ),
    port: int = typer.Option(8765, min=0, max=65535, help="TCP port."),
) -> None:
    """Start the REST API and the offline web planner, and print its URL."""
    import uvicorn

    from landbridge.api.app import create_app
    from landbridge.api.settings import ApiSettings

    settings = ApiSettings.from_env(host=host, port=port)
    web_app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        f"landbridge web planner: http://{shown}:{port}/  (API docs: /docs; Ctrl-C stops)"
    )
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
