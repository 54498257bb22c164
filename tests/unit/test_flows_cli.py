"""The ``landbridge flows`` command on the hand-made two-crossing network."""

from __future__ import annotations

import json

import pytest
from test_flows_corridor import _od, toy_network
from typer.testing import CliRunner

import landbridge.flows.demand as dem
import landbridge.network as network_pkg
from landbridge.cli import app
from landbridge.costs.params import load_params
from landbridge.flows.run import run_flows

runner = CliRunner()


@pytest.fixture()
def toy(monkeypatch):
    net = toy_network()
    od = _od([
        ("cn-urumqi", "kz-almaty", "CN", "KZ", "container", 10e6),
        ("cn-urumqi", "ca-tashkent", "CN", "CA", "container", 2e6),
    ])  # fmt: skip
    monkeypatch.setattr(network_pkg, "load_network", lambda *a, **k: net)
    monkeypatch.setattr(dem, "load_demand", lambda year: od)
    return net


def test_json_has_the_contract_keys(toy):
    out = runner.invoke(app, ["flows", "--year", "2024", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {"bottlenecks", "corridor_shares", "calibration"} <= set(data)
    first = data["bottlenecks"][0]
    assert {"name", "kind", "flow_teu", "flow_t", "capacity_t", "utilization", "delay_h"} <= set(
        first
    )
    assert first["name"] == "Khorgos–Altynkol"
    assert data["demand_t"] == pytest.approx(12e6)
    cal = {c["element"]: c for c in data["calibration"]}
    assert set(cal) == {
        "Dostyk–Alashankou", "Altynkol–Khorgos", "Middle Corridor (TITR)",
        "Chinese transit through Kazakhstan",
    }  # fmt: skip
    for c in cal.values():
        assert {"element", "year", "published", "modelled", "unit", "error_pct", "source"} <= set(c)
    assert cal["Chinese transit through Kazakhstan"]["modelled"] == pytest.approx(2e6)


def test_table_output_and_growth(toy):
    out = runner.invoke(app, ["flows", "--growth", "10"])
    assert out.exit_code == 0, out.output
    assert "Bottlenecks 2024, demand +10%: 13.2 Mt/yr" in out.stdout
    assert "China transit by gateway" in out.stdout
    assert "Calibration" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--growth", "-200"], "out of range"),
        (["--year", "2019"], "no demand for year 2019"),
        (["--route-choice", "probit"], "unknown route choice 'probit'"),
        (["--dispersion", "0"], "dispersion 0 must be a positive number"),
        (["--avoid-share", "2"], "avoid share 2 must lie in [0, 1]"),
    ],
)
def test_bad_options_exit_with_a_message(toy, args, message):
    out = runner.invoke(app, ["flows", *args])
    assert out.exit_code == 2
    assert message in out.output
    assert "Traceback" not in out.output


def test_rebuild_demand_writes_the_tables(monkeypatch, tmp_path):
    written = []

    def fake(tonnes_per_teu):
        written.append(tonnes_per_teu)
        return [tmp_path / "od_2023.csv", tmp_path / "od_2024.csv"]

    monkeypatch.setattr(dem, "write_demand_tables", fake)
    out = runner.invoke(app, ["flows", "--rebuild-demand"])
    assert out.exit_code == 0, out.output
    assert written == [10.0]
    assert "od_2024.csv" in out.stdout


def test_scenario_closing_khorgos_sends_everything_through_dostyk(toy, tmp_path):
    spec = tmp_path / "no-khorgos.yaml"
    spec.write_text(
        "name: no-khorgos\n"
        "base: {year: 2024, demand: default, params: default}\n"
        "modifications:\n"
        "  - {type: close_crossing, facility: khorgos-altynkol, reason: test}\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["flows", "--scenario", str(spec), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    by_id = {b["facility_id"]: b for b in data["bottlenecks"]}
    assert "khorgos-altynkol" not in by_id
    assert by_id["alashankou-dostyk"]["flow_t"] == pytest.approx(12e6)


def test_scenario_params_are_the_parameters_of_the_flows(toy, tmp_path):
    """``base.params`` of a scenario applies to ``flows --scenario`` as it does to a run."""
    params = tmp_path / "half-teu.yaml"
    params.write_text("scalars:\n  tonnes_per_teu: 5\n", encoding="utf-8")
    flows = {}
    for name, base_params in (("default-params", "default"), ("own-params", str(params))):
        spec = tmp_path / f"{name}.yaml"
        spec.write_text(
            f"name: {name}\nbase: {{year: 2024, demand: default, params: '{base_params}'}}\n",
            encoding="utf-8",
        )
        out = runner.invoke(app, ["flows", "--scenario", str(spec), "--json"])
        assert out.exit_code == 0, out.output
        flows[name] = json.loads(out.stdout)["bottlenecks"]
    # per-TEU prices change with the tonnes per TEU, and so do the route choices
    assert flows["own-params"] != flows["default-params"]
    own_params, demand = load_params(params), dem.load_demand(2024)
    expected = run_flows(2024, network=toy, params=own_params, demand=demand)
    assert flows["own-params"] == [b.model_dump(mode="json") for b in expected.bottlenecks]


def test_bad_scenario_file_is_a_clear_error(toy, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "name: bad\nbase: {year: 2024}\nmodifications:\n"
        "  - {type: close_crossing, facility: nowhere-crossing}\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["flows", "--scenario", str(spec)])
    assert out.exit_code == 2
    assert "nowhere-crossing" in out.output
    assert "Traceback" not in out.output


def test_route_choice_options_and_the_hard_capacity_line(toy):
    out = runner.invoke(app, ["flows", "--route-choice", "ue", "--max-throughput"])
    assert out.exit_code == 0, out.output
    assert "BFW" in out.stdout
    assert "Hard capacities: the 4 corridor options carry 12.00 of 12.00 Mt/yr" in out.stdout
    assert "binding: none; uncapacitated: none." in out.stdout
    out = runner.invoke(app, ["flows", "--dispersion", "3", "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)["assignment"]
    assert summary["algorithm"] == "logit-sue" and summary["dispersion"] == 3.0
