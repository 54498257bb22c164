"""The route request and response: one contract for the CLI (``--json``), the API and exports."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from landbridge.country_codes import unknown_country
from landbridge.schema.event import DataDate, OptionEvent, Risk

# regional: rail that crosses no China border, no sea and no Iran (domestic, Central Asia,
# Europe–Türkiye)
Corridor = Literal["northern", "middle", "southern", "sea", "regional"]
CORRIDORS: tuple[str, ...] = ("northern", "middle", "southern", "sea", "regional")
LegMode = Literal["rail", "transfer", "border", "port", "sea", "ocean"]
# What an option's days cover: from the train's departure at the origin terminal to its arrival
# at the destination terminal, or from door to door (pre- and on-carriage added).
Scope = Literal["terminal to terminal", "door to door"]

# A CR Express block train carries 55 FEU; 10,000 FEU (~180 trains) is beyond any single
# booking, so larger numbers are taken as typing errors.
MAX_FEU = 10_000.0
# Tariffs and handling are per box: the smallest shipment priced is one TEU (0.5 FEU); part loads
# (LCL) are not modelled, so a smaller size would be priced as a fraction of a box.
MIN_FEU = 0.5
MAX_TONNES_PER_TEU = 30.0  # ISO 668 20' max gross 30.48 t minus tare: no TEU carries more cargo
class RouteRequest(BaseModel):
    """What to route: two places, a shipment size and constraints."""

    model_config = ConfigDict(extra="forbid")

    origin: str = Field(min_length=1)
    destination: str = Field(min_length=1)
    feu: float | None = None
    teu: float | None = None
    tonnes_per_teu: float | None = Field(
        default=None, gt=0, le=MAX_TONNES_PER_TEU, allow_inf_nan=False
    )
    depart: dt.date | None = None
    avoid: list[str] = Field(default_factory=list)
    via: str | None = None
    corridor: Corridor | None = None
    scope: Scope = "terminal to terminal"

    @field_validator("avoid")
    @classmethod
    def _iso2(cls, codes: list[str]) -> list[str]:
        out = []
        for code in codes:
            code = code.strip().upper()
            reason = unknown_country(code)
            if reason is not None:
                raise ValueError(reason)
            out.append(code)
        return out

    @field_validator("feu", "teu")
    @classmethod
    def _size(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return value
        if not value > 0:
            raise ValueError(f"must be positive (got {value:g})")
        unit = str(info.field_name).upper()
        least = MIN_FEU if info.field_name == "feu" else 2 * MIN_FEU
        if value < least:
            raise ValueError(
                f"must be at least {least:g} {unit} (one TEU; got {value:g}): "
                "part loads are not modelled"
            )
        limit = MAX_FEU if info.field_name == "feu" else 2 * MAX_FEU
        if value > limit:
            raise ValueError(
                f"must be at most {limit:,.0f} {unit} (got {value:,.10g}); split larger volumes"
            )
        return value

    @model_validator(mode="after")
    def _one_quantity(self) -> RouteRequest:
        if self.feu is not None and self.teu is not None:
            raise ValueError("give either feu or teu, not both")
        return self

    @property
    def shipment_feu(self) -> float:
        if self.teu is not None:
            return self.teu / 2.0
        return self.feu if self.feu is not None else 1.0


class Endpoint(BaseModel):
    name: str
    node: int
    lat: float
    lon: float
    country: str


class Shipment(BaseModel):
    feu: float
    teu: float
    tonnes: float


class DistanceKm(BaseModel):
    rail: float
    sea: float
    total: float


class TransitDays(BaseModel):
    p10: float
    p50: float
    p90: float


class Published(BaseModel):
    """A published end-to-end transit time for the option's pair (the calibration set)."""

    case: str
    low_days: float
    high_days: float
    year: int
    scope: str
    source: str
    source_ids: list[str]


class TimeBreakdownH(BaseModel):
    running: float
    border: float
    gauge_change: float
    port: float
    ferry_wait: float
    sailing: float
    carriage: float = 0.0  # pre- and on-carriage (door-to-door answers only)


class ArrivalDates(BaseModel):
    p50: dt.date
    p90: dt.date


class Leg(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    mode: LegMode
    from_: str = Field(alias="from")
    to: str
    country: str
    distance_km: float
    hours: float
    cost_usd: float
    co2e_kg: float


class RateBasis(BaseModel):
    """The rate basis of the option's rail line-haul charges (``data/params/rate_factors.csv``):
    westbound China -> EU, eastbound EU -> China or other; a block train (one train's worth of
    boxes or more) or single boxes; ``factor`` multiplies the rail line haul."""

    direction: str
    booking: str
    factor: float
    note: str = ""
    source_ids: list[str]


class RouteOption(BaseModel):
    corridor: Corridor
    label: str
    via: list[str]
    countries: list[str]
    distance_km: DistanceKm
    transit_days: TransitDays
    scope: Scope = "terminal to terminal"  # what the days cover
    published: Published | None = None
    time_breakdown_h: TimeBreakdownH
    cost_usd: float
    cost_breakdown_usd: dict[str, float]
    co2e_kg: float
    co2e_breakdown_kg: dict[str, float]
    pareto: bool = False
    arrival: ArrivalDates | None = None
    legs: list[Leg]
    # events of data/events/events.csv on the day the box reaches the place they touch
    events: list[OptionEvent] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    closed: bool = False  # an open-ended closure on the way: the option cannot be booked
    rate_basis: RateBasis | None = None


class Source(BaseModel):
    source_id: str
    title: str
    publisher: str = ""
    url: str = ""
    year: str = ""
    note: str = ""


class DatedValue(BaseModel):
    """A parameter taken for the answer's date: a facility row valid on it, the ocean freight
    sample of its month, or a winter weather wait. ``note`` says when the nearest row or sample
    stood in for a missing one."""

    item: str  # facility id, or the WCI lane of an ocean rate
    parameter: str  # column name, e.g. dwell_p90_h, cost_usd_per_feu, weather_wait_h
    value: float
    unit: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    sample_date: str | None = None  # date of the observation as published (YYYY-MM[-DD])
    source_ids: list[str] = Field(default_factory=list)
    note: str = ""


class RouteResponse(BaseModel):
    origin: Endpoint
    destination: Endpoint
    shipment: Shipment
    depart: dt.date | None = None
    options: list[RouteOption]
    assumptions: list[str]
    sources: list[Source]
    # the date the dated parameters were read for: ``depart``, or the day of the request
    as_of: dt.date | None = None
    dated_values: list[DatedValue] = Field(default_factory=list)
    data_dates: list[DataDate] = Field(default_factory=list)  # newest data per kind, staleness
