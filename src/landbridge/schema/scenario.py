"""Scenario files: a base (year, demand, parameters) and an ordered list of typed modifications.

One pydantic model per modification, joined in a discriminated union on ``type``; the same models
serve the YAML files, the CLI, the API and the store (the canonical JSON of a ``Scenario`` is what
its content hash is taken over). Validation here is about form (types, ranges, units); validation
against a network (do the facility, place and country exist?) lives in ``landbridge.scenarios``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from landbridge.schema.params import MAX_USD_PER_FEU, MAX_USD_PER_FEU_KM

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ISO2_PATTERN = r"^[A-Za-z]{2}$"

CapacityUnit = Literal[
    "trains_per_day",
    "train_pairs_per_day",
    "t_per_yr",
    "mt_per_yr",
    "teu_per_yr",
    "servers",
]
"""Units a capacity can be given in (see ``landbridge.scenarios.units`` for the conversions)."""

MAX_CAPACITY = {
    "trains_per_day": 1_000.0,
    "train_pairs_per_day": 500.0,
    "t_per_yr": 1e9,
    "mt_per_yr": 1_000.0,
    "teu_per_yr": 1e8,
    "servers": 1_000.0,
}
"""Plausibility bounds per capacity unit (policy, not measured figures): each is far above any
facility of the corridor and far below what overflows the simulation's integer arrays
(``1e300`` trains/day or ``1e12`` servers), so a larger number is taken as a typing error."""
MAX_HEADWAY_H = 8_760.0
"""A ferry line sailing less often than once a year is not a line (policy bound)."""
MAX_VESSEL_FEU = 12_500.0
"""Above the largest container ships afloat (the 24,000 TEU class, 12,000 FEU): policy bound."""

GaugeMm = Literal[1435, 1520]
"""Track gauges of the corridor: standard (China, EU, Türkiye, Iran) and Russian broad gauge."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_numbers(cls, data: object) -> object:
        """``true`` is not 1: pydantic would read a YAML yes/no as a number."""
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(str(name))
                if field is None or not isinstance(value, bool):
                    continue
                if field.annotation is not bool and bool not in get_args(field.annotation):
                    raise ValueError(
                        f"field '{name}': {str(value).lower()} is a yes/no value, not a number "
                        "or a name"
                    )
        return data


def check_capacity(value: float, unit: str) -> None:
    """``ValueError`` for a capacity that cannot be meant: zero (use close_crossing), beyond
    the plausible bound of its unit, or a fractional number of servers."""
    if value <= 0:
        raise ValueError(
            f"a capacity of {value:g} {unit} would stop the facility; to close it use "
            "close_crossing (with dates for a temporary closure)"
        )
    most = MAX_CAPACITY[unit]
    if value > most:
        raise ValueError(f"{value:g} {unit} is beyond the plausible {most:,.0f} {unit}")
    if unit == "servers" and value != int(value):
        raise ValueError(
            f"servers count parallel tracks or cranes: a whole number, not {value:g}; give "
            "a fractional capacity in trains_per_day instead"
        )


class Capacity(_Strict):
    """A capacity figure with its unit."""

    value: float = Field(gt=0, allow_inf_nan=False)
    unit: CapacityUnit

    @model_validator(mode="after")
    def _plausible(self) -> Capacity:
        check_capacity(self.value, self.unit)
        return self


class CloseCrossing(_Strict):
    """Close a facility (crossing, gauge-change yard, port, ferry line); all dates inclusive.

    Without dates the closure is permanent; with dates it lasts from ``from_date`` to ``to_date``.
    """

    type: Literal["close_crossing"]
    facility: str = Field(min_length=1)
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _dates(self) -> CloseCrossing:
        if (self.from_date is None) != (self.to_date is None):
            raise ValueError("give both from_date and to_date, or neither (a permanent closure)")
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")
        return self


class SetCapacity(_Strict):
    """Set a facility's capacity (trains/day, tonnes/yr, TEU/yr or servers).

    ``into`` (an ISO country code, one of the facility's countries) makes it a limit on the trains
    entering that country only, such as China's daily quotas; the other direction keeps the
    facility's capacity. The figure is used as given, with a warning when it is below what the
    facility has been observed to carry; ``observed_floor: true`` raises it to that throughput
    instead, as the bundled tables and the events table (``base.events``) are read
    (``flows.capacity``: a figure in trains/day counts container trains, and heavier bulk trains
    carry more).
    """

    type: Literal["set_capacity"]
    facility: str = Field(min_length=1)
    value: float = Field(allow_inf_nan=False)
    unit: CapacityUnit
    into: str | None = Field(default=None, pattern=ISO2_PATTERN)
    observed_floor: bool = False

    @field_validator("into")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value is not None else None

    @model_validator(mode="after")
    def _plausible(self) -> SetCapacity:
        check_capacity(self.value, self.unit)
        if self.into is not None and self.unit != "trains_per_day":
            raise ValueError(
                f"a limit on trains into {self.into} counts trains one way: give it in "
                f"trains_per_day, not {self.unit}"
            )
        return self


class NewCrossing(_Strict):
    """A gauge-change crossing built with a new line, at the line's ``from_place`` end.

    ``like`` names an existing facility whose dwell and cost figures the new one takes over
    (recorded as an assumption on the new row): a planned crossing has no measured dwell yet.
    """

    facility_id: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    like: str = Field(min_length=1)
    capacity: Capacity | None = None


class AddLink(_Strict):
    """A new rail line between two places, both directions, with optional drawing points."""

    type: Literal["add_link"]
    from_place: str = Field(min_length=1)
    to_place: str = Field(min_length=1)
    length_km: float = Field(gt=0, le=20_000, allow_inf_nan=False)
    gauge_mm: GaugeMm
    capacity: Capacity
    name: str = ""
    via: list[tuple[float, float]] = Field(default_factory=list, description="[lon, lat] points")
    crossing: NewCrossing | None = None

    @model_validator(mode="after")
    def _via(self) -> AddLink:
        for lon, lat in self.via:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValueError(f"via point [{lon}, {lat}] is not a [lon, lat] pair in degrees")
        if self.from_place.strip().casefold() == self.to_place.strip().casefold():
            raise ValueError("from_place and to_place are the same place")
        return self


class SetFerryFleet(_Strict):
    """Set the number of vessels on a ferry or feeder line (and optionally their size)."""

    type: Literal["set_ferry_fleet"]
    facility: str = Field(min_length=1)
    fleet: int = Field(ge=1, le=1000)
    vessel_capacity_feu: float | None = Field(
        default=None, gt=0, le=MAX_VESSEL_FEU, allow_inf_nan=False
    )
    headway_h: float | None = Field(default=None, gt=0, le=MAX_HEADWAY_H, allow_inf_nan=False)


class DemandFilter(_Strict):
    """Restrict a demand change to origin and/or destination places (exact names)."""

    origin: str | None = None
    destination: str | None = None


class ScaleDemand(_Strict):
    """Multiply demand by ``factor``, or change it by ``pct`` percent; optionally for some ODs."""

    type: Literal["scale_demand"]
    factor: float | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False)
    pct: float | None = Field(default=None, ge=-100, le=100_000, allow_inf_nan=False)
    od: DemandFilter | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ScaleDemand:
        if (self.factor is None) == (self.pct is None):
            raise ValueError("give exactly one of factor or pct")
        return self

    @property
    def multiplier(self) -> float:
        return self.factor if self.factor is not None else 1.0 + (self.pct or 0.0) / 100.0


class SetTariff(_Strict):
    """Set a tariff: a facility's charge (USD/FEU) or a country's rail tariff (USD/FEU-km).

    Exactly one of ``facility`` or ``country``; ``value`` with ``unit``, or a ``factor``.
    """

    type: Literal["set_tariff"]
    facility: str | None = None
    country: str | None = Field(default=None, pattern=ISO2_PATTERN)
    value: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    unit: Literal["usd_per_feu", "usd_per_feu_km"] | None = None
    factor: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)

    @model_validator(mode="after")
    def _shape(self) -> SetTariff:
        if (self.facility is None) == (self.country is None):
            raise ValueError("give exactly one of facility or country")
        if (self.value is None) == (self.factor is None):
            raise ValueError("give exactly one of value (with unit) or factor")
        if self.value is not None:
            want = "usd_per_feu" if self.facility is not None else "usd_per_feu_km"
            if self.unit != want:
                target = "facility" if self.facility is not None else "country"
                raise ValueError(f"a {target} tariff needs unit: {want}")
            limit = MAX_USD_PER_FEU if want == "usd_per_feu" else MAX_USD_PER_FEU_KM
            if self.value > limit:
                raise ValueError(
                    f"value {self.value:g} {want} is beyond the plausible {limit:g} "
                    "(a typo or a unit mistake?)"
                )
        return self


class SetDwell(_Strict):
    """Set a facility's dwell (hours per train or call), or scale it by ``factor``."""

    type: Literal["set_dwell"]
    facility: str = Field(min_length=1)
    dwell_p50_h: float | None = Field(default=None, ge=0, le=24 * 365, allow_inf_nan=False)
    dwell_p90_h: float | None = Field(default=None, ge=0, le=24 * 365, allow_inf_nan=False)
    factor: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)

    @model_validator(mode="after")
    def _shape(self) -> SetDwell:
        hours = self.dwell_p50_h is not None or self.dwell_p90_h is not None
        if hours == (self.factor is not None):
            raise ValueError("give dwell_p50_h and/or dwell_p90_h, or a factor (not both)")
        if (
            self.dwell_p50_h is not None
            and self.dwell_p90_h is not None
            and self.dwell_p90_h < self.dwell_p50_h
        ):
            raise ValueError("dwell_p90_h must not be below dwell_p50_h")
        return self


class AvoidCountry(_Strict):
    """Take a country out of the network (its rail edges and the facilities on its borders)."""

    type: Literal["avoid_country"]
    country: str = Field(pattern=ISO2_PATTERN)
    reason: str = ""


Modification = Annotated[
    CloseCrossing
    | SetCapacity
    | AddLink
    | SetFerryFleet
    | ScaleDemand
    | SetTariff
    | SetDwell
    | AvoidCountry,
    Field(discriminator="type"),
]

MODIFICATION_TYPES: tuple[str, ...] = (
    "close_crossing",
    "set_capacity",
    "add_link",
    "set_ferry_fleet",
    "scale_demand",
    "set_tariff",
    "set_dwell",
    "avoid_country",
)


class ScenarioBase(_Strict):
    """What a scenario starts from: the year, the demand set and the parameter set.

    ``demand`` and ``params`` are bundled set names (or file paths) understood by the flows and
    costs layers; ``departure_date`` is the date routes are planned for (dated closures apply to
    routes departing inside their window).
    """

    year: int = Field(ge=2000, le=2100)
    demand: str = "default"
    params: str = "default"
    departure_date: dt.date | None = None
    # true: the events table's closures and dated capacities of ``year`` come first among the
    # modifications (``scenarios.year_events.year_modifications``); the loaded scenario lists them
    events: bool = False


class Scenario(_Strict):
    """A what-if: a base and the modifications applied to it, in order."""

    name: str = Field(pattern=SLUG_PATTERN, max_length=80)
    title: str = ""
    description: str = ""
    base: ScenarioBase
    modifications: list[Modification] = Field(default_factory=list, max_length=500)
    sources: list[str] = Field(default_factory=list)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
