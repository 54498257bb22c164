"""The ``landbridge`` command line (Typer + Rich). A face: it calls the library, never the reverse.

One module per command group; this one only assembles them, in the order ``--help`` lists them.
Every library error (``LandbridgeError``) becomes a one-line message on stderr and its exit code;
no traceback reaches the user.
"""

from __future__ import annotations

import warnings

import typer

from landbridge.cli.common import user_errors
from landbridge.cli.events import events
from landbridge.cli.flows import flows
from landbridge.cli.lists import facilities, regions
from landbridge.cli.network import network_app
from landbridge.cli.places import places
from landbridge.cli.route import route
from landbridge.cli.runs import runs_app
from landbridge.cli.scenario import SCENARIO_REFERENCE, scenario_app
from landbridge.cli.serve import serve
from landbridge.cli.simulate import simulate
from landbridge.cli.skim import skim
from landbridge.cli.validate import validate

__all__ = ["SCENARIO_REFERENCE", "app", "main", "serve"]

app = typer.Typer(
    name="landbridge",
    help="Digital twin of the China–Europe rail land bridge through Kazakhstan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(network_app, name="network")
app.add_typer(scenario_app, name="scenario")
app.add_typer(runs_app, name="runs")
for command in (places, route, flows, simulate, serve, events, skim, validate, facilities,
                regions):  # fmt: skip
    app.command(command.__name__)(user_errors(command))


def _one_line_warning(message: Warning | str, *_: object, **__: object) -> str:
    return f"warning: {message}\n"


def main() -> None:
    warnings.formatwarning = _one_line_warning  # a user sees what happened, not our source line
    app()
