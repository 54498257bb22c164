"""Response models that exist only in the REST face (GeoJSON wrappers, errors, server info).

Domain requests and results use the library's own models from ``landbridge.schema``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from landbridge.schema.flows import FlowsRequest
from landbridge.schema.scenario import Scenario
from landbridge.schema.sim import SimulationReport, SimulationRequest


class ErrorResponse(BaseModel):
    """Body of every 4xx/5xx the API raises itself: the same message the CLI prints."""

    detail: str
    error: str = Field(description="Error class, e.g. UnknownPlaceError.")


class Feature(BaseModel):
    type: Literal["Feature"]
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[Feature]


class ServerInfo(BaseModel):
    """What the web page needs to know about the server it talks to."""

    version: str
    token_required: bool
    web_assets: bool = Field(
        description="False when the MapLibre files were not installed (run make install)."
    )
    layers: list[str]
    max_replications: int
    max_job_run_s: float


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 404, 409, 413, 422, 429)
}


class SimulationJobRequest(SimulationRequest):
    """A simulation job: the library's request, plus the bundled scenario and demand to run."""

    scenario: str | None = Field(None, description="Bundled scenario name (GET /api/scenarios).")
    demand: str | None = Field(
        None,
        description="'network' (2023 OD demand routed on the network, the default, as in "
        "`landbridge simulate`), 'trains' (sourced 2023 train counts) or 'od-2023' / 'od-2024'.",
    )


class SimulationJobResult(SimulationReport):
    """The library's report, plus what the simulation could not model of the scenario."""

    notes: list[str] = Field(default_factory=list)


class FlowsJobRequest(FlowsRequest):
    """Corridor flows at equilibrium (``landbridge flows``) as a background job: the library's
    request, plus the bundled scenario to apply first."""

    scenario: str | None = Field(None, description="Bundled scenario name applied first.")


class ScenarioRunRequest(BaseModel):
    """What a scenario run computes besides the route options of the standard OD set."""

    model_config = ConfigDict(extra="forbid")

    flows: bool = False
    simulate: bool = False


class ScenarioRunResult(BaseModel):
    """A stored scenario run: its id in the store, what it computed, and notes."""

    run_id: str
    scenario: str
    scenario_hash: str
    timings_s: dict[str, float]
    notes: list[str]
    results: dict[str, list[dict[str, Any]]]


class ScenarioCheck(BaseModel):
    """A scenario that parsed and passed validation against the base network."""

    valid: Literal[True] = True
    scenario: Scenario


class RunComparison(BaseModel):
    """What changes from run A to run B (``landbridge scenario compare --json``)."""

    a: str
    b: str
    runs: dict[str, str]
    routes: list[dict[str, Any]]
    best: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    kpis: list[dict[str, Any]]
    notes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="'both': how the two bases differ (departure date, base year); 'a'/'b': "
        "what each run could not model",
    )
