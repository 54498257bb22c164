"""How recent the data behind an answer is, per kind, and whether it is stale.

For the date an answer is for (a departure, or a year's flows), each kind names its newest
figure not later than that date: rail tariffs (``params/rail_tariff.csv``, dated to the year),
border times (the dated dwell rows of ``params/facility_dated.csv``), ocean rates (the WCI
samples of ``facilities/ocean_rates.csv``) and events (``events/events.csv``). A kind is stale
when that figure is more than ``STALE_AFTER_DAYS`` older than the date.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from landbridge.csv_rows import read_text_rows
from landbridge.errors import ParameterError
from landbridge.events import load_events
from landbridge.network.ocean_rates import OCEAN_RATES_CSV
from landbridge.paths import DATA_DIR
from landbridge.schema.event import DataDate

STALE_AFTER_DAYS = 365
RAIL_TARIFF_CSV = DATA_DIR / "params" / "rail_tariff.csv"
FACILITY_DATED_CSV = DATA_DIR / "params" / "facility_dated.csv"
DWELL_COLUMNS = ("dwell_p50_h", "dwell_p90_h")


@lru_cache(maxsize=4)
def _rows(path: Path, column: str) -> tuple[dict[str, str], ...]:
    try:
        return tuple(read_text_rows(path, (column,), ParameterError))
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"cannot read {path.name}: {exc}") from None


def _as_date(published: str) -> dt.date:
    """A published date as the last day it may stand for (a year is its 31 December)."""
    if len(published) == len("YYYY"):
        return dt.date(int(published), 12, 31)
    if len(published) == len("YYYY-MM"):
        year, month = map(int, published.split("-"))
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date.fromisoformat(published)


def _newest(published: list[str], on: dt.date) -> str:
    """The newest published date whose start is not after ``on`` (else the earliest one)."""
    started = [p for p in published if _start(p) <= on]
    return max(started, key=_as_date) if started else min(published, key=_as_date)


def _start(published: str) -> dt.date:
    parts = [int(p) for p in published.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _entry(kind: str, published: str, table: str, on: dt.date, extra: str = "") -> DataDate:
    newest = _as_date(published)
    age_days = (on - newest).days
    stale = age_days > STALE_AFTER_DAYS
    note = f"{kind.replace('_', ' ')}: newest figure {published} ({table})"
    if stale:
        note += f", {age_days / 365.25:.1f} years older than {on}"
    if extra:
        note += f"; {extra}"
    return DataDate(kind=kind, newest=newest, as_published=published, table=table,
                    stale=stale, note=note)  # fmt: skip


def data_dates(on: dt.date) -> list[DataDate]:
    """The newest data of each kind for an answer about ``on``."""
    return list(_data_dates(on))


@lru_cache(maxsize=64)
def _data_dates(on: dt.date) -> tuple[DataDate, ...]:
    """Remembered per day: every route answer names them."""
    tariffs = _newest([r["year"] for r in _rows(RAIL_TARIFF_CSV, "year") if r["year"].strip()], on)
    applied = [
        f"{', '.join(e.countries)} × {e.value:g} from {e.start}"
        for e in load_events()
        if e.effect == "scale" and e.start is not None and e.start <= on
    ]
    dwell = _newest(
        [r["year"] for r in _rows(FACILITY_DATED_CSV, "year") if r["column"] in DWELL_COLUMNS], on
    )
    ocean = _newest([r["date"] for r in _rows(OCEAN_RATES_CSV, "date") if r["date"].strip()], on)
    starts = [e.start.isoformat() for e in load_events() if e.start and e.effect != "scenario"]
    return (
        _entry("tariffs", tariffs, "params/rail_tariff.csv", on,
               f"tariff changes applied from events.csv: {'; '.join(applied)}" if applied else ""),
        _entry("border_times", dwell, "params/facility_dated.csv", on),
        _entry("ocean_rates", ocean, "facilities/ocean_rates.csv", on),
        _entry("events", _newest(starts, on), "events/events.csv", on),
    )  # fmt: skip


def newest_data_note(on: dt.date) -> str:
    """One line naming the newest data of each kind for ``on``, stale kinds marked."""
    old = " (more than a year old)"
    parts = [f"{d.kind.replace('_', ' ')} {d.as_published}{old if d.stale else ''}"
             for d in data_dates(on)]  # fmt: skip
    return f"newest data for {on}: " + ", ".join(parts)
