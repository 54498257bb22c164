"""One rule for a scenario in the simulation, whichever face runs it: the CLI, the API's job and
the scenario runner give the same notes, and a facility the network has but the simulated
corridor lacks is a note, never an error."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from landbridge.api import job_targets
from landbridge.app import engines
from landbridge.cli import app
from landbridge.scenarios.load import load_scenario
from landbridge.scenarios.runner import NOTES_KEY

# set_capacity on dostyk-moyinty, a line section of the network outside the simulated corridor
SCENARIO = "khorgos-closed-one-week"
DAYS = 5


def test_the_faces_apply_a_scenario_to_the_simulation_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cli = CliRunner().invoke(
        app,
        ["simulate", "--days", str(DAYS), "-n", "1", "--workers", "1", "--scenario", SCENARIO,
         "--json"],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    cli_report = json.loads(cli.stdout)
    payload = {"days": DAYS, "replications": 1, "seed": 0, "engine": "fast", "scenario": SCENARIO}
    api_report = job_targets.simulate(payload, lambda _fraction: None)
    monkeypatch.setattr(engines, "SIM_DAYS", DAYS)
    stored = engines.simulate_corridor(None, None, None, load_scenario(SCENARIO))  # type: ignore[arg-type]
    runner_notes = stored[NOTES_KEY]["note"].tolist()

    assert cli_report["notes"] == api_report["notes"] == runner_notes
    assert any(n.startswith("modification 1 (set_capacity)") for n in runner_notes)
    assert "dostyk-moyinty" in runner_notes[0] and runner_notes[0].endswith("not simulated")
    assert cli_report["corridors"] == api_report["corridors"]  # same seed, same corridor


def test_a_border_crossing_the_corridor_lacks_is_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    """The events of base.events close crossings the network finds when it is built (Belarus–
    Poland); the simulated corridor runs through Brest instead: a note, not an error."""
    cli = CliRunner().invoke(
        app,
        ["simulate", "--days", str(DAYS), "-n", "1", "--workers", "1", "--scenario",
         "kz-container-vessels-2027", "--json"],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    notes = json.loads(cli.stdout)["notes"]
    assert any("border-by-pl-" in n and n.endswith("not simulated") for n in notes)
