"""Simulation request and report: the contract of ``landbridge simulate --json`` and the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_DAYS = 3650
MAX_REPLICATIONS = 10_000
MAX_SEED = 2**63 - 1


Engine = Literal["fast", "simpy"]


class SimulationRequest(BaseModel):
    """What to simulate: horizon, replications, seed; bounded so no request eats the machine."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(365, ge=1, le=MAX_DAYS, description="simulated horizon, days")
    replications: int = Field(1, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    engine: Engine = "fast"


class TransitDays(BaseModel):
    mean: float | None
    p50: float | None
    p90: float | None
    p99: float | None


class TransitCI(BaseModel):
    """95% confidence intervals across replications; null with one replication."""

    mean: tuple[float, float] | None
    p90: tuple[float, float] | None


class CorridorStats(BaseModel):
    corridor: str
    shipments: int = Field(
        description="block trains that reached their destination, all replications"
    )
    transit_days: TransitDays
    ci95: TransitCI


class FacilityStats(BaseModel):
    name: str
    facility_id: str
    kind: str
    utilization: float = Field(
        description="busy servers (ferries: vessels away) / all, over the horizon"
    )
    mean_wait_h: float = Field(
        description="queue wait before service (ferries: until the vessel sails)"
    )
    p90_wait_h: float
    max_queue: int = Field(description="most trains waiting at once, any replication")
    visits: int
    sailings: int | None = None


class RunInfo(BaseModel):
    seed: int
    replications: int
    days: int
    engine: str
    events: int
    system: str


class SimulationReport(BaseModel):
    corridors: list[CorridorStats]
    facilities: list[FacilityStats]
    run: RunInfo
