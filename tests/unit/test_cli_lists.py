"""CLI discoverability: facility and region ids with names, the compact option table when piped,
``--wide``, and ``scenario --help`` naming the YAML reference."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.cli.scenario import SCENARIO_REFERENCE

runner = CliRunner()


def test_facilities_lists_ids_with_names_and_filters() -> None:
    result = runner.invoke(app, ["facilities", "--kind", "gauge_change", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["kind"] for r in rows} == {"gauge_change"}
    by_id = {r["facility_id"]: r["name"] for r in rows}
    assert by_id["alashankou-dostyk"] == "Alashankou–Dostyk"
    found = runner.invoke(app, ["facilities", "--search", "khorgos"])
    assert "khorgos-altynkol" in found.stdout and "Khorgos–Altynkol" in found.stdout
    kz = json.loads(runner.invoke(app, ["facilities", "--country", "kz", "--json"]).stdout)
    assert kz and all("KZ" in r["countries"].split("-") for r in kz)
    bad = runner.invoke(app, ["facilities", "--kind", "yard"])
    assert bad.exit_code == 2 and "gauge_change" in bad.output


def test_regions_lists_demand_region_ids() -> None:
    result = runner.invoke(app, ["regions", "--json"])
    assert result.exit_code == 0
    rows = {r["region_id"]: r for r in json.loads(result.stdout)}
    assert rows["cn-xian"]["name"] == "Xi'an" and rows["cn-xian"]["group"] == "CN"
    assert "cn-chengdu" in runner.invoke(app, ["regions"]).stdout


def test_piped_route_table_is_one_line_per_option_and_wide_adds_columns() -> None:
    compact = runner.invoke(app, ["route", "Chengdu", "Duisburg"])  # CliRunner: 80 columns
    assert compact.exit_code == 0, compact.output
    lines = compact.stdout.splitlines()
    assert max(len(line) for line in lines if "via" in line and "." in line) <= 80
    row = next(line for line in lines if "Northern via Alashankou–Dostyk" in line)
    assert re.search(r"\d+\.\d\s+\d+\.\d\s+[\d,]+\s+\d+\.\d\d(\s+\d+)?\s*$", row), row
    header = next(line for line in lines if "p50" in line and "option" in line)
    assert "km" not in header and "--wide adds km" in compact.stdout
    wide = runner.invoke(app, ["route", "Chengdu", "Duisburg", "--wide"])
    assert "gauge changes" in wide.stdout.replace("\n", " ") or "ports" in wide.stdout


def test_scenario_help_points_to_the_yaml_reference() -> None:
    assert SCENARIO_REFERENCE.is_file()
    result = runner.invoke(app, ["scenario", "--help"], terminal_width=300)
    assert str(SCENARIO_REFERENCE) in result.stdout
