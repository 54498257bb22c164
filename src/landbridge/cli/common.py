"""What every command module shares: the consoles, library errors as one line, JSON output,
the results store and Rich tables of frames.

Rich is imported when a console is first asked for (``from landbridge.cli.common import
console``, or ``common.console``): ``landbridge route --json`` writes plain JSON and, unless it
fails, never needs Rich (~20 ms of a cold start).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from landbridge.errors import LandbridgeError

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    err_console: Console

F = TypeVar("F", bound=Callable[..., Any])

_CONSOLES: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """``console`` (stdout) and ``err_console`` (stderr), each made once, on first use; their
    size follows the terminal of each command (``cli.terminal_console``)."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _CONSOLES:
        from landbridge.cli.terminal_console import TerminalConsole

        _CONSOLES[name] = TerminalConsole(stderr=name == "err_console")
    return _CONSOLES[name]


STORE_OPTION_HELP = "Results store file (default: the user data folder's runs.duckdb)."


def user_errors(func: F) -> F:
    """Turn ``LandbridgeError`` into a one-line message and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LandbridgeError as exc:
            from rich.markup import escape

            message = escape(str(exc))
            __getattr__("err_console").print(
                f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True
            )
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

    from rich.markup import escape
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
