"""Background jobs: submit helpers for the work endpoints, status, result and cancel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from landbridge.api.jobs import CANCEL_KEY_HEADER, JobRunner, JobStatus
from landbridge.api.models import ERROR_RESPONSES
from landbridge.api.security import require_token

router = APIRouter(tags=["jobs"])


def runner(request: Request) -> JobRunner:
    return request.app.state.jobs


def result_of(request: Request, job_id: str, kind: str) -> dict[str, Any]:
    """The result of a finished job of ``kind`` (404 for another kind's id, 409 while running)."""
    jobs = runner(request)
    if jobs.status(job_id).kind != kind:
        from landbridge.api.errors import UnknownJobError

        raise UnknownJobError(job_id)
    return jobs.result(job_id)


@router.get("/jobs/{job_id}", response_model=JobStatus, responses=ERROR_RESPONSES)
def job_status(job_id: str, request: Request) -> JobStatus:
    """State (queued, running, done, failed, cancelled), progress in [0, 1] and any error."""
    return runner(request).status(job_id)


@router.delete(
    "/jobs/{job_id}",
    response_model=JobStatus,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_token)],
)
def cancel_job(job_id: str, request: Request) -> JobStatus:
    """Cancel a queued or running job (its process is stopped). With a server token, its holder
    may cancel any job; without one, only the submitter (``X-Job-Key: <cancel_key>``)."""
    if request.app.state.settings.token:
        return runner(request).cancel(job_id)
    return runner(request).cancel(job_id, request.headers.get(CANCEL_KEY_HEADER, ""))
