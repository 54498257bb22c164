"""Dated events on the corridor (closures, quotas, tariff changes, wars, openings) and the risk
flags and notes they put on route options: one contract for the events table, the CLI, the API
and route answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EventKind = Literal[
    "closure", "quota", "tariff_change", "capacity_change", "disruption", "sanctions", "war",
    "weather", "opening",
]  # fmt: skip
# What an event does in the model:
#   closed    the facilities are shut from start to end: a box reaching one waits or cannot pass;
#             parameter backlog_clear_days = value: days the queue takes to clear after the end
#   set       parameter = value on the facilities (a dated facility value, costs/dated.py)
#   scale     the countries' parameter (rail tariff usd_per_feu_km) is multiplied by value
#   risk      no change to times or costs: a risk flag on the options it touches
#   scenario  an announced opening, modelled by the bundled scenario named in ``parameter``
#   none      listed only; ``assumption`` says why it is not modelled
EventEffect = Literal["closed", "set", "scale", "risk", "scenario", "none"]
RiskKind = Literal["sanctions", "war_or_closure", "caspian_weather", "border_quota"]
EventStatus = Literal["in_force", "announced", "ended"]
BACKLOG_CLEAR_DAYS = "backlog_clear_days"


class Event(BaseModel):
    """One row of ``data/events/events.csv``. ``start``/``end`` are inclusive days; no ``end`` is
    open; no ``start`` is an announcement without a date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: EventKind
    title: str = Field(min_length=1)
    start: dt.date | None = None
    end: dt.date | None = None
    facilities: tuple[str, ...] = ()  # facility ids; ``*`` matches any run of characters
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    effect: EventEffect
    parameter: str = ""
    value: float | None = None
    risk: RiskKind | None = None
    source_ids: tuple[str, ...] = Field(min_length=1)
    note: str = ""
    assumption: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if not self.facilities and not self.countries:
            raise ValueError("name the facilities or countries the event touches")
        if self.effect in ("set", "scale") and (not self.parameter or self.value is None):
            raise ValueError(f"effect '{self.effect}' needs a parameter and a value")
        if self.effect == "closed" and self.parameter not in ("", BACKLOG_CLEAR_DAYS):
            raise ValueError(f"a closure's parameter can only be {BACKLOG_CLEAR_DAYS}")
        if self.effect == "closed" and self.parameter and not (self.value or 0) > 0:
            raise ValueError(f"{BACKLOG_CLEAR_DAYS} needs a positive value")
        if self.effect == "scenario" and not self.parameter:
            raise ValueError("effect 'scenario' names the scenario in 'parameter'")
        if self.effect == "scale" and not self.countries:
            raise ValueError("effect 'scale' applies to countries: name them")
        if self.effect in ("set", "closed") and not self.facilities:
            raise ValueError(f"effect '{self.effect}' applies to facilities: name them")
        if self.effect == "none" and not self.assumption:
            raise ValueError("an event listed but not modelled says why in 'assumption'")
        if self.start is None and self.effect not in ("scenario", "none"):
            raise ValueError("only an announcement (effect scenario or none) may have no start")
        return self

    @property
    def clear_days(self) -> float:
        """Days a closure's queue takes to clear after its end (0 when not given)."""
        return float(self.value or 0.0) if self.parameter == BACKLOG_CLEAR_DAYS else 0.0

    def status(self, on: dt.date) -> EventStatus:
        if self.start is None or on < self.start:
            return "announced"
        if self.end is not None and on > self.end:
            return "ended"
        return "in_force"

    @property
    def span(self) -> str:
        if self.start is None:
            return "date not announced"
        return f"{self.start} to {self.end}" if self.end else f"from {self.start}"


class EventOut(BaseModel):
    """An event as the ``events`` command and API show it on a date."""

    event: Event
    status: EventStatus


class Risk(BaseModel):
    """A risk flag on a route option (issue 13): what, where on the route, since when, source."""

    kind: RiskKind
    where: str  # facility or country the option passes
    since: dt.date | None = None
    source: list[str]  # source ids
    event_id: str = ""
    title: str = ""


class OptionEvent(BaseModel):
    """An event that changes an option on the day the box reaches the place it touches."""

    event_id: str
    kind: EventKind
    title: str
    where: str
    reached: dt.date  # the day the box reaches ``where`` (departure + median hours before it)
    effect: str  # what it does to this option, in words
    delay_h: float = 0.0  # hours added to the option (a closure it waits out)
    cost_delta_usd: float = 0.0  # money added to the option (a tariff change)
    closed: bool = False  # the option cannot pass (a closure with no end)
    source: list[str]


DataKind = Literal["tariffs", "border_times", "ocean_rates", "events"]


class DataDate(BaseModel):
    """How recent the data of one kind behind an answer is, and whether it is stale (more than
    a year older than the date the answer is for)."""

    kind: DataKind
    newest: dt.date  # a figure dated to its year only counts as of 31 December of that year
    as_published: str  # the date as the table gives it (YYYY, YYYY-MM or YYYY-MM-DD)
    table: str
    stale: bool
    note: str = ""
