"""Use cases on stored runs: list, show, export (``landbridge runs``, the API's runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from landbridge.store.db import Store


def list_runs(store: Store) -> list[dict[str, Any]]:
    """Stored runs, newest first, as JSON-able rows."""
    from landbridge.scenarios.compare import records

    runs = store.list_runs()
    return records(runs.assign(created_utc=runs["created_utc"].astype(str)))


def show_run(store: Store, run_id: str) -> dict[str, Any]:
    """One run's metadata, timings, row counts and scenario, JSON-able."""
    meta = store.get_run(run_id)
    meta["created_utc"] = str(meta["created_utc"])
    return meta


def export_run(store: Store, run_id: str, fmt: str, out: str | None = None) -> Path:
    """Write the run as files (one per table, a manifest) and return the folder."""
    from landbridge.store.export import export_run as write_export

    return write_export(store, run_id, fmt, out)
