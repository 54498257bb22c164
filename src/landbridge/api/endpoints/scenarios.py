"""Scenarios: the bundled list, validation of a posted scenario (JSON or YAML), runs as jobs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request

from landbridge.api.endpoints.jobs import result_of, runner
from landbridge.api.errors import RelayedError
from landbridge.api.job_targets import bundled_scenario
from landbridge.api.jobs import JobStatus
from landbridge.api.models import (
    ERROR_RESPONSES,
    ScenarioCheck,
    ScenarioRunRequest,
    ScenarioRunResult,
)
from landbridge.api.security import YAML_TYPES, require_token
from landbridge.errors import LandbridgeError, ScenarioError
from landbridge.schema.scenario import Scenario

router = APIRouter(tags=["scenarios"])
KIND = "scenario"
POSTED = "<posted scenario>"

VALIDATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/scenarios", response_model=list[Scenario])
def list_scenarios() -> list[Scenario]:
    """The bundled scenarios (``landbridge scenario list``)."""
    from landbridge.scenarios.load import bundled_names

    return [bundled_scenario(name) for name in bundled_names()]


@router.get("/scenarios/{name}", response_model=Scenario, responses=ERROR_RESPONSES)
def get_scenario(name: str) -> Scenario:
    """One bundled scenario by name."""
    return bundled_scenario(name)


@router.post(
    "/scenarios/validate",
    response_model=ScenarioCheck,
    responses=ERROR_RESPONSES,
    openapi_extra=VALIDATE_BODY,
)
async def validate_posted(request: Request) -> ScenarioCheck:
    """Parse a scenario (JSON object, or YAML text loaded safely) and check every modification
    against the base network, exactly as ``landbridge scenario check`` does; 422 lists each
    wrong field. Parsing and checking run in a worker process with a time budget
    (``api.heavy``): neither holds the server's event loop or its GIL."""
    raw = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    scenario = await request.app.state.heavy.run(check_posted, raw, media in YAML_TYPES)
    return ScenarioCheck(scenario=scenario)


def check_posted(raw: bytes, is_yaml: bool) -> Scenario:
    """``parse_posted``, then the CLI's check against the bundled base network (no file named by
    the scenario is read). Runs in a heavy-work process; library errors are relayed with their
    class, status and message."""
    from landbridge.app.check import check_scenario

    try:
        scenario = parse_posted(raw, is_yaml)
        check_scenario(scenario, POSTED, None, False)
    except LandbridgeError as exc:
        raise RelayedError.of(exc) from None
    return scenario


def parse_posted(raw: bytes, is_yaml: bool) -> Scenario:
    """A posted scenario body (UTF-8 YAML or JSON) as a ``Scenario``; ``ScenarioError`` says
    what is wrong. Runs in a heavy-work process, so it takes and returns picklable values."""
    from landbridge.scenarios.load import parse_scenario, scenario_from_data

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{POSTED}: not UTF-8 text.") from None
    if is_yaml:
        return parse_scenario(text, source=POSTED)
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        raise ScenarioError(
            f"{POSTED}: not valid JSON; send YAML with Content-Type: application/yaml."
        ) from None
    return scenario_from_data(data, source=POSTED)


@router.post(
    "/scenarios/{name}/run",
    response_model=JobStatus,
    status_code=202,
    responses=ERROR_RESPONSES,
    dependencies=[Depends(require_token)],
)
def run_bundled(name: str, request: Request, body: ScenarioRunRequest | None = None) -> JobStatus:
    """Queue a run of a bundled scenario: route options of the standard OD set (and flows,
    simulation if asked); the run is stored and its id is in the job's result."""
    bundled_scenario(name)
    options = body or ScenarioRunRequest()
    return runner(request).submit(
        KIND, "landbridge.api.job_targets:scenario_run", {"scenario": name, **options.model_dump()}
    )


@router.get(
    "/scenarios/jobs/{job_id}/result", response_model=ScenarioRunResult, responses=ERROR_RESPONSES
)
def scenario_run_result(job_id: str, request: Request) -> ScenarioRunResult:
    """The stored run of a finished scenario job."""
    return ScenarioRunResult.model_validate(result_of(request, job_id, KIND))
