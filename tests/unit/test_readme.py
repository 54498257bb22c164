"""The README's examples run: its Python blocks as written, its shell commands through the CLI
(the quick ones run; the long ones — flows, simulation, scenario runs, the server — must at least
parse, so a renamed command or option fails here)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landbridge.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
# commands that answer in seconds; the others are parsed with --help only
QUICK = {"places", "route", "facilities", "regions", "runs"}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text("utf-8")) if lang == language]


def commands() -> list[list[str]]:
    found = []
    for body in blocks("bash"):
        for line in body.splitlines():
            if line.startswith(".venv/bin/landbridge "):
                found.append(shlex.split(line, comments=True)[1:])
    return found


def test_readme_has_examples() -> None:
    assert len(blocks("python")) >= 1
    assert {c[0] for c in commands()} >= QUICK | {"serve", "flows", "simulate", "scenario"}


def test_readme_python_runs(capsys: pytest.CaptureFixture[str]) -> None:
    for code in blocks("python"):
        exec(compile(code, str(README), "exec"), {"__name__": "readme"})  # noqa: S102
    printed = capsys.readouterr().out
    assert "days," in printed and "options avoiding Russia" in printed
    assert "cost_usd_per_feu" in printed


@pytest.mark.parametrize("args", commands(), ids=lambda a: " ".join(a)[:50])
def test_readme_command_runs(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANDBRIDGE_HOME", str(tmp_path / "home"))
    if "RUN_ID" in args:
        from tests.unit.test_store import record, results

        from landbridge.store.db import Store

        run_id = Store().write_run(record(), results())
        args = [run_id if a == "RUN_ID" else a for a in args]
    quick = args[0] in QUICK
    result = CliRunner().invoke(app, args if quick else [*args, "--help"])
    assert result.exit_code == 0, (args, result.output)
    if args[0] == "runs":
        from landbridge.outputs import is_complete_folder

        assert is_complete_folder(tmp_path / "exports" / "my-run")
