"""The ``scenario`` and ``runs`` commands, with the toy engines standing in for the real layers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_scenario_runner import ENGINES
from typer.testing import CliRunner

from landbridge.app import base, engines
from landbridge.cli import app
from landbridge.outputs import is_complete_folder

runner = CliRunner()


@pytest.fixture()
def toy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    monkeypatch.setattr(engines, "real_engines", lambda: ENGINES)
    monkeypatch.setattr(base, "load_base", ENGINES.base)
    od = tmp_path / "od.csv"
    od.write_text("origin,destination\nUrumqi,Almaty\nUrumqi,Kurgan\n")
    return {"od": str(od), "store": str(tmp_path / "runs.duckdb"), "dir": str(tmp_path)}


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "300"})
    return result.exit_code, result.stdout, result.stderr


def test_scenario_list_names_the_bundled_scenarios() -> None:
    code, out, _ = invoke("scenario", "list", "--json")
    assert code == 0
    names = [s["name"] for s in json.loads(out)]
    assert "khorgos-closed-one-week" in names and "bakhty-ayagoz-line" in names
    code, out, _ = invoke("scenario", "list")
    assert code == 0 and "dostyk-moyinty-second-track" in out


def test_run_then_list_show_export(toy: dict[str, str]) -> None:
    code, out, err = invoke(
        "scenario", "run", "khorgos-closed-one-week", "--routes", toy["od"], "--flows",
        "--store", toy["store"], "--json",
    )  # fmt: skip
    assert code == 0, err
    run = json.loads(out)
    assert run["scenario"] == "khorgos-closed-one-week"
    labels = {r["label"] for r in run["results"]["route_options"]}
    # departure 2023-07-05 falls inside the closure: Khorgos is not used
    assert labels == {"via alashankou-dostyk"}
    code, out, _ = invoke("runs", "list", "--store", toy["store"], "--json")
    assert [r["run_id"] for r in json.loads(out)] == [run["run_id"]]
    code, out, _ = invoke("runs", "show", run["run_id"], "--store", toy["store"], "--json")
    shown = json.loads(out)
    assert shown["row_counts"]["route_options"] == 2 and shown["row_counts"]["flows"] == 5
    code, out, _ = invoke(
        "runs",
        "export",
        run["run_id"],
        "--format",
        "csv",
        "--out",
        str(Path(toy["dir"]) / "k" / ".." / "x"),
        "--store",
        toy["store"],
    )
    assert code == 0
    # --out is the folder as given (issue 18): k/../x is x, with every table and a manifest
    written = Path(toy["dir"]) / "x"
    assert (written / "flows.csv").is_file() and is_complete_folder(written)
    assert not (Path(toy["dir"]) / "runs-exports").exists()


def test_compare_prints_tables_and_writes_a_report(toy: dict[str, str]) -> None:
    report = str(Path(toy["dir"]) / "report")
    code, out, err = invoke(
        "scenario", "compare", "baseline-2023", "khorgos-closed-one-week", "--routes", toy["od"],
        "--flows", "--report", report, "--store", toy["store"],
    )  # fmt: skip
    assert code == 0, err
    assert "via khorgos-altynkol" in out and "via alashankou-dostyk" in out
    assert (Path(report) / "index.html").is_file()
    code, out, _ = invoke(
        "scenario", "compare", "baseline-2023", "baseline-2023", "--routes", toy["od"],
        "--store", toy["store"], "--json",
    )  # fmt: skip
    same = json.loads(out)
    assert {r["status"] for r in same["routes"]} == {"same"}


def test_user_errors_are_one_line_with_exit_codes(toy: dict[str, str], tmp_path: Path) -> None:
    code, _, err = invoke("scenario", "run", "khorgos-closed-one-wek", "--store", toy["store"])
    assert code == 2
    assert "Did you mean: khorgos-closed-one-week" in err and "Traceback" not in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nbase: {year: 2023}\nmodifications:\n  - {type: set_dwell}\n")
    code, _, err = invoke("scenario", "run", str(bad), "--store", toy["store"])
    assert code == 2 and "modification 0 (set_dwell): field 'facility'" in err
    code, _, err = invoke("runs", "show", "nope", "--store", toy["store"])
    assert code == 2 and "is not a run id" in err
    code, _, err = invoke(
        "runs", "export", "20200101T000000Z-x-00000000", "--format", "csv", "--store", toy["store"]
    )
    assert code == 2 and "No run" in err
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database" * 100)
    code, _, err = invoke("runs", "list", "--store", str(garbage))
    assert code == 5 and "not a DuckDB file" in err


def test_check_validates_without_running(toy: dict[str, str], tmp_path: Path) -> None:
    code, out, err = invoke("scenario", "check", "khorgos-closed-one-week")
    assert code == 0, err
    assert "valid; 2 modifications apply" in out and "(26 -> 24 edges)" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nbase: {year: 2023}\nmodifications:\n"
                   "  - {type: avoid_country, country: XX}\n")  # fmt: skip
    code, _, err = invoke("scenario", "check", str(bad))
    assert code == 2 and "unknown country 'XX'" in err


def test_compare_stored_runs_without_recomputing(toy: dict[str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = []
    for name in ("baseline-2023", "khorgos-closed-one-week"):
        code, out, err = invoke(
            "scenario", "run", name, "--routes", toy["od"], "--store", toy["store"], "--json"
        )
        assert code == 0, err
        ids.append(json.loads(out)["run_id"])
    monkeypatch.setattr(engines, "real_engines", lambda: None)  # nothing may be recomputed
    code, out, err = invoke("scenario", "compare", *ids, "--store", toy["store"], "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["runs"] == {"a": ids[0], "b": ids[1]}
    best = {r["od"]: (r["best_a"], r["best_b"]) for r in result["best"]}
    assert best["Urumqi → Almaty"] == ("via khorgos-altynkol", "via alashankou-dostyk")
