"""Avoiding every country (issue 19: exit 5 'result table … lacks columns'): the routes say there
is no route, the flows serve nothing, and the run is stored; exit 0, no traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.network import load_network


def test_a_scenario_avoiding_every_country_runs_and_is_stored(tmp_path: Path) -> None:
    countries = load_network().countries
    mods = "".join(f"  - {{type: avoid_country, country: {c}}}\n" for c in countries)
    scenario = tmp_path / "avoid-all.yaml"
    scenario.write_text(f"name: avoid-all\nbase: {{year: 2024}}\nmodifications:\n{mods}")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("origin,destination\nXi'an,Duisburg\n")
    store = tmp_path / "runs.duckdb"
    result = CliRunner().invoke(app, [
        "scenario", "run", str(scenario), "--routes", str(pairs), "--flows", "--store", str(store),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Stored as run" in result.output and "lacks columns" not in result.output
    listed = CliRunner().invoke(app, ["runs", "list", "--store", str(store), "--json"])
    assert listed.exit_code == 0 and "avoid-all" in listed.output
