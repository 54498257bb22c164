"""What every command module shares: the consoles, library errors as one line, JSON output,
the results store and Rich tables of frames."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from landbridge.errors import LandbridgeError

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

STORE_OPTION_HELP = "Results store file (default: the user data folder's runs.duckdb)."


def user_errors(func: F) -> F:
    """Turn ``LandbridgeError`` into a one-line message and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LandbridgeError as exc:
            message = escape(str(exc))
            err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Write JSON to stdout without Rich markup or wrapping."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def store_at(path: str | None) -> Any:
    """The results store at ``path``, or the default one."""
    from landbridge.store.db import Store

    return Store(path) if path else Store()


def frame_table(frame: Any, title: str, columns: dict[str, str], limit: int = 30) -> Any:
    """A Rich table of ``columns`` (frame column -> heading); floats formatted, text escaped."""
    import math

    from rich.table import Table

    table = Table(title=escape(title))
    for heading in columns.values():
        # fold, never cut: run ids and facility names must stay complete to be copied
        table.add_column(escape(heading), overflow="fold")
    for row in frame.head(limit).itertuples(index=False):
        cells = []
        for col in columns:
            value = getattr(row, col)
            if isinstance(value, float):
                cells.append("–" if math.isnan(value) else f"{value:,.1f}")
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    return table
