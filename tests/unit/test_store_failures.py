"""Store errors told apart: busy, damaged, full disk, read-only, each with its own advice; a
damaged store is never retried as busy; ``check()`` reads every column."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from landbridge.errors import StoreError
from landbridge.store import db
from landbridge.store.db import Store
from landbridge.store.failures import BUSY, DAMAGED, FULL, READ_ONLY, failure_kind
from landbridge.store.run_record import RunRecord
from landbridge.store.tables import RESULT_TABLES

CHECKSUM = (
    "Corrupt database file: computed checksum 963205592575852830 does not match stored "
    "checksum 11634300543850760817 in block at location 2895872"
)


def record() -> RunRecord:
    return RunRecord("failures", "h", "name: failures", 1)


def transit(n: int) -> pd.DataFrame:
    data = {}
    for column, kind in RESULT_TABLES["sim_transit"].items():
        if kind == "DOUBLE":
            data[column] = np.linspace(0.0, 1.0, n)
        elif kind == "INTEGER":
            data[column] = np.arange(n)
        else:
            data[column] = [f"value-{i}" for i in range(n)]
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (duckdb.IOException(CHECKSUM), DAMAGED),
        (duckdb.IOException('Could not set lock on file "x": Conflicting lock is held'), BUSY),
        (duckdb.ConnectionException("Can't open ... with a different configuration"), BUSY),
        (duckdb.IOException('Could not write file "x": No space left on device'), FULL),
        (duckdb.IOException('Cannot open file "x": Read-only file system'), READ_ONLY),
        (OSError(errno.ENOSPC, "No space left on device"), FULL),
        (OSError(errno.EROFS, "Read-only file system"), READ_ONLY),
    ],
)
def test_failures_are_classified_by_whole_phrases(error: BaseException, kind: str) -> None:
    assert failure_kind(error) == kind


def test_a_checksum_error_is_damage_at_once_never_retried_as_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "runs.duckdb"
    Store(path).write_run(record(), {})
    calls = []

    def corrupt(*args, **kwargs):
        calls.append(1)
        raise duckdb.IOException(CHECKSUM)

    monkeypatch.setattr(db.duckdb, "connect", corrupt)
    started = time.monotonic()
    with pytest.raises(StoreError, match="damaged.*checksum.*move it aside"):
        Store(path, timeout_s=30).list_runs()
    assert len(calls) == 1 and time.monotonic() - started < 5


def test_a_full_disk_is_not_called_damage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "runs.duckdb"
    first = Store(path).write_run(record(), {"sim_transit": transit(10)})
    real_connect = duckdb.connect

    def connect(*args, **kwargs):
        return _FailingInserts(real_connect(*args, **kwargs))

    monkeypatch.setattr(db.duckdb, "connect", connect)
    with pytest.raises(StoreError) as info:
        Store(path).write_run(record(), {"sim_transit": transit(10)})
    message = str(info.value)
    assert "is full" in message and "intact" in message
    assert "damaged" not in message and "move it aside" not in message
    assert "no transaction is active" not in message
    monkeypatch.undo()
    assert list(Store(path).list_runs()["run_id"]) == [first]
    assert Store(path).check() == []


class _FailingInserts:
    """A connection whose result inserts fail as on a full disk; ROLLBACK fails too (as DuckDB's
    does after a failed write: "cannot rollback - no transaction is active")."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args):
        if sql.startswith("INSERT INTO sim_transit"):
            raise duckdb.IOException('Could not write file "runs.duckdb": No space left on device')
        if sql == "ROLLBACK":
            self._con.execute("ROLLBACK")
            raise duckdb.TransactionException("cannot rollback - no transaction is active")
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def test_a_read_only_store_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "runs.duckdb"
    Store(path).write_run(record(), {})

    def read_only_lock(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path) + ".lock")

    monkeypatch.setattr(db, "writer_lock", read_only_lock)
    with pytest.raises(StoreError, match="read-only.*can still be listed") as info:
        Store(path).write_run(record(), {})
    assert "damaged" not in str(info.value)


def test_a_file_that_is_not_duckdb_is_the_wrong_file_not_damage(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n" * 3)
    with pytest.raises(StoreError, match="is not a DuckDB file") as info:
        Store(passwd).list_runs()
    assert "move it aside" not in str(info.value) and "rename" not in str(info.value)


def test_check_reads_every_column(tmp_path: Path) -> None:
    """A store whose row counts agree but whose data blocks fail their checksum is reported."""
    path = tmp_path / "runs.duckdb"
    Store(path).write_run(record(), {"sim_transit": transit(200_000)})
    data = bytearray(path.read_bytes())
    data[900_000:900_064] = bytes(64)  # inside a data block of one column, past the counts
    path.write_bytes(bytes(data))
    problems = Store(path, timeout_s=1).check()
    assert any("cannot be read" in p and "checksum" in p for p in problems), problems
