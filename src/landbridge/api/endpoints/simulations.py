"""Simulation runs as background jobs: submit, then poll ``/api/jobs/{id}`` and fetch the report."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from landbridge.api.endpoints.jobs import result_of, runner
from landbridge.api.jobs import JobStatus
from landbridge.api.models import ERROR_RESPONSES, SimulationJobRequest, SimulationJobResult
from landbridge.api.security import require_token
from landbridge.errors import InvalidInputError

router = APIRouter(tags=["simulation"])
KIND = "simulation"


@router.post(
    "/simulations",
    response_model=JobStatus,
    status_code=202,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_token)],
)
def submit_simulation(body: SimulationJobRequest, request: Request) -> JobStatus:
    """Queue a Monte Carlo simulation of the 2023 corridor (``landbridge simulate``)."""
    limit = request.app.state.settings.max_replications
    if body.replications > limit:
        raise InvalidInputError(
            f"replications: at most {limit:,} per API job (got {body.replications:,}); "
            "run `landbridge simulate` on your own machine for more."
        )
    return runner(request).submit(
        KIND, "landbridge.api.job_targets:simulate", body.model_dump(mode="json")
    )


@router.get(
    "/simulations/{job_id}/result", response_model=SimulationJobResult, responses=ERROR_RESPONSES
)
def simulation_result(job_id: str, request: Request) -> SimulationJobResult:
    """The report of a finished simulation job: transit days per corridor, facility queues."""
    return SimulationJobResult.model_validate(result_of(request, job_id, KIND))
