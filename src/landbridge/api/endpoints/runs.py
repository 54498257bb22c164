"""Stored runs (the results store): list, show, compare two, export into the store's folder."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from landbridge.api.models import ERROR_RESPONSES, ExportResult, RunComparison
from landbridge.api.security import require_token

router = APIRouter(tags=["runs"])


def _store() -> Any:
    from landbridge.store.db import Store

    return Store()


def _plain(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if k == "created_utc" else v) for k, v in meta.items()}


@router.get("/runs", response_model=list[dict[str, Any]], responses=ERROR_RESPONSES)
def list_runs() -> list[dict[str, Any]]:
    """Stored runs, newest first (``landbridge runs list --json``)."""
    from landbridge.scenarios.compare import _records

    runs = _store().list_runs()
    return _records(runs.assign(created_utc=runs["created_utc"].astype(str)))


@router.get("/runs/compare", response_model=RunComparison, responses=ERROR_RESPONSES)
def compare(
    a: str = Query(description="Run id of A."), b: str = Query(description="Run id of B.")
) -> RunComparison:
    """What changes from stored run A to B: best option per OD, options, bottlenecks, KPIs."""
    from landbridge.scenarios.compare import compare_runs
    from landbridge.scenarios.runner import stored_run

    store = _store()
    comparison = compare_runs(stored_run(store, a), stored_run(store, b))
    return RunComparison.model_validate({**comparison.to_json(), "runs": {"a": a, "b": b}})


@router.get("/runs/{run_id}", response_model=dict[str, Any], responses=ERROR_RESPONSES)
def show_run(run_id: str) -> dict[str, Any]:
    """One run: metadata, timings, row counts and its scenario (``landbridge runs show``)."""
    return _plain(_store().get_run(run_id))


@router.post(
    "/runs/{run_id}/export",
    response_model=ExportResult,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_token)],
)
def export(run_id: str, format: Literal["parquet", "csv", "geojson"] = "parquet") -> ExportResult:  # noqa: A002
    """Write the run into the store's own exports folder; the name is the run id (no path
    from the request is ever used)."""
    from landbridge.store.export import export_run

    store = _store()
    path = export_run(store, run_id, format)
    return ExportResult(run_id=run_id, format=format, file=path.name)
