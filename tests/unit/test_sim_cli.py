"""landbridge simulate: JSON contract, byte-identical reruns, bounds, scenarios, event log."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from landbridge.cli import app

runner = CliRunner()
SMALL = ["simulate", "--days", "40", "-n", "3", "--seed", "7", "--workers", "1"]


def _json(args: list[str]) -> tuple[str, dict]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return result.stdout, json.loads(result.stdout)


def test_json_contract_and_same_seed_same_bytes() -> None:
    first, report = _json(SMALL)
    again, _ = _json([*SMALL[:-2], "--workers", "2"])
    assert first == again
    assert set(report) >= {"corridors", "facilities", "run"}
    assert report["run"] == {
        "seed": 7, "replications": 3, "days": 40, "engine": "numba",
        "events": report["run"]["events"], "system": "corridor-2023/network",
    }  # fmt: skip
    assert report["run"]["events"] > 0
    corridors = {c["corridor"]: c for c in report["corridors"]}
    assert set(corridors) == {"northern", "china-kazakhstan", "middle", "southern"}
    north = corridors["northern"]
    t = north["transit_days"]
    assert north["shipments"] > 0 and 0 < t["p50"] <= t["p90"] <= t["p99"]
    lo, hi = north["ci95"]["mean"]
    assert lo <= t["mean"] <= hi
    for f in report["facilities"]:
        assert {"name", "kind", "utilization", "mean_wait_h", "p90_wait_h", "max_queue"} <= set(f)
        assert 0 <= f["utilization"] <= 1 and f["mean_wait_h"] >= 0
    other, _ = _json(["simulate", "--days", "40", "-n", "3", "--seed", "8", "--workers", "1"])
    assert other != first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replications", "10001"], "replications"),
        (["--days", "3651"], "days"),
        (["--days", "0"], "days"),
        (["--engine", "quantum"], "engine"),
        (["--scenario", "no-such-scenario"], "no-such-scenario"),
        (["--demand", "od-1999"], "1999"),
        (["--demand", "flows"], "network"),
    ],
)
def test_absurd_or_bad_requests_get_a_one_line_error(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["simulate", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_scenario_event_log_and_daily_series(tmp_path) -> None:
    path, daily = tmp_path / "events.parquet", tmp_path / "daily.csv"
    _, report = _json(
        ["simulate", "--days", "20", "-n", "1", "--scenario", "khorgos-closed-one-week",
         "--events", str(path), "--timeseries", str(daily)]
    )  # fmt: skip
    assert report["run"]["system"] == "corridor-2023/network+khorgos-closed-one-week"
    table = pq.read_table(path)
    assert table.num_rows == report["run"]["events"]
    assert set(table.column("event").to_pylist()) >= {"depart", "arrive", "start", "end"}
    series = pd.read_csv(daily)
    assert list(series.columns) == [
        "day", "facility", "mean_queue", "utilization", "mean_wait_h", "arrivals_per_replication"
    ]  # fmt: skip
    assert len(series) == 20 * len(report["facilities"])
    assert series["utilization"].between(0, 1).all()


def test_table_output_names_the_bottleneck() -> None:
    result = runner.invoke(app, ["simulate", "--days", "60", "-n", "1"])
    assert result.exit_code == 0, result.output
    assert "Transit days" in result.output and "northern" in result.output
    assert "Khorgos" in result.output


def test_demand_from_the_flows_od_table() -> None:
    _, report = _json(["simulate", "--days", "30", "-n", "1", "--demand", "od-2024"])
    assert report["run"]["system"] == "corridor-2023/od-2024"
    _, base = _json(["simulate", "--days", "30", "-n", "1", "--demand", "trains"])
    shipments = {c["corridor"]: c["shipments"] for c in report["corridors"]}
    base_shipments = {c["corridor"]: c["shipments"] for c in base["corridors"]}
    # 2024 China–Europe container demand is about twice the 2023 train count.
    assert shipments["northern"] > 1.5 * base_shipments["northern"]
