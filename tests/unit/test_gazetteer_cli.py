"""The ``landbridge places`` command: table, JSON, unknown places and bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from landbridge.cli import app

runner = CliRunner()


def test_places_table() -> None:
    result = runner.invoke(app, ["places", "Dostyk", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "Dostyk" in result.output and "crossing" in result.output and "KZ" in result.output
    assert "45.2529" in result.output


def test_places_json() -> None:
    result = runner.invoke(app, ["places", "DEDUI", "--json", "-n", "2"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.stdout)
    assert len(matches) == 2
    assert matches[0]["place"]["place_id"] == "terminal:duisburg"
    assert matches[0]["place"]["locode"] == "DEDUI"
    assert matches[0]["score"] == 1.0


def test_places_coordinate_json() -> None:
    result = runner.invoke(app, ["places", "51.43,6.76", "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)[0]["place"]
    assert (first["kind"], first["lat"], first["lon"]) == ("coordinate", 51.43, 6.76)


def test_unknown_place_exit_code_and_one_line() -> None:
    result = runner.invoke(app, ["places", "Dostik"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "Unknown place 'Dostik'" in lines[0] and "Dostyk (KZ)" in lines[0]
    assert "Traceback" not in result.output


def test_bad_coordinate_exit_code() -> None:
    result = runner.invoke(app, ["places", "95,200"])
    assert result.exit_code == 2
    assert "latitude 95 out of range" in result.output
    assert "Traceback" not in result.output
