"""The results store: round trips, versions and migration, damaged files (exports:
test_store_export.py)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from landbridge.errors import InvalidInputError, RunNotFoundError, StoreError
from landbridge.store.db import Store
from landbridge.store.run_record import RunRecord, check_run_id, new_run_id
from landbridge.store.tables import SCHEMA_VERSION


def record(name: str = "baseline-2023", seed: int = 7) -> RunRecord:
    return RunRecord(
        scenario_name=name,
        scenario_hash="a" * 64,
        scenario_yaml=f"name: {name}\n",
        seed=seed,
        parameters={"routes": "standard", "flows": True},
        timings_s={"routes": 0.25},
    )


def results(n: int = 3) -> dict[str, pd.DataFrame]:
    return {
        "route_options": pd.DataFrame(
            {
                "od": ["Xi'an→Duisburg"] * 2,
                "origin": ["Xi'an"] * 2,
                "destination": ["Duisburg"] * 2,
                "option_rank": [1, 2],
                "corridor": ["northern", "middle"],
                "label": ["Northern via Dostyk", "Middle via Aktau"],
                "transit_p50_h": [300.0, 400.0],
                "transit_p90_h": [360.0, 520.0],
                "cost_usd_per_feu": [7000.0, 9000.0],
                "co2e_kg_per_feu": [2500.0, 2100.0],
                "length_km": [9900.0, 8700.0],
                "facility_ids": ["alashankou-dostyk", "khorgos-altynkol;aktau-baku"],
                "geometry_geojson": [
                    json.dumps({"type": "LineString", "coordinates": [[108.9, 34.3], [6.8, 51.4]]}),
                    None,
                ],
            }
        ),
        "sim_transit": pd.DataFrame(
            {"od": ["a"] * n, "replication": range(n), "transit_h": [float(i) for i in range(n)]}
        ),
    }


def test_write_read_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.duckdb")
    assert store.list_runs().empty
    run_id = store.write_run(record(), results())
    runs = store.list_runs()
    assert runs["run_id"].tolist() == [run_id]
    meta = store.get_run(run_id)
    assert meta["scenario_name"] == "baseline-2023"
    assert meta["seed"] == 7 and type(meta["seed"]) is int
    json.dumps({k: v for k, v in meta.items() if k != "created_utc"})
    assert meta["parameters"] == {"routes": "standard", "flows": True}
    assert meta["timings_s"] == {"routes": 0.25}
    assert meta["package_version"]
    assert meta["row_counts"] == {"route_options": 2, "flows": 0, "sim_kpis": 0, "sim_transit": 3}
    routes = store.read_results(run_id, "route_options")
    assert routes["corridor"].tolist() == ["northern", "middle"]
    assert routes["transit_p90_h"].tolist() == [360.0, 520.0]
    assert routes["geometry_geojson"].isna().tolist() == [False, True]
    assert store.check() == []
    assert store.schema_version() == SCHEMA_VERSION


def test_runs_are_listed_newest_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.duckdb")
    first = store.write_run(record("a"), {})
    second = store.write_run(record("b"), {})
    assert store.list_runs()["run_id"].tolist() == [second, first]


def test_missing_run_and_bad_ids(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.duckdb")
    store.write_run(record(), {})
    with pytest.raises(RunNotFoundError, match="No run '20200101T000000Z-x-00000000'"):
        store.get_run("20200101T000000Z-x-00000000")
    with pytest.raises(InvalidInputError, match="is not a run id"):
        store.get_run("../../etc/passwd")
    assert check_run_id(new_run_id("Khorgos closed/one week!")).count("/") == 0


def test_bad_result_frames_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.duckdb")
    with pytest.raises(StoreError, match="lacks columns"):
        store.write_run(record(), {"sim_kpis": pd.DataFrame({"kpi": ["x"]})})
    with pytest.raises(StoreError, match="unknown result tables"):
        store.write_run(record(), {"secrets": pd.DataFrame()})
    bad = {"sim_kpis": pd.DataFrame({"kpi": ["x"], "value": ["not a number"], "unit": ["h"]})}
    with pytest.raises(ValueError):
        store.write_run(record(), bad)
    assert store.list_runs().empty


def test_failed_insert_rolls_back_the_whole_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "runs.duckdb")
    run_id = store.write_run(record(), results())
    # the same run id again violates the primary key after the result rows were staged
    with pytest.raises(StoreError):
        store.write_run(RunRecord(**{**record().__dict__, "run_id": run_id}), results(5))
    assert store.list_runs()["run_id"].tolist() == [run_id]
    assert len(store.read_results(run_id, "sim_transit")) == 3
    assert store.check() == []


# --- versions and migration ------------------------------------------------------------------


def _set_version(path: Path, version: str) -> None:
    con = duckdb.connect(str(path))
    con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [version])
    con.close()


def test_newer_layout_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = Store(path)
    run_id = store.write_run(record(), results())
    _set_version(path, str(SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="written by a newer landbridge"):
        store.list_runs()
    with pytest.raises(StoreError, match="written by a newer landbridge"):
        store.write_run(record(), {})
    _set_version(path, str(SCHEMA_VERSION))
    assert store.list_runs()["run_id"].tolist() == [run_id]


def test_older_layout_without_migration_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    run_id = Store(path).write_run(record(), results())
    _set_version(path, str(SCHEMA_VERSION - 1))
    store = Store(path, migrations={})
    with pytest.raises(StoreError, match=f"cannot migrate to v{SCHEMA_VERSION}"):
        store.list_runs()
    with pytest.raises(StoreError, match="left untouched"):
        store.write_run(record(), {})
    assert store.schema_version() == SCHEMA_VERSION - 1
    _set_version(path, str(SCHEMA_VERSION))
    assert Store(path).list_runs()["run_id"].tolist() == [run_id]


def test_older_layout_is_migrated_once_in_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    run_id = Store(path).write_run(record(), results())
    _set_version(path, str(SCHEMA_VERSION - 1))
    calls = []

    def step(con: duckdb.DuckDBPyConnection) -> None:
        calls.append(1)
        con.execute("CREATE TABLE migration_marker (x INTEGER)")

    store = Store(path, migrations={SCHEMA_VERSION - 1: step})
    assert store.list_runs()["run_id"].tolist() == [run_id]
    assert store.schema_version() == SCHEMA_VERSION
    store.write_run(record("b"), {})
    assert calls == [1]
    assert len(store.list_runs()) == 2


def test_failing_migration_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    run_id = Store(path).write_run(record(), results())
    _set_version(path, str(SCHEMA_VERSION - 1))

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("DROP TABLE sim_transit")
        raise RuntimeError("step failed half-way")

    with pytest.raises(RuntimeError):
        Store(path, migrations={SCHEMA_VERSION - 1: broken}).write_run(record(), {})
    assert Store(path).schema_version() == SCHEMA_VERSION - 1
    _set_version(path, str(SCHEMA_VERSION))
    assert len(Store(path).read_results(run_id, "sim_transit")) == 3


def test_foreign_duckdb_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE accounts (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a landbridge results store"):
        Store(path).write_run(record(), {})


# --- damaged files -----------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "half"])
def test_damaged_store_is_reported_and_left_untouched(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "runs.duckdb"
    Store(path).write_run(record(), results(2000))
    data = path.read_bytes()
    damaged = {
        "garbage": b"landbridge? no." * 1000,
        "truncated": data[:3000],
        "empty": b"",
        "half": data[: len(data) // 2],
    }[damage]
    path.write_bytes(damaged)
    store = Store(path, timeout_s=1)
    # a file without DuckDB's header is the wrong file, not a damaged store: no "move it aside"
    expected = "is not a DuckDB file" if damage == "garbage" else "damaged or is not a landbridge"
    for action in (store.list_runs, lambda: store.write_run(record(), {}), store.check):
        with pytest.raises(StoreError, match=expected) as info:
            action()
        assert ("move it aside" in str(info.value)) == (damage != "garbage")
    assert path.read_bytes() == damaged


def test_reader_waits_for_a_writer_connection_of_the_same_process(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "runs.duckdb"
    run_id = Store(path).write_run(record(), {})
    holder = duckdb.connect(str(path))  # read-write, as a writer in another thread would
    seen: list[object] = []
    reader = threading.Thread(target=lambda: seen.append(Store(path, timeout_s=30).list_runs()))
    reader.start()
    reader.join(timeout=0.5)
    assert reader.is_alive(), "the reader must wait, not fail"
    holder.close()
    reader.join(timeout=30)
    assert seen[0]["run_id"].tolist() == [run_id]  # type: ignore[index]
    holder = duckdb.connect(str(path))
    with pytest.raises(StoreError, match="is busy"):
        Store(path, timeout_s=0.3).list_runs()
    holder.close()


def test_unusable_paths_are_clear_errors(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a folder"):
        Store(folder).list_runs()
    with pytest.raises(StoreError, match="is a folder"):
        Store(folder).write_run(record(), {})
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Cannot write the results store"):
        Store(blocker / "sub" / "runs.duckdb").write_run(record(), {})
