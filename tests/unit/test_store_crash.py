"""Crash safety: writers SIGKILLed at random moments, concurrent writers, readers during writes.

Killed writers are forked from the test process (modules already loaded, so kills land inside
writes rather than imports) and report ``begin``/``committed`` around each ``write_run`` on a
pipe; after each kill the store must hold every run reported committed, at most the one in flight
besides, and every stored run whole (row counts equal to those written with it). Concurrent
writers are separate interpreters.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from landbridge.store.db import Store
from landbridge.store.run_record import RunRecord

SRC = str(Path(__file__).resolve().parents[2] / "src")
KILLS = 20
ROWS_PER_RUN = 20_000

WRITER = f"""
import sys
import pandas as pd
from landbridge.store.db import Store
from landbridge.store.run_record import RunRecord

store = Store(sys.argv[1], timeout_s=60)
name, runs = sys.argv[2], int(sys.argv[3])
n = {ROWS_PER_RUN}
frames = {{
    "sim_transit": pd.DataFrame({{"od": ["a"] * n, "replication": range(n),
                                  "transit_h": [float(i) for i in range(n)]}}),
    "sim_kpis": pd.DataFrame({{"kpi": ["p50", "p90"], "value": [1.0, 2.0], "unit": ["h", "h"]}}),
}}
print("ready", flush=True)
for i in range(runs):
    print("begin", i, flush=True)
    store.write_run(RunRecord(name, "h" * 64, "name: x", i), frames)
    print("committed", i, flush=True)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _start(store: Path, name: str, runs: int) -> subprocess.Popen[str]:
    # stderr goes to a file: reading two pipes at once would bypass the buffered stdout reader
    err = open(store.with_name(f"{name}.stderr"), "a")  # noqa: SIM115 (closed by the child's exit)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), name, str(runs)],
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    err.close()
    assert proc.stdout.readline().strip() == "ready", store.with_name(f"{name}.stderr").read_text()
    return proc


def _finish(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait()
    return out


def _assert_whole(store: Store) -> pd.DataFrame:
    assert store.check() == []
    # one connection for both reads: separate reads could straddle another writer's commit
    runs, counts = store.snapshot()
    assert set(runs["status"]) <= {"complete"}
    transit = counts.loc[counts["result_table"] == "sim_transit", "n_rows"]
    assert len(transit) == len(runs)
    assert set(transit) <= {0, ROWS_PER_RUN}
    return runs


def _forked_writer(path: Path) -> tuple[int, int]:
    """Fork a writer that already has every module loaded (a fresh interpreter takes seconds
    to import pandas and DuckDB on a busy machine); returns its pid and a pipe to read."""
    frames = {
        "sim_transit": pd.DataFrame(
            {
                "od": ["a"] * ROWS_PER_RUN,
                "replication": range(ROWS_PER_RUN),
                "transit_h": [float(i) for i in range(ROWS_PER_RUN)],
            }
        )
    }
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: write runs until killed
        os.close(read_fd)
        try:
            store = Store(path, timeout_s=60)
            for i in range(10_000):
                os.write(write_fd, b"begin\n")
                store.write_run(RunRecord("killed", "h" * 64, "name: x", i), frames)
                os.write(write_fd, b"committed\n")
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


def test_sigkilled_writers_leave_whole_runs_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = Store(path)
    rng = random.Random(20261128)
    committed_total = 0
    in_flight_kills = 0
    for _ in range(KILLS):
        pid, fd = _forked_writer(path)
        time.sleep(rng.uniform(0.05, 0.5))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        out = _read_all(fd)
        lines = out.split()
        committed = out.count("committed")
        began = out.count("begin")
        in_flight = began > committed
        in_flight_kills += in_flight
        before = committed_total
        runs = _assert_whole(store)
        # every run reported committed is there; the one in flight may or may not be
        assert before + committed <= len(runs) <= before + committed + int(in_flight), lines[-4:]
        committed_total = len(runs)
    # the store still takes new runs after all the kills
    Store(path).write_run(RunRecord("after", "h" * 64, "name: after", 0), {})
    assert len(_assert_whole(store)) == committed_total + 1
    assert in_flight_kills >= KILLS // 2, "kills should mostly land inside a write"


def test_concurrent_writers_and_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    runs_each = 4
    writers = [_start(path, f"writer-{k}", runs_each) for k in range(2)]
    store = Store(path, timeout_s=60)
    seen = []
    while any(w.poll() is None for w in writers):
        # readers never see a half-written run, whatever the timing
        if path.exists():
            seen.append(len(_assert_whole(store)))
        time.sleep(0.05)
    for k, w in enumerate(writers):
        out = _finish(w)
        assert w.returncode == 0, (tmp_path / f"writer-{k}.stderr").read_text()
        assert out.count("committed") == runs_each
    runs = _assert_whole(store)
    assert len(runs) == 2 * runs_each
    assert sorted(runs["scenario_name"].value_counts().tolist()) == [runs_each, runs_each]
    assert seen == sorted(seen)


RUN_KILLS = 10


def test_scenario_runs_killed_while_computing_or_storing(tmp_path: Path) -> None:
    """Whole scenario runs (apply, routes, flows, simulation, store) SIGKILLed at random."""
    from test_scenario_runner import ALL, CLOSED, ENGINES

    from landbridge.scenarios.runner import run_scenario

    path = tmp_path / "runs.duckdb"
    expected = {k: len(v) for k, v in run_scenario(CLOSED, ENGINES, ALL).results.items()}
    rng = random.Random(8)
    for _ in range(RUN_KILLS):
        pid = os.fork()
        if pid == 0:
            try:
                store = Store(path, timeout_s=60)
                while True:
                    run_scenario(CLOSED, ENGINES, ALL, store=store)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.05, 1.0))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        store = Store(path)
        if not path.exists():
            continue
        assert store.check() == []
        rows = store.row_counts()
        if rows.empty:  # killed before the first run committed
            continue
        counts = rows.pivot(index="run_id", columns="result_table", values="n_rows")
        for table, n in expected.items():
            assert set(counts[table]) <= {n}, table
    before = len(Store(path).list_runs())
    run_scenario(CLOSED, ENGINES, ALL, store=Store(path))
    assert len(Store(path).list_runs()) == before + 1


def test_migration_killed_half_way_leaves_the_old_layout(tmp_path: Path) -> None:
    import duckdb

    from landbridge.store.tables import SCHEMA_VERSION

    path = tmp_path / "runs.duckdb"
    run_id = Store(path).write_run(RunRecord("old", "h" * 64, "name: old", 0), {})
    con = duckdb.connect(str(path))
    con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'",
                [str(SCHEMA_VERSION - 1)])  # fmt: skip
    con.close()
    read_fd, write_fd = os.pipe()

    def slow_step(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE half_done AS SELECT range AS x FROM range(100000)")
        con.execute("DROP TABLE sim_kpis")
        os.write(write_fd, b"inside\n")
        time.sleep(60)

    pid = os.fork()
    if pid == 0:
        try:
            Store(path, migrations={SCHEMA_VERSION - 1: slow_step}).list_runs()
        finally:
            os._exit(0)
    os.close(write_fd)
    assert os.read(read_fd, 16) == b"inside\n"
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    assert Store(path, migrations={}).schema_version() == SCHEMA_VERSION - 1
    con = duckdb.connect(str(path), read_only=True)
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    con.close()
    assert "half_done" not in tables and "sim_kpis" in tables

    def step(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE done (x INTEGER)")

    migrated = Store(path, migrations={SCHEMA_VERSION - 1: step})
    assert migrated.list_runs()["run_id"].tolist() == [run_id]
    assert migrated.schema_version() == SCHEMA_VERSION
