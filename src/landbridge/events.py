"""The events table: what happens where and when on the corridor (``data/events/events.csv``).

One table read by every face: dated facility values (``effect: set``) become rows of the dated
series in ``costs/dated.py``; closures, tariff changes and risk flags are read by the route
planner (``routing/event_effects.py``); flows, the simulation and scenarios read closures and
openings from here. Read with the csv module (no pandas on the route command's cold path).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from landbridge.csv_rows import read_text_rows
from landbridge.data import split_source_ids
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.paths import DATA_DIR
from landbridge.schema.event import Event, EventOut

EVENTS_CSV = DATA_DIR / "events" / "events.csv"
COUNTRIES_CSV = DATA_DIR / "places" / "countries.csv"
COLUMNS = (
    "event_id", "kind", "title", "start", "end", "facilities", "countries", "effect",
    "parameter", "value", "risk", "source_ids", "note", "assumption",
)  # fmt: skip


def _cell_date(cell: str, where: str) -> dt.date | None:
    cell = cell.strip()
    if not cell:
        return None
    try:
        return dt.date.fromisoformat(cell)
    except ValueError:
        raise ParameterError(f"{where}: '{cell}' is not a date YYYY-MM-DD") from None


def _list(cell: str) -> tuple[str, ...]:
    return tuple(split_source_ids(cell))


@lru_cache(maxsize=4)
def load_events(path: str = str(EVENTS_CSV)) -> tuple[Event, ...]:
    """Every event of the table, ordered by start (undated announcements last)."""
    file = Path(path)
    try:
        records = read_text_rows(file, COLUMNS, ParameterError)
    except FileNotFoundError:
        raise ParameterError(f"events table missing: {file}") from None
    events: list[Event] = []
    seen: set[str] = set()
    for line, rec in enumerate(records, start=2):
        where = f"{file.name} line {line}"
        value = rec["value"].strip()
        try:
            event = Event(
                event_id=rec["event_id"].strip(),
                kind=rec["kind"].strip(),
                title=rec["title"].strip(),
                start=_cell_date(rec["start"], where),
                end=_cell_date(rec["end"], where),
                facilities=_list(rec["facilities"]),
                countries=tuple(c.upper() for c in _list(rec["countries"])),
                effect=rec["effect"].strip(),
                parameter=rec["parameter"].strip(),
                value=float(value) if value else None,
                risk=rec["risk"].strip() or None,
                source_ids=_list(rec["source_ids"]),
                note=rec["note"].strip(),
                assumption=rec["assumption"].strip(),
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "row"
            raise ParameterError(f"{where}: {field}: {err['msg']}") from None
        except ValueError:
            raise ParameterError(f"{where}: value '{value}' is not a number") from None
        if event.event_id in seen:
            raise ParameterError(f"{where}: event_id '{event.event_id}' appears twice")
        seen.add(event.event_id)
        events.append(event)
    events.sort(key=lambda e: (e.start is None, e.start or dt.date.max, e.event_id))
    return tuple(events)


def touches_facility(event: Event, facility_id: str) -> bool:
    return _matches_any(event.facilities, facility_id)


@lru_cache(maxsize=8192)
def _matches_any(patterns: tuple[str, ...], facility_id: str) -> bool:
    """Remembered: every priced option asks for each of its facilities."""
    return any(fnmatch.fnmatchcase(facility_id, pattern) for pattern in patterns)


def in_force(event: Event, on: dt.date) -> bool:
    return event.status(on) == "in_force"


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Lower-case country name → ISO2 (from the bundled country table)."""
    rows = read_text_rows(COUNTRIES_CSV, ("name", "iso2"), ParameterError)
    return {row["name"].strip().lower(): row["iso2"].strip() for row in rows}


def _matches_place(event: Event, place: str) -> bool:
    """``place`` is a country code or name, or part of a facility id, event id or title."""
    text = place.strip().lower()
    code = text.upper() if len(text) == 2 else _country_names().get(text, "")
    if code and code in event.countries:
        return True
    slug = text.replace(" ", "-")
    haystack = [event.event_id, event.title.lower(), *event.facilities]
    return any(slug in h or text in h for h in haystack)


def events_on(
    on: dt.date, where: str | None = None, events: Sequence[Event] | None = None
) -> list[EventOut]:
    """Events in force or announced on ``on`` (ended ones are left out), optionally only those
    touching ``where``; raises ``InvalidInputError`` when ``where`` matches no event at all."""
    table = load_events() if events is None else events
    picked = [e for e in table if where is None or _matches_place(e, where)]
    if where is not None and not picked:
        raise InvalidInputError(
            f"no event touches '{where}': give a country (code or name), a facility id or "
            "part of one (e.g. brest, dostyk, KZ, Iran)"
        )
    return [EventOut(event=e, status=status) for e in picked if (status := e.status(on)) != "ended"]


def facility_set_events(events: Iterable[Event] | None = None) -> list[Event]:
    """Events that set a facility value from their start (rows of the dated series)."""
    table = load_events() if events is None else events
    return [e for e in table if e.effect == "set"]


def country_factor(country: str, parameter: str, on: dt.date) -> tuple[float, list[Event]]:
    """Product of the ``scale`` events of ``country``'s ``parameter`` in force on ``on``."""
    factor = 1.0
    used: list[Event] = []
    for e in load_events():
        scales = e.effect == "scale" and e.parameter == parameter and country in e.countries
        if scales and in_force(e, on):
            factor *= float(e.value or 1.0)
            used.append(e)
    return factor, used


def newest_event_date() -> dt.date:
    """The latest start or end date in the table that is not an announcement of the future."""
    dates = [d for e in load_events() if e.effect != "scenario" for d in (e.start, e.end) if d]
    return max(dates)
