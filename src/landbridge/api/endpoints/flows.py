"""Corridor flows (assignment, bottlenecks, calibration) as background jobs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from landbridge.api.endpoints.jobs import result_of, runner
from landbridge.api.jobs import JobStatus
from landbridge.api.models import ERROR_RESPONSES, FlowsJobRequest
from landbridge.api.security import require_token
from landbridge.schema.flows import FlowsResult

router = APIRouter(tags=["flows"])
KIND = "flows"


@router.post(
    "/flows",
    response_model=JobStatus,
    status_code=202,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_token)],
)
def submit_flows(body: FlowsJobRequest, request: Request) -> JobStatus:
    """Queue an equilibrium assignment of the corridor demand (``landbridge flows``)."""
    return runner(request).submit(
        KIND, "landbridge.api.job_targets:flows", body.model_dump(mode="json")
    )


@router.get("/flows/{job_id}/result", response_model=FlowsResult, responses=ERROR_RESPONSES)
def flows_result(job_id: str, request: Request) -> FlowsResult:
    """Bottlenecks ranked by utilization, gateway shares, calibration against published figures."""
    return FlowsResult.model_validate(result_of(request, job_id, KIND))
