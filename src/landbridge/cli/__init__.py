"""The ``landbridge`` command line (Typer + Rich). A face: it calls the library, never the reverse.

One module per command group; this one only names them, in the order ``--help`` lists them,
and imports the module of the command that runs (``--help`` imports them all): a cold
``landbridge route`` does not pay for the imports of ``simulate``, ``flows`` or ``serve``.
Every library error (``LandbridgeError``) becomes a one-line message on stderr and its exit code;
no traceback reaches the user.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup
from typer.models import CommandInfo

from landbridge.cli.startup import collection_paused

__all__ = ["app", "main"]

COMMANDS: dict[str, tuple[str, str]] = {
    "places": ("landbridge.cli.places", "places"),
    "route": ("landbridge.cli.route", "route"),
    "flows": ("landbridge.cli.flows", "flows"),
    "simulate": ("landbridge.cli.simulate", "simulate"),
    "serve": ("landbridge.cli.serve", "serve"),
    "events": ("landbridge.cli.events", "events"),
    "skim": ("landbridge.cli.skim", "skim"),
    "validate": ("landbridge.cli.validate", "validate"),
    "facilities": ("landbridge.cli.lists", "facilities"),
    "regions": ("landbridge.cli.lists", "regions"),
    "network": ("landbridge.cli.network", "network_app"),
    "scenario": ("landbridge.cli.scenario", "scenario_app"),
    "runs": ("landbridge.cli.runs", "runs_app"),
}
"""Command name -> (module, attribute): a command function or a ``typer.Typer`` group."""


class LazyCommands(TyperGroup):
    """The top-level group: a command's module is imported when the command is looked up."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            with collection_paused():
                self.commands[cmd_name] = _command(cmd_name)
        return self.commands[cmd_name]


def _command(name: str) -> Any:
    from landbridge.cli.common import user_errors

    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    return typer.main.get_command_from_info(
        CommandInfo(name=name, callback=user_errors(target)),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
    )


app = typer.Typer(
    name="landbridge",
    help="Digital twin of the China–Europe rail land bridge through Kazakhstan.",
    cls=LazyCommands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _landbridge() -> None:
    """Digital twin of the China–Europe rail land bridge through Kazakhstan."""


def _one_line_warning(message: Warning | str, *_: object, **__: object) -> str:
    return f"warning: {message}\n"


def main() -> None:
    warnings.formatwarning = _one_line_warning  # a user sees what happened, not our source line
    app()
