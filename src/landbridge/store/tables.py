"""The store's tables: run metadata and one table per kind of result, with their columns.

``SCHEMA_VERSION`` counts layout changes. A store written by an older version is upgraded by the
functions in ``MIGRATIONS`` (``from_version -> step``), inside one transaction; a store with no
path to the current version, or from a newer landbridge, is refused.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from landbridge.errors import StoreError

SCHEMA_VERSION = 1

RUN_COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR PRIMARY KEY",
    "created_utc": "TIMESTAMP NOT NULL",
    "scenario_name": "VARCHAR NOT NULL",
    "scenario_hash": "VARCHAR NOT NULL",
    "scenario_yaml": "VARCHAR NOT NULL",
    "package_version": "VARCHAR NOT NULL",
    "seed": "BIGINT NOT NULL",
    "parameters_json": "VARCHAR NOT NULL",
    "timings_json": "VARCHAR NOT NULL",
    "status": "VARCHAR NOT NULL",
    "message": "VARCHAR NOT NULL",
}

# Result tables: column -> DuckDB type. Every table also has ``run_id`` first.
RESULT_TABLES: dict[str, dict[str, str]] = {
    "route_options": {
        "od": "VARCHAR",
        "origin": "VARCHAR",
        "destination": "VARCHAR",
        "option_rank": "INTEGER",
        "corridor": "VARCHAR",
        "label": "VARCHAR",
        "transit_p50_h": "DOUBLE",
        "transit_p90_h": "DOUBLE",
        "cost_usd_per_feu": "DOUBLE",
        "co2e_kg_per_feu": "DOUBLE",
        "length_km": "DOUBLE",
        "facility_ids": "VARCHAR",
        "geometry_geojson": "VARCHAR",
    },
    "flows": {
        "facility_id": "VARCHAR",
        "name": "VARCHAR",
        "kind": "VARCHAR",
        "lat": "DOUBLE",
        "lon": "DOUBLE",
        "flow_t_per_yr": "DOUBLE",
        "capacity_t_per_yr": "DOUBLE",
        "utilization": "DOUBLE",
    },
    "sim_kpis": {
        "kpi": "VARCHAR",
        "value": "DOUBLE",
        "unit": "VARCHAR",
    },
    "sim_transit": {
        "od": "VARCHAR",
        "replication": "INTEGER",
        "transit_h": "DOUBLE",
    },
}

Migration = Callable[[duckdb.DuckDBPyConnection], None]
MIGRATIONS: dict[int, Migration] = {}
"""Upgrade steps ``from_version -> step``; empty while the layout is at its first version."""


def create_statements() -> list[str]:
    cols = ", ".join(f"{name} {kind}" for name, kind in RUN_COLUMNS.items())
    statements = [
        "CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        f"CREATE TABLE runs ({cols})",
        "CREATE TABLE run_counts (run_id VARCHAR NOT NULL, result_table VARCHAR NOT NULL, "
        "n_rows BIGINT NOT NULL, PRIMARY KEY (run_id, result_table))",
    ]
    for table, columns in RESULT_TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        statements.append(f"CREATE TABLE {table} (run_id VARCHAR NOT NULL, {body})")
    return statements


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the table's columns; ``StoreError`` names any missing column."""
    columns = RESULT_TABLES[table]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StoreError(f"result table {table} lacks columns {missing}")
    out = frame[list(columns)].copy()
    for name, kind in columns.items():
        if kind == "DOUBLE":
            out[name] = pd.to_numeric(out[name], errors="raise").astype("float64")
        elif kind == "INTEGER":
            out[name] = pd.to_numeric(out[name], errors="raise").astype("int64")
        else:
            out[name] = out[name].astype("string").astype(object).where(out[name].notna(), None)
    return out.reset_index(drop=True)
