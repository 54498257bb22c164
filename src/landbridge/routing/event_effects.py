"""What the events table does to a priced option, on the day the box reaches each place.

The box reaches leg ``i`` at departure (00:00) plus the median hours of the legs before it, plus
any wait an earlier event added. On that day:

- a ``closed`` event on the leg's facility holds the box until the day after its end, and
  behind the queue built during the closure: with ``backlog_clear_days`` T, a first-come-first-
  served queue that clears at a constant rate leaves a box that arrives at ``a`` (from the
  closure's start until T days after the reopening) at ``reopen + T (a - start) / (T + L)``, L
  the closure's length; the hours are added to the leg, the option's p50/p90 and its arrival.
  With no end the option is marked closed and cannot be booked;
- a ``scale`` event of the leg's country multiplies a rail leg's cost (a tariff change);
- an event with a ``risk`` on the leg's facility or country is a risk flag on the option;
- a winter weather wait on a Caspian ferry leg (``costs/dated.py``) is a ``caspian_weather`` flag.

``set`` events are dated facility values: ``costs/dated.py`` applies them on the day the box
reaches the facility (``facility_reach_dates``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from landbridge.events import in_force, load_events, touches_facility
from landbridge.network.model import Network
from landbridge.routing.constraints import facility_text
from landbridge.routing.evaluate import HOURS_PER_DAY, ROUND, Evaluated, run_starts
from landbridge.schema.event import Event, OptionEvent, Risk
from landbridge.schema.route import RouteOption

# the time bucket a wait at a facility leg of this mode is counted in
WAIT_BUCKET = {"border": "border", "transfer": "gauge_change", "port": "port"}


def leg_start_hours(option: RouteOption) -> list[float]:
    """Median hours from departure to the start of each leg."""
    hours = np.cumsum([0.0, *(leg.hours for leg in option.legs)])
    return hours[:-1].tolist()


def leg_facilities(
    net: Network, edges: np.ndarray, starts: np.ndarray | None = None
) -> list[int]:
    """Facility row of each leg of the path (-1 for rail legs and unnamed stops); ``starts``:
    the legs' first positions in the path when known."""
    if not len(edges):
        return []
    starts = run_starts(net, edges) if starts is None else starts
    return net.edge_facility[edges[starts]].tolist()


def facility_reach_dates(
    net: Network,
    edges: np.ndarray,
    leg_hours: Sequence[float],
    depart: dt.date,
    running_h: np.ndarray,
    starts: np.ndarray | None = None,
) -> dict[str, dt.date]:
    """Facility id → the day the box reaches it (the first time, when a path passes twice).

    A stop is reached at the start of its leg (``leg_hours``: each leg's median hours); a line
    section inside a rail leg at the leg's start plus the median running hours (``running_h``
    per edge) of the edges before it."""
    if not len(edges):
        return {}
    ids = facility_text(net).ids
    first = (run_starts(net, edges) if starts is None else starts).tolist()
    ends = [*first[1:], len(edges)]
    facility = net.edge_facility[edges].tolist()
    hours = running_h[edges].tolist()
    out: dict[str, dt.date] = {}
    start_h = 0.0
    for lo, hi, leg_h in zip(first, ends, leg_hours, strict=True):
        before_h = 0.0  # summed in path order, as a cumulative sum over the leg would
        for j in range(lo, hi):
            f = facility[j]
            if f >= 0 and ids[f] not in out:
                out[str(ids[f])] = _day(depart, start_h + before_h)
            before_h += hours[j]
        start_h += leg_h
    return out


def _day(depart: dt.date, hours: float) -> dt.date:
    return depart + dt.timedelta(hours=hours)


def _leg_countries(country: str) -> tuple[str, ...]:
    return tuple(c for c in country.split("-") if c)


@dataclass(frozen=True)
class LegEvents:
    """The events that may act on one leg of a path (in table order, with whether each touches
    the leg's facility and its countries), and the leg's place as an event note names it."""

    near: list[tuple[Event, bool, bool]]
    name: str
    countries: tuple[str, ...]


def leg_events(
    net: Network,
    edges: np.ndarray,
    option: RouteOption,
    depart: dt.date,
    starts: np.ndarray | None = None,
    events: Sequence[Event] | None = None,
) -> list[LegEvents]:
    """Per leg of ``option`` (the path ``edges``), the events that may act on it for a departure
    on ``depart``: those in force, or whose queue is not cleared, on some day from ``depart``
    on. Depends on the path and the day only: the planner keeps it per priced path."""
    text = facility_text(net)
    memo: dict[tuple[int, str], LegEvents] = {}
    out = []
    for f, leg in zip(leg_facilities(net, edges, starts), option.legs, strict=True):
        hit = memo.get((f, leg.country))
        if hit is None:
            fid = str(text.ids[f]) if f >= 0 else ""
            countries = _leg_countries(leg.country)
            near = _default_touching(fid, countries) if events is None else (
                _touching(events, fid, countries))  # fmt: skip
            hit = memo[(f, leg.country)] = LegEvents(
                [t for t in near if _may_act(t[0], depart)],
                str(text.names[f]) if f >= 0 else leg.country,
                countries,
            )
        out.append(hit)
    return out


def apply_events(
    net: Network,
    evaluated: Evaluated,
    edges: np.ndarray,
    depart: dt.date,
    events: Sequence[Event] | None = None,
    acting: Sequence[LegEvents] | None = None,
) -> Evaluated:
    """``evaluated`` with the events in force where and when the box is (see module doc);
    ``acting``: ``leg_events`` of the path when known."""
    option = evaluated.option
    if acting is None:
        acting = leg_events(net, edges, option, depart, evaluated.leg_starts, events)
    legs = list(option.legs)  # a leg is copied when an event changes it
    notes: dict[str, OptionEvent | _TariffNote] = {}
    flagged: dict[str, tuple[Event, list[str]]] = {}  # per risk event, the places in route order
    waits = dict.fromkeys(WAIT_BUCKET.values(), 0.0)
    added_h = 0.0
    rail_usd = 0.0
    closed = False
    start_h = 0.0
    for i, here in enumerate(acting):
        leg = legs[i]
        if not here.near:  # most legs: no event touches them
            start_h += leg.hours
            continue
        reached = _day(depart, start_h + added_h)
        name, countries = here.name, here.countries
        start_h += leg.hours
        for e, on_facility, in_country in here.near:
            active = in_force(e, reached)
            if not (active or _in_backlog(e, reached)):
                continue
            where = name if on_facility else ", ".join(c for c in countries if c in e.countries)
            if e.risk is not None and active:
                _add_risk(flagged, e, where)
            if e.effect == "closed" and on_facility:
                if leg is option.legs[i]:
                    leg = legs[i] = leg.model_copy()
                note = _closure(e, name, reached, depart, start_h - leg.hours + added_h)
                closed |= note.closed
                added_h += note.delay_h
                leg.hours = round(leg.hours + note.delay_h, ROUND)
                if leg.mode in WAIT_BUCKET:
                    waits[WAIT_BUCKET[leg.mode]] += note.delay_h
                notes.setdefault(e.event_id, note)
            elif e.effect == "scale" and leg.mode == "rail" and in_country:
                if leg is option.legs[i]:
                    leg = legs[i] = leg.model_copy()
                delta = leg.cost_usd * (float(e.value or 1.0) - 1.0)
                leg.cost_usd = round(leg.cost_usd + delta, ROUND)
                rail_usd += delta
                _add_tariff_note(notes, e, where, reached, delta)
    risks = {
        event_id: Risk(
            kind=e.risk, where=", ".join(places), since=e.start, source=list(e.source_ids),
            event_id=e.event_id, title=e.title,
        )  # fmt: skip
        for event_id, (e, places) in flagged.items()
    }
    for value in evaluated.dated:
        if value.parameter == "weather_wait_h":
            risks.setdefault(f"weather:{value.item}", Risk(
                kind="caspian_weather", where=value.item, since=None,
                source=list(value.source_ids), title=f"Caspian winter storms: {value.note}",
            ))  # fmt: skip
    if not notes and not risks:
        return evaluated
    update: dict = {
        "legs": legs,
        "events": [n.note() if isinstance(n, _TariffNote) else n for n in notes.values()],
        "risks": list(risks.values()),
        "closed": closed,
    }
    if added_h:
        days = added_h / HOURS_PER_DAY
        update["transit_days"] = option.transit_days.model_copy(update={
            "p10": round(option.transit_days.p10 + days, ROUND),
            "p50": round(option.transit_days.p50 + days, ROUND),
            "p90": round(option.transit_days.p90 + days, ROUND),
        })  # fmt: skip
        bucket = option.time_breakdown_h.model_dump()
        for key, hours in waits.items():
            bucket[key] = round(bucket[key] + hours, ROUND)
        update["time_breakdown_h"] = option.time_breakdown_h.model_copy(update=bucket)
        if option.arrival is not None:
            shift = dt.timedelta(hours=added_h)
            update["arrival"] = option.arrival.model_copy(
                update={"p50": option.arrival.p50 + shift, "p90": option.arrival.p90 + shift}
            )
    if rail_usd:
        breakdown = dict(option.cost_breakdown_usd)
        breakdown["rail"] = round(breakdown.get("rail", 0.0) + rail_usd, ROUND)
        update["cost_breakdown_usd"] = breakdown
        update["cost_usd"] = round(option.cost_usd + rail_usd, ROUND)
    return Evaluated(
        option.model_copy(update=update), evaluated.refs, evaluated.facility_rows, evaluated.dated,
        evaluated.parts, evaluated.leg_starts,
    )


def _touching(
    table: Sequence[Event], fid: str, countries: tuple[str, ...]
) -> list[tuple[Event, bool, bool]]:
    """The events of ``table`` on a leg at facility ``fid`` ('' for none) in ``countries``,
    with whether each touches the facility and the countries, in table order."""
    out = []
    for e in table:
        on_facility = bool(fid) and touches_facility(e, fid)
        in_country = any(c in e.countries for c in countries)
        if on_facility or in_country:
            out.append((e, on_facility, in_country))
    return out


@lru_cache(maxsize=4096)
def _default_touching(fid: str, countries: tuple[str, ...]) -> list[tuple[Event, bool, bool]]:
    """``_touching`` of the bundled events table (read-only; remembered: every priced option
    asks for each of its legs)."""
    return _touching(load_events(), fid, countries)


def _may_act(e: Event, depart: dt.date) -> bool:
    """``e`` is in force, or its queue not yet cleared, on some day from ``depart`` on (the
    days a box reaches its legs); the others are left out before the legs are walked."""
    if e.start is None:
        return False
    if e.end is None or e.end >= depart:
        return True
    clear_until = e.end + dt.timedelta(days=e.clear_days)
    return e.effect == "closed" and bool(e.clear_days) and clear_until >= depart


def _in_backlog(e: Event, on: dt.date) -> bool:
    """``on`` is after a closure's end but before its queue has cleared."""
    if e.effect != "closed" or e.end is None or not e.clear_days:
        return False
    return e.end < on <= e.end + dt.timedelta(days=e.clear_days)


def _add_risk(flagged: dict[str, tuple[Event, list[str]]], e: Event, where: str) -> None:
    """One flag per event; the places it touches on the route joined in route order."""
    assert e.risk is not None
    hit = flagged.get(e.event_id)
    if hit is None:
        flagged[e.event_id] = (e, where.split(", "))
        return
    places = hit[1]
    places.extend(p for p in where.split(", ") if p not in places)


def _closure(
    e: Event, where: str, reached: dt.date, depart: dt.date, reached_h: float
) -> OptionEvent:
    """The box reaches a closed facility: it waits for the reopening, or cannot pass."""
    base = dict(event_id=e.event_id, kind=e.kind, title=e.title, where=where, reached=reached,
                source=list(e.source_ids))  # fmt: skip
    if e.end is None:
        return OptionEvent(
            **base, closed=True, effect="closed with no reopening date: the option cannot pass"
        )
    assert e.start is not None
    start = dt.datetime.combine(e.start, dt.time())
    reopen = dt.datetime.combine(e.end + dt.timedelta(days=1), dt.time())
    at = dt.datetime.combine(depart, dt.time()) + dt.timedelta(hours=reached_h)
    length_h = (reopen - start).total_seconds() / 3600.0
    clear_h = e.clear_days * HOURS_PER_DAY
    leave = reopen + dt.timedelta(
        hours=clear_h * ((at - start).total_seconds() / 3600.0) / (clear_h + length_h)
    )
    wait_h = max(0.0, (leave - at).total_seconds() / 3600.0)
    queue = f"the queue of the closure ({e.clear_days:g} days to clear)"
    if at < reopen:
        why = f"for the reopening on {reopen.date()}" + (f", then {queue}" if clear_h else "")
    else:
        why = f"behind {queue}: reopened on {reopen.date()}"
    effect = f"closed {e.start} to {e.end}: the box waits {wait_h / HOURS_PER_DAY:.1f} days, {why}"
    return OptionEvent(**base, delay_h=round(wait_h, ROUND), effect=effect)


@dataclass
class _TariffNote:
    """A tariff change on the rail legs it re-priced: the day the first was reached, the place
    of the last, and the total change (each leg's change added to the total so far as the note
    shows it, rounded)."""

    event: Event
    where: str
    reached: dt.date
    total_usd: float

    def note(self) -> OptionEvent:
        e = self.event
        return OptionEvent(
            event_id=e.event_id, kind=e.kind, title=e.title, where=self.where,
            reached=self.reached,
            effect=f"rail tariff × {e.value:g} from {e.start}: {self.total_usd:+,.0f} USD",
            cost_delta_usd=round(self.total_usd, ROUND), source=list(e.source_ids),
        )  # fmt: skip


def _add_tariff_note(
    notes: dict[str, OptionEvent | _TariffNote],
    e: Event,
    where: str,
    reached: dt.date,
    delta_usd: float,
) -> None:
    note = notes.get(e.event_id)
    if not isinstance(note, _TariffNote):
        notes[e.event_id] = _TariffNote(e, where, reached, delta_usd + 0.0)
        return
    note.total_usd = delta_usd + round(note.total_usd, ROUND)
    note.where = where


def event_source_ids(options: Sequence[RouteOption]) -> list[str]:
    """Source ids of the events and risk flags on ``options``, each once, in order."""
    ids: list[str] = []
    for o in options:
        ids.extend(s for event in o.events for s in event.source)
        ids.extend(s for risk in o.risks for s in risk.source)
    return list(dict.fromkeys(ids))
