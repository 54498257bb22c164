"""What a one-shot command imports: only its own command module, and for ``landbridge route`` none
of the libraries it does not use (issue 17). Asserts on ``sys.modules`` of a fresh process, never
on timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from landbridge.cli import COMMANDS

COMMAND_MODULES = {module for module, _ in COMMANDS.values()}
REPORT = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules))))\n"
    "from landbridge.cli import main\n"
    "sys.argv[0] = 'landbridge'\n"
    "main()\n"
)


def modules_after(*args: str) -> tuple[set[str], str]:
    """The modules a fresh ``landbridge ARGS`` process had imported at exit, and its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", REPORT, *args], capture_output=True, text=True, env=dict(os.environ),
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return set(json.loads(proc.stderr.rsplit("MODULES ", 1)[1])), proc.stdout


@pytest.fixture(scope="module")
def route_modules() -> set[str]:
    modules, out = modules_after("route", "Xi'an", "Duisburg", "--json")
    assert json.loads(out)["options"]  # the run planned a route
    return modules


def test_route_imports_only_its_own_command_module(route_modules: set[str]) -> None:
    assert COMMAND_MODULES & route_modules == {"landbridge.cli.route"}


def test_help_lists_every_command_in_order() -> None:
    modules, out = modules_after("--help")
    listed = [line.split()[1] for line in out.splitlines() if line.startswith("│ ") and
              line.split()[1] in COMMANDS]  # fmt: skip
    assert listed == list(COMMANDS)
    assert modules >= COMMAND_MODULES  # --help names them all, so it imports them all


def test_route_imports_no_pandas_pyarrow_or_yaml(route_modules: set[str]) -> None:
    """The network cache, the facility table and the parameter tables load without them."""
    assert not {m.split(".")[0] for m in route_modules} & {"pandas", "pyarrow", "yaml"}
