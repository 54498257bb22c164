"""Stored runs (the results store): list, show, compare two, download an export."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from landbridge.api.models import ERROR_RESPONSES, RunComparison
from landbridge.api.security import require_token

router = APIRouter(tags=["runs"])


def _store() -> Any:
    from landbridge.store.db import Store

    return Store()


@router.get("/runs", response_model=list[dict[str, Any]], responses=ERROR_RESPONSES)
def list_runs() -> list[dict[str, Any]]:
    """Stored runs, newest first (``landbridge runs list --json``)."""
    from landbridge.app.runs import list_runs

    return list_runs(_store())


@router.get("/runs/compare", response_model=RunComparison, responses=ERROR_RESPONSES)
def compare(
    a: str = Query(description="Run id of A."), b: str = Query(description="Run id of B.")
) -> RunComparison:
    """What changes from stored run A to B: best option per OD, options, bottlenecks, KPIs."""
    from landbridge.app.scenario import compare_stored

    comparison = compare_stored(_store(), a, b).comparison
    return RunComparison.model_validate({**comparison.to_json(), "runs": {"a": a, "b": b}})


@router.get("/runs/{run_id}", response_model=dict[str, Any], responses=ERROR_RESPONSES)
def show_run(run_id: str) -> dict[str, Any]:
    """One run: metadata, timings, row counts and its scenario (``landbridge runs show``)."""
    from landbridge.app.runs import show_run

    return show_run(_store(), run_id)


EXPORT_MEDIA = "application/zip"


@router.get(
    "/runs/{run_id}/export",
    response_class=Response,
    responses={**ERROR_RESPONSES, 200: {"content": {EXPORT_MEDIA: {}}}},
    dependencies=[Depends(require_token)],
)
def export(run_id: str, format: Literal["parquet", "csv", "geojson"] = "parquet") -> Response:  # noqa: A002
    """The run as a zip download: one GeoParquet, CSV or GeoJSON file per table, ``run.json``
    and ``manifest.json`` (``landbridge runs export``); nothing is kept on the server."""
    from landbridge.store.export import export_zip

    name, data = export_zip(_store(), run_id, format)
    return Response(
        data,
        media_type=EXPORT_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
