"""The results store: one DuckDB file (core only: no extensions are installed or loaded).

- A run is written in ONE transaction (metadata, row counts and every result table), so a process
  killed mid-write leaves the whole run or nothing; DuckDB's write-ahead log drops the
  uncommitted part when the file is next opened.
- Writers queue on a lock file next to the store, then hold the DuckDB file read-write only for
  the short write (results are computed before the store is opened).
- Readers open the file read-only. DuckDB refuses a read-only open while another process holds it
  read-write, so readers retry with back-off until ``timeout_s``; they never see a half run.
- The layout version lives in ``store_meta``; older layouts are migrated in one transaction,
  newer or unknown ones refused. A damaged or truncated file is reported, never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from landbridge import __version__
from landbridge.errors import RunNotFoundError, StoreError
from landbridge.paths import user_data_dir
from landbridge.store.failures import (
    BUSY,
    FULL,
    READ_ONLY,
    failure_kind,
    first_line,
    is_busy,
)
from landbridge.store.lock import backoff, writer_lock
from landbridge.store.run_record import RUN_STATUSES, RunRecord, check_run_id, new_run_id
from landbridge.store.tables import (
    MIGRATIONS,
    RESULT_TABLES,
    RUN_COLUMNS,
    SCHEMA_VERSION,
    Migration,
    conform,
    create_statements,
)

STORE_FILE = "runs.duckdb"
DEFAULT_TIMEOUT_S = 30.0
"""How long a reader or writer waits for another process's write before giving up."""

T = TypeVar("T")


def default_store_path() -> Path:
    return user_data_dir() / STORE_FILE


class Store:
    """A results store file. Cheap to create: connections are opened per operation."""

    def __init__(
        self,
        path: Path | str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        migrations: Mapping[int, Migration] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.timeout_s = timeout_s
        self.migrations = dict(MIGRATIONS if migrations is None else migrations)

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @property
    def exports_dir(self) -> Path:
        """The only folder exports are written to."""
        return self.path.with_name(self.path.stem + "-exports")

    # --- connections -----------------------------------------------------------------------

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.timeout_s
        attempt = 0
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config)
            except duckdb.Error as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise self._open_error(exc) from None
                time.sleep(backoff(attempt))
                attempt += 1

    def _open_error(self, exc: duckdb.Error) -> StoreError:
        if is_busy(exc):
            return StoreError(
                f"The results store {self.path} is busy (another process has held it for more "
                f"than {self.timeout_s:.0f} s). Try again when it finishes."
            )
        return self._failure(exc)

    def _failure(self, exc: duckdb.Error | OSError) -> StoreError:
        """The error a failed store operation shows: full disk, read-only place, or damage
        (each with its own advice; only a damaged file is worth moving aside)."""
        kind = failure_kind(exc)
        reason = first_line(exc)
        if kind == FULL:
            return StoreError(
                f"The disk holding the results store {self.path} is full ({reason}). The runs "
                "already stored are intact and nothing partial was kept; free some space and "
                "run again, or pass a store on another disk with --store."
            )
        if kind == READ_ONLY:
            return StoreError(
                f"The results store {self.path} cannot be written ({reason}): the file or its "
                "folder is read-only. The runs stored in it can still be listed and exported "
                "elsewhere; to store new runs pass a writable file with --store."
            )
        if kind == BUSY:
            return self._open_error(exc) if isinstance(exc, duckdb.Error) else self._damaged(reason)
        return self._damaged(reason)

    def _damaged(self, reason: str) -> StoreError:
        return StoreError(
            f"The results store {self.path} is damaged or is not a landbridge store ({reason}). "
            f"It was left untouched: move it aside (e.g. rename it to {self.path.name}.bad) and "
            "the next run creates a new store, or pass another file with --store."
        )

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._connect(read_only=True)
        try:
            self._check_version(con, writable=False)
            yield con
        except duckdb.Error as exc:
            raise self._failure(exc) from None
        finally:
            con.close()

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self._check_path()
        with ExitStack() as stack:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                stack.enter_context(writer_lock(self.lock_path, self.timeout_s))
            except OSError as exc:
                if failure_kind(exc) in (FULL, READ_ONLY):
                    raise self._failure(exc) from None
                raise StoreError(
                    f"Cannot write the results store {self.path}: {exc.strerror} "
                    f"({exc.filename}). Pass a writable file with --store."
                ) from None
            con = self._connect(read_only=False)
            try:
                self._prepare(con)
                yield con
            except duckdb.Error as exc:
                raise self._failure(exc) from None
            finally:
                con.close()

    def _check_path(self) -> None:
        try:
            mode = self.path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):  # absent: the writer reports it
            return
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte
            reason = getattr(exc, "strerror", None) or str(exc)
            raise StoreError(
                f"Cannot use {str(self.path)[:200]!r} as the results store: {reason}"
            ) from None
        if stat.S_ISDIR(mode):
            raise StoreError(f"{self.path} is a folder; --store takes a file, e.g. runs.duckdb")
        if not stat.S_ISREG(mode):
            raise StoreError(
                f"{self.path} is not a regular file (a pipe or device?); --store takes a file"
            )
        if self.path.exists() and not os.access(self.path, os.R_OK):
            raise StoreError(f"Cannot read the results store {self.path}: permission denied")
        self._check_magic()

    def _check_magic(self) -> None:
        """Refuse a file that is not a DuckDB database at all (``--store /etc/passwd``): it is
        not damaged, it is the wrong file, and must not be moved aside on our advice."""
        try:
            with self.path.open("rb") as fh:
                head = fh.read(_MAGIC_END)
        except OSError:
            return  # the open below reports it
        if len(head) >= _MAGIC_END and head[_MAGIC_START:_MAGIC_END] != DUCKDB_MAGIC:
            raise StoreError(
                f"{self.path} is not a DuckDB file, so not a landbridge results store; "
                "--store takes a results store file (e.g. runs.duckdb, created on the first run)"
            )

    def _read(self, query: Callable[[duckdb.DuckDBPyConnection], T], empty: T) -> T:
        self._check_path()
        if not self.path.exists():
            return empty
        for _ in range(2):
            with self._reading() as con:
                version = self._version(con)
                if version is None or version == SCHEMA_VERSION:
                    return query(con) if _has_table(con, "runs") else empty
            # an older layout: migrate it (or be refused) under the writer lock, then read
            with self._writing():
                pass
        raise self._damaged("the layout version did not settle after migration")

    # --- layout and version --------------------------------------------------------------------

    def _version(self, con: duckdb.DuckDBPyConnection) -> int | None:
        if not _has_table(con, "store_meta"):
            return None
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            raise self._damaged("store_meta has no schema_version")
        try:
            return int(row[0])
        except ValueError:
            raise self._damaged(f"schema_version '{row[0]}' is not a number") from None

    def _check_version(self, con: duckdb.DuckDBPyConnection, writable: bool) -> None:
        version = self._version(con)
        if version is None:
            if _table_names(con):
                raise StoreError(
                    f"{self.path} is a DuckDB file but not a landbridge results store (it has "
                    "other tables). Pass another file with --store."
                )
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The results store {self.path} was written by a newer landbridge (layout "
                f"v{version}; this version {__version__} knows up to v{SCHEMA_VERSION}). "
                "Upgrade landbridge, or use another store with --store."
            )
        if version < SCHEMA_VERSION and not writable:
            return
        if version < SCHEMA_VERSION:
            missing = [v for v in range(version, SCHEMA_VERSION) if v not in self.migrations]
            if missing:
                raise StoreError(
                    f"The results store {self.path} has layout v{version}, which this version "
                    f"cannot migrate to v{SCHEMA_VERSION} (no step from v{missing[0]}). It was "
                    "left untouched; export its runs with the landbridge that wrote it, or use "
                    "another store with --store."
                )

    def _prepare(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the layout in a new store, or migrate an old one (one transaction)."""
        self._check_version(con, writable=True)
        version = self._version(con)
        if version == SCHEMA_VERSION:
            return
        con.execute("BEGIN TRANSACTION")
        try:
            if version is None:
                for statement in create_statements():
                    con.execute(statement)
                con.execute(
                    "INSERT INTO store_meta VALUES ('schema_version', ?), ('created_by', ?)",
                    [str(SCHEMA_VERSION), f"landbridge {__version__}"],
                )
            else:
                for step in range(version, SCHEMA_VERSION):
                    self.migrations[step](con)
                con.execute(
                    "UPDATE store_meta SET value = ? WHERE key = 'schema_version'",
                    [str(SCHEMA_VERSION)],
                )
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    def schema_version(self) -> int | None:
        """The layout version of the file (None for a missing or empty store)."""
        if not self.path.exists():
            return None
        con = self._connect(read_only=True)
        try:
            return self._version(con)
        except duckdb.Error as exc:
            raise self._failure(exc) from None
        finally:
            con.close()

    # --- writing ---------------------------------------------------------------------------

    def write_run(self, record: RunRecord, results: Mapping[str, pd.DataFrame]) -> str:
        """Store a run and its result tables atomically; returns the run id."""
        if record.status not in RUN_STATUSES:
            raise StoreError(f"run status '{record.status}' is not one of {RUN_STATUSES}")
        unknown = sorted(set(results) - set(RESULT_TABLES))
        if unknown:
            raise StoreError(f"unknown result tables {unknown}; known: {sorted(RESULT_TABLES)}")
        run_id = check_run_id(record.run_id or new_run_id(record.scenario_name))
        created = record.created_utc or dt.datetime.now(dt.UTC)
        frames = {name: conform(name, frame) for name, frame in results.items()}
        row = {
            "run_id": run_id,
            "created_utc": created.astimezone(dt.UTC).replace(tzinfo=None),
            "scenario_name": record.scenario_name,
            "scenario_hash": record.scenario_hash,
            "scenario_yaml": record.scenario_yaml,
            "package_version": record.package_version,
            "seed": int(record.seed),
            "parameters_json": json.dumps(record.parameters, sort_keys=True, default=str),
            "timings_json": json.dumps(record.timings_s, sort_keys=True),
            "status": record.status,
            "message": record.message,
        }
        with self._writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                placeholders = ", ".join("?" for _ in RUN_COLUMNS)
                con.execute(f"INSERT INTO runs VALUES ({placeholders})", list(row.values()))
                for name in RESULT_TABLES:
                    frame = frames.get(name)
                    n_rows = 0 if frame is None else len(frame)
                    con.execute("INSERT INTO run_counts VALUES (?, ?, ?)", [run_id, name, n_rows])
                    if n_rows:
                        assert frame is not None
                        staged = frame.assign(run_id=run_id)[["run_id", *RESULT_TABLES[name]]]
                        con.register("staged_results", staged)
                        con.execute(f"INSERT INTO {name} SELECT * FROM staged_results")
                        con.unregister("staged_results")
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise
        return run_id

    # --- reading ---------------------------------------------------------------------------

    def list_runs(self) -> pd.DataFrame:
        """Runs, newest first (metadata columns; no scenario text)."""
        columns = [c for c in RUN_COLUMNS if c not in ("scenario_yaml", "parameters_json")]
        empty = pd.DataFrame(columns=columns)
        return self._read(
            lambda con: con.execute(
                f"SELECT {', '.join(columns)} FROM runs ORDER BY created_utc DESC, run_id DESC"
            ).df(),
            empty,
        )

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run's metadata (``parameters`` and ``timings_s`` decoded) and row counts."""
        check_run_id(run_id)

        def query(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
            frame = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).df()
            if frame.empty:
                return None
            out = {
                str(k): (v.item() if hasattr(v, "item") else v) for k, v in frame.iloc[0].items()
            }
            out["parameters"] = json.loads(out.pop("parameters_json"))
            out["timings_s"] = json.loads(out.pop("timings_json"))
            counts = con.execute(
                "SELECT result_table, n_rows FROM run_counts WHERE run_id = ?", [run_id]
            ).fetchall()
            out["row_counts"] = {name: int(n) for name, n in counts}
            return out

        found = self._read(query, None)
        if found is None:
            raise RunNotFoundError(f"No run '{run_id}' in {self.path}; see `landbridge runs list`.")
        return found

    def read_results(self, run_id: str, table: str) -> pd.DataFrame:
        """One result table of a run (without the run_id column)."""
        check_run_id(run_id)
        if table not in RESULT_TABLES:
            raise StoreError(f"unknown result table '{table}'; known: {sorted(RESULT_TABLES)}")
        self.get_run(run_id)
        cols = ", ".join(RESULT_TABLES[table])
        return self._read(
            lambda con: con.execute(
                f"SELECT {cols} FROM {table} WHERE run_id = ? ORDER BY ALL", [run_id]
            ).df(),
            pd.DataFrame(columns=list(RESULT_TABLES[table])),
        )

    def snapshot(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``list_runs()`` and ``row_counts()`` read through one connection, so both describe the
        same committed state even while other processes write."""
        columns = [c for c in RUN_COLUMNS if c not in ("scenario_yaml", "parameters_json")]
        counts = pd.DataFrame(columns=["run_id", "result_table", "n_rows"])
        empty = (pd.DataFrame(columns=columns), counts)

        def query(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
            runs = con.execute(
                f"SELECT {', '.join(columns)} FROM runs ORDER BY created_utc DESC, run_id DESC"
            ).df()
            counts = con.execute(
                "SELECT run_id, result_table, n_rows FROM run_counts ORDER BY run_id, result_table"
            ).df()
            return runs, counts

        return self._read(query, empty)

    def row_counts(self) -> pd.DataFrame:
        """Rows per run and result table, as written with each run."""
        return self._read(
            lambda con: con.execute(
                "SELECT run_id, result_table, n_rows FROM run_counts ORDER BY run_id, result_table"
            ).df(),
            pd.DataFrame(columns=["run_id", "result_table", "n_rows"]),
        )

    def check(self) -> list[str]:
        """Problems found by reading every table in full: row counts that disagree with the
        counts written with each run, result rows of unknown runs. Empty when consistent."""

        def query(con: duckdb.DuckDBPyConnection) -> list[str]:
            problems = []
            for table in RESULT_TABLES:
                problems += _unreadable_columns(con, table)
                rows = con.execute(
                    f"SELECT c.run_id, c.n_rows, count(t.run_id) FROM run_counts c "
                    f"LEFT JOIN {table} t ON t.run_id = c.run_id "
                    f"WHERE c.result_table = ? GROUP BY c.run_id, c.n_rows "
                    f"HAVING count(t.run_id) <> c.n_rows",
                    [table],
                ).fetchall()
                problems += [f"{table}: run {r} has {n} rows, expected {e}" for r, e, n in rows]
                orphans = con.execute(
                    f"SELECT count(*) FROM {table} WHERE run_id NOT IN (SELECT run_id FROM runs)"
                ).fetchone()
                if orphans and orphans[0]:
                    problems.append(f"{table}: {orphans[0]} rows of runs that do not exist")
            missing = con.execute(
                "SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM run_counts c "
                "WHERE c.run_id = r.run_id) <> ?",
                [len(RESULT_TABLES)],
            ).fetchone()
            if missing and missing[0]:
                problems.append(f"{missing[0]} runs without their row counts")
            return problems

        return self._read(query, [])


DUCKDB_MAGIC = b"DUCK"
_MAGIC_START, _MAGIC_END = 8, 12


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back without hiding the error that caused it (a full disk can leave no transaction
    to roll back: "cannot rollback - no transaction is active")."""
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _unreadable_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Read every value of every column of ``table`` (a checksum error in any block shows)."""
    problems = []
    for column in ("run_id", *RESULT_TABLES[table]):
        try:
            con.execute(f'SELECT sum(hash("{column}")) FROM {table}').fetchone()
        except duckdb.Error as exc:
            problems.append(f"{table}.{column}: cannot be read ({first_line(exc)})")
    return problems


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return name in _table_names(con)


def _table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
