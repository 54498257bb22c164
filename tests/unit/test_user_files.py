"""The one input layer: YAML loader errors as file:line:column, duplicate keys and columns
refused, byte order marks read; the same for scenario files, --params and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.errors import ParameterError, ScenarioError
from landbridge.user_files import csv_header, load_user_yaml, read_user_text

LOADER_REJECTS = [
    ("when: 2023-02-30\n", "2023-02-30"),
    ("when: 2023-13-01\n", "2023-13-01"),
    ("at: !!timestamp 2023-01-01 25:00:00\n", "25:00:00"),
    ("n: !!int abc\n", "abc"),
    ("n: !!int 0x_\n", "0x_"),
    ("n: !!float nope\n", "nope"),
]


@pytest.mark.parametrize(("text", "value"), LOADER_REJECTS)
def test_values_the_loader_cannot_build_name_file_line_and_column(text: str, value: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_user_yaml(text, ScenarioError, "s.yaml")
    message = str(info.value)
    assert message.startswith("s.yaml:1:") and value in message and "not valid YAML" in message


def test_duplicate_keys_are_refused_naming_both_lines() -> None:
    text = "name: a\nbase:\n  year: 2023\n  year: 2024\n"
    with pytest.raises(
        ScenarioError, match=r"s.yaml:4:3: .*duplicate key 'year' \(first at line 3\)"
    ):
        load_user_yaml(text, ScenarioError, "s.yaml")


def test_syntax_errors_have_a_position_and_a_bom_is_read() -> None:
    expected = r"^s.yaml:\d+:\d+: not valid YAML: did not find expected"
    with pytest.raises(ScenarioError, match=expected):
        load_user_yaml("a: 1\nb: [unclosed\n", ScenarioError, "s.yaml")
    assert load_user_yaml("\ufeffa: 1\n", ScenarioError, "s.yaml") == {"a": 1}


def test_text_files_lose_their_bom(tmp_path: Path) -> None:
    path = tmp_path / "od.csv"
    path.write_bytes(b"\xef\xbb\xbforigin,destination\n")
    assert read_user_text(path, ScenarioError, "OD file", 1000) == "origin,destination\n"


def test_duplicate_csv_columns_are_refused() -> None:
    with pytest.raises(
        ScenarioError, match=r"od.csv:1: column 't_per_yr' appears twice \(columns 3 and 4\)"
    ):
        csv_header(["origin", "destination", "t_per_yr", " t_per_yr"], ScenarioError, "od.csv")
    assert csv_header(["\ufefforigin", "b "], ScenarioError, "x") == ["origin", "b"]


@pytest.mark.parametrize(("text", "value"), LOADER_REJECTS[:4])
def test_scenario_files_and_params_files_give_exit_2(tmp_path: Path, text: str, value: str) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\nbase: {year: 2024}\n" + text)
    res = CliRunner().invoke(app, ["scenario", "check", str(scenario)])
    assert res.exit_code == 2 and value in res.output and "Traceback" not in res.output
    params = tmp_path / "p.yaml"
    params.write_text(text)
    with pytest.raises(ParameterError, match=value):
        from landbridge.costs.params import load_params

        load_params(params)


def test_demand_csv_with_bom_duplicate_column_or_duplicate_row(tmp_path: Path) -> None:
    from landbridge.errors import InvalidInputError
    from landbridge.flows.demand_file import read_demand_file

    head = "origin,destination,t_per_yr\n"
    row = "cn-xian,eu-duisburg,1000\n"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (head + row).encode())
    assert len(read_demand_file(bom, 2024, 10.0)) == 1
    twice = tmp_path / "twice.csv"
    twice.write_text("origin,destination,t_per_yr,t_per_yr\ncn-xian,eu-duisburg,1,2\n")
    with pytest.raises(InvalidInputError, match="twice.csv:1: column 't_per_yr' appears twice"):
        read_demand_file(twice, 2024, 10.0)
    dup = tmp_path / "dup.csv"
    dup.write_text(head + row * 50)
    with pytest.raises(InvalidInputError, match=r"dup.csv:3: the same OD row .* line 2"):
        read_demand_file(dup, 2024, 10.0)


def test_route_csv_duplicate_pair_and_bom(tmp_path: Path) -> None:
    from landbridge.errors import InvalidInputError
    from landbridge.scenarios.runner import load_od_pairs

    path = tmp_path / "routes.csv"
    path.write_bytes(b"\xef\xbb\xbforigin,destination\nXi'an,Duisburg\n")
    assert len(load_od_pairs(path)) == 1
    path.write_text("origin,destination\nXi'an,Duisburg\nXi'an,Duisburg\n")
    with pytest.raises(InvalidInputError, match=r"routes.csv:3: the pair Xi'an -> Duisburg"):
        load_od_pairs(path)


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--tonnes-per-teu", "nan"], "finite number"), (["--feu", "10000.0001"], "got 10,000.0001")],
)
def test_route_numbers_say_what_is_wrong(args: list[str], words: str) -> None:
    res = CliRunner().invoke(app, ["route", "Xi'an", "Duisburg", *args])
    assert res.exit_code == 2 and words in res.output


def test_a_params_yes_no_value_is_not_a_number(tmp_path: Path) -> None:
    from landbridge.costs.params import load_params

    path = tmp_path / "p.yaml"
    path.write_text("rail_speed:\n  KZ: {speed_p50_kmh: true}\n")
    with pytest.raises(ParameterError, match=r"p.yaml: rail_speed.KZ.speed_p50_kmh: a yes/no"):
        load_params(path)


@pytest.fixture(scope="module")
def api():
    from fastapi.testclient import TestClient

    from landbridge.api.app import create_app
    from landbridge.api.settings import ApiSettings
    from landbridge.network import load_network

    with TestClient(create_app(ApiSettings(), network_loader=load_network)) as client:
        yield client


@pytest.mark.parametrize(("text", "value"), LOADER_REJECTS)
def test_the_api_validation_names_the_value_the_loader_cannot_build(
    api, text: str, value: str
) -> None:
    """They were a plain-text HTTP 500; now a 422 with the CLI's file:line:column message."""
    response = api.post(
        "/api/scenarios/validate", content="name: x\nbase: {year: 2024}\n" + text,
        headers={"Content-Type": "application/yaml"},
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "ScenarioError" and value in response.json()["detail"]


@pytest.mark.parametrize("command", [["flows"], ["simulate", "--days", "1"]])
def test_the_scenario_option_of_flows_and_simulate_reads_through_the_same_loader(
    tmp_path: Path, command: list[str]
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\nbase: {year: 2024}\nmodifications:\n  - {a: 1, a: 2}\n")
    res = CliRunner().invoke(app, [*command, "--scenario", str(scenario)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "s.yaml" in res.output and "'a'" in res.output and "line 4" in res.output, res.output


@pytest.mark.parametrize("command", ["skim", "scenario run"])
def test_an_unknown_place_in_an_od_file_names_file_line_and_column(
    tmp_path: Path, command: str
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("origin,destination\nXi'an,Almaty\nAlmaty,Narnia\n")
    args = (
        ["skim", "--od", str(pairs)]
        if command == "skim"
        else ["scenario", "run", "baseline-2023", "--routes", str(pairs),
              "--store", str(tmp_path / "runs.duckdb")]
    )  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "Traceback" not in res.output
    flat = " ".join(res.output.split())
    assert "pairs.csv, line 3, destination: Unknown place 'Narnia'" in flat, res.output
