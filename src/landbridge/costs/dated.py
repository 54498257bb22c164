"""Parameters that depend on the date: dated facility rows and ocean freight by month.

- ``facility_dated.csv``: rows ``facility_id, column, value, valid_from, valid_to`` (bounds
  inclusive, an empty bound is open), joined by the ``set`` events of the events table
  (``data/events/events.csv``: quotas, capacity changes), each a row from its start. On a
  date the row valid then replaces the facility's own value; before the first row, or in a
  gap, the nearest row stands in and its note says so. A series applies only where the
  network's own value is one of the series' values, so a hand-made network or a scenario that
  sets another value keeps its value.
- Ocean freight: the Drewry WCI samples of the sea layer (``facilities/ocean_rates.csv``) on
  the lane of each ocean link's destination port: the mean of the samples of the departure's
  month, else the nearest earlier sample (the earliest one for dates before the first), said
  in the note. Samples dated to the year only are not used (their month is unknown).
Winter weather on the ferry lines is in ``costs.weather``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from landbridge.costs.params import PARAMS_DIR
from landbridge.csv_rows import read_text_rows
from landbridge.data import split_source_ids
from landbridge.errors import InvalidInputError, ParameterError
from landbridge.events import EVENTS_CSV, facility_set_events, load_events
from landbridge.network.derived import derived
from landbridge.network.model import Network
from landbridge.network.ocean_rates import OCEAN_RATE_LANE, ocean_rate_rows
from landbridge.schema.route import DatedValue

if TYPE_CHECKING:
    import pandas as pd

FACILITY_DATED_CSV = PARAMS_DIR / "facility_dated.csv"
UNITS = {
    "dwell_p50_h": "h",
    "dwell_p90_h": "h",
    "cost_usd_per_feu": "USD/FEU",
    "headway_h": "h",
    "speed_kmh": "km/h",
    "capacity_trains_per_day": "trains/day",
    "capacity_t_per_yr": "t/yr",
    "quota_trains_per_day_into_CN": "trains/day",  # one direction only (flows.capacity)
}
# Departures further ahead are not a booking question, and every dated figure would be
# today's latest one anyway: refuse them rather than pretend to know that future.
MAX_YEARS_AHEAD = 2
_PATCH_LIMIT = 512  # a skim of the demand pairs on one date reads ~130 (date, reach) sets


@dataclass(frozen=True)
class DatedRow:
    facility_id: str
    column: str
    value: float
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_ids: tuple[str, ...]
    note: str
    assumption: str

    def covers(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    @property
    def span(self) -> str:
        return f"{self.valid_from or '…'} to {self.valid_to or '…'}"


Series = tuple[DatedRow, ...]


def _date(cell: str, where: str) -> dt.date | None:
    if not cell.strip():
        return None
    try:
        return dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise ParameterError(f"{where}: '{cell}' is not a date YYYY-MM-DD") from None


def read_table(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV table, every cell as text ('' when empty), in file order."""
    try:
        return read_text_rows(path, required, ParameterError)
    except FileNotFoundError:
        raise ParameterError(f"parameter table missing: {path}") from None


def _event_rows(events_path: str) -> list[DatedRow]:
    """The ``set`` events as dated rows (the table checks their dates and fields)."""
    rows = []
    for e in facility_set_events(load_events(events_path)):
        if e.parameter not in UNITS:
            raise ParameterError(
                f"events.csv {e.event_id}: parameter '{e.parameter}' cannot be dated; "
                f"datable: {', '.join(UNITS)}"
            )
        for fid in e.facilities:
            rows.append(DatedRow(
                fid, e.parameter, float(e.value or 0.0), e.start, e.end, e.source_ids,
                f"{e.title} ({e.event_id})", e.assumption,
            ))  # fmt: skip
    return rows


@lru_cache(maxsize=4)
def load_facility_series(
    path: str = str(FACILITY_DATED_CSV), events_path: str = str(EVENTS_CSV)
) -> dict[tuple[str, str], Series]:
    """(facility_id, column) → its rows ordered by date, from the dated table and the ``set``
    events; checks dates, columns and overlaps."""
    file = Path(path)
    frame = read_table(
        file, ("facility_id", "column", "value", "valid_from", "valid_to", "source_ids", "note")
    )
    grouped: dict[tuple[str, str], list[DatedRow]] = {}
    for line, rec in enumerate(frame, start=2):
        where = f"{file.name} line {line}"
        if rec["column"] not in UNITS:
            raise ParameterError(
                f"{where}: column '{rec['column']}' cannot be dated; datable: {', '.join(UNITS)}"
            )
        try:
            value = float(rec["value"])
        except ValueError:
            raise ParameterError(f"{where}: value '{rec['value']}' is not a number") from None
        lo, hi = _date(rec["valid_from"], where), _date(rec["valid_to"], where)
        if lo and hi and hi < lo:
            raise ParameterError(f"{where}: valid_to {hi} is before valid_from {lo}")
        row = DatedRow(
            rec["facility_id"], rec["column"], value, lo, hi,
            tuple(split_source_ids(rec["source_ids"])), rec["note"], rec.get("assumption", ""),
        )  # fmt: skip
        grouped.setdefault((row.facility_id, row.column), []).append(row)
    for row in _event_rows(events_path):
        grouped.setdefault((row.facility_id, row.column), []).append(row)
    series: dict[tuple[str, str], Series] = {}
    for (fid, col), rows in grouped.items():
        rows.sort(key=lambda r: r.valid_from or dt.date.min)
        for a, b in zip(rows, rows[1:], strict=False):
            if a.valid_to is None or b.valid_from is None or b.valid_from <= a.valid_to:
                raise ParameterError(
                    f"{file.name} and events.csv: rows of {fid}.{col} overlap "
                    f"({a.span} and {b.span})"
                )
        series[(fid, col)] = tuple(rows)
    return series


def row_on(series: Series, on: dt.date) -> tuple[DatedRow, str]:
    """The row valid on ``on``, else the nearest one with a note saying which stood in."""
    for row in series:
        if row.covers(on):
            return row, ""
    earlier = [r for r in series if r.valid_to is not None and r.valid_to < on]
    if earlier:
        row = earlier[-1]
        return row, f"no row valid on {on}: the nearest earlier one ({row.span}) is used"
    row = series[0]
    return row, f"no figure before {row.valid_from}: the earliest one ({row.span}) is used"


# --- ocean freight by month -------------------------------------------------------------------
@dataclass(frozen=True)
class OceanSample:
    lane: str
    usd_per_feu: float
    sample_date: str
    source_ids: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class _RateRow:
    date: str  # as published: YYYY-MM or YYYY-MM-DD (rows dated to the year only are dropped)
    cost_usd_per_feu: object  # the table's cell, converted when the row is picked
    source_ids: object


def _month_rows(cells: Iterable[tuple[str, str, object, object]]) -> dict[str, list[_RateRow]]:
    """Lane → its samples dated at least to the month, in table order, from (lane, date, cost,
    source ids) rows."""
    rows: dict[str, list[_RateRow]] = {}
    for lane, date, cost, ids in cells:
        if len(date) >= len("YYYY-MM"):
            rows.setdefault(lane, []).append(_RateRow(date, cost, ids))
    return rows


@lru_cache(maxsize=1)
def _bundled_month_rows() -> dict[str, list[_RateRow]]:
    return _month_rows(
        (r["lane"], r["date"], r["cost_usd_per_feu"], r["source_ids"]) for r in ocean_rate_rows()
    )


def ocean_sample(lane: str, on: dt.date, rates: pd.DataFrame | None = None) -> OceanSample:
    """The WCI rate of ``lane`` for the month of ``on`` (mean of that month's samples), else the
    nearest earlier sample, else the earliest; a lane without samples uses the reference lane."""
    by_lane = _bundled_month_rows() if rates is None else _month_rows(zip(
        rates["lane"].tolist(), rates["date"].astype(str).tolist(),
        rates["cost_usd_per_feu"].tolist(), rates["source_ids"].tolist(), strict=True,
    ))  # fmt: skip
    note = ""
    samples = by_lane.get(lane, [])
    if not samples:
        note = f"no {lane} WCI samples: the {OCEAN_RATE_LANE} lane is used; "
        lane = OCEAN_RATE_LANE
        samples = by_lane.get(lane, [])
    if not samples:
        raise ParameterError(f"ocean_rates.csv: no dated WCI sample for {lane}")
    month = f"{on:%Y-%m}"
    pick = [r for r in samples if r.date[:7] == month]
    if not pick:
        earlier = [r for r in samples if r.date < month]
        if earlier:
            latest = max(r.date for r in earlier)
            pick = [r for r in earlier if r.date == latest]
            note += f"no {lane} WCI sample in {month}: the nearest earlier one is used"
        else:
            first = min(r.date for r in samples)
            pick = [r for r in samples if r.date == first]
            note += f"no {lane} WCI sample before {first}: the earliest one is used"
    ids = dict.fromkeys(s for r in pick for s in split_source_ids(r.source_ids))
    return OceanSample(
        lane=lane,
        usd_per_feu=float(np.mean(np.asarray([r.cost_usd_per_feu for r in pick], dtype=float))),
        sample_date=", ".join(r.date for r in pick),
        source_ids=tuple(ids),
        note=note.strip("; "),
    )


# --- the patch of one date ------------------------------------------------------------------
@dataclass(frozen=True)
class DatedPatch:
    """Facility values valid on ``on`` (applied before ``--params`` overrides) and what was used."""

    on: dt.date
    facility_values: Mapping[str, Mapping[str, float]]
    records: Mapping[str, tuple[DatedValue, ...]]  # facility id -> values used for it
    key: tuple  # equal keys give equal edge costs (cache key)


def _same_value(own: object, series: Series) -> bool:
    try:
        value = float(own)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return bool(np.isfinite(value)) and any(np.isclose(value, r.value) for r in series)


def _number(cell: object) -> float:
    """A facility cell as a float, NaN where it is missing or not a number (compares False)."""
    try:
        return float(cell)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _text(cell: object) -> str:
    return "" if cell is None or cell != cell else str(cell)


@dataclass
class _DatedBase:
    """What every dated patch of one network reads, found once: the ocean lanes, the series
    that apply (the facility's own value is one of the series' values) with the facility's own
    dwell cells, and the records made for a (facility, column, day) or (lane, day)."""

    series: Mapping[tuple[str, str], Series]  # load_facility_series() it was built from
    lanes: dict[str, str]
    applicable: tuple[tuple[str, str, Series], ...]
    own_dwell: dict[str, dict[str, float]]
    dated_ids: frozenset[str]
    records: dict[tuple[str, str, dt.date], tuple[float, DatedValue]]
    ocean: dict[tuple[str, str], tuple[OceanSample, DatedValue]]  # per lane and YYYY-MM
    applicable_of: dict[str, tuple[tuple[str, Series], ...]]  # facility id -> its series


def _dated_base(net: Network) -> _DatedBase:
    series = load_facility_series()
    held: dict[str, _DatedBase] = derived(net, "dated-base", lambda _net: {})
    base = held.get("base")
    if base is None or base.series is not series:  # the series were read again
        base = held["base"] = _read_base(net, series)
    return base


def _read_base(net: Network, series: Mapping[tuple[str, str], Series]) -> _DatedBase:
    fac = net.facilities
    index = {str(fid): i for i, fid in enumerate(fac["facility_id"].tolist())} if len(fac) else {}
    columns: dict[str, list] = {}

    def cell(col: str, i: int) -> object:
        if col not in columns:
            columns[col] = fac[col].tolist()
        return columns[col][i]

    applicable = tuple(
        (fid, col, rows)
        for (fid, col), rows in series.items()
        if index.get(fid) is not None and col in fac and _same_value(cell(col, index[fid]), rows)
    )
    own_dwell = {
        fid: {c: _number(cell(c, index[fid])) if c in fac else float("nan")
              for c in ("dwell_p50_h", "dwell_p90_h")}
        for fid, col, _ in applicable if col in ("dwell_p50_h", "dwell_p90_h")
    }  # fmt: skip
    lanes = _read_ocean_lanes(net)
    dated_ids = frozenset({fid for fid, _ in series} | set(lanes))
    applicable_of: dict[str, list[tuple[str, Series]]] = {}
    for fid, col, rows in applicable:
        applicable_of.setdefault(fid, []).append((col, rows))
    return _DatedBase(
        series, lanes, applicable, own_dwell, dated_ids, {}, {},
        {f: tuple(cols) for f, cols in applicable_of.items()},
    )  # fmt: skip


def _read_ocean_lanes(net: Network) -> dict[str, str]:
    """Ocean facility id → WCI lane of its destination port ('' where the port has none);
    only ocean rows with a destination port and an attached WCI charge."""
    fac = net.facilities
    if not len(fac) or "to_port" not in fac or "cost_usd_per_feu" not in fac:
        return {}
    kinds = fac["kind"].tolist()
    lane_of: dict[str, str] = {}
    if {"port_id", "wci_lane"} <= set(fac.columns):
        ports = zip(kinds, fac["port_id"].tolist(), fac["wci_lane"].tolist(), strict=True)
        lane_of = {str(port): _text(lane) for kind, port, lane in ports if kind == "port"}
    priced = (~np.isnan(fac["cost_usd_per_feu"])).tolist()
    cells = zip(kinds, fac["facility_id"].tolist(), fac["to_port"].tolist(), priced, strict=True)
    return {
        str(fid): lane_of.get(str(port), "")
        for kind, fid, port, has_cost in cells
        if kind == "ocean" and _text(port) and has_cost
    }


def _build_patch(net: Network, on: dt.date) -> DatedPatch:
    base = _dated_base(net)
    values: dict[str, dict[str, float]] = {}
    records: dict[str, list[DatedValue]] = {}
    for fid, col, series in base.applicable:
        value, record = _dated_cell(base, fid, col, series, on)
        values.setdefault(fid, {})[col] = value
        records.setdefault(fid, []).append(record)
    for fid, cells in values.items():
        _check_dwell(base, fid, cells, on)
    for fid, lane in base.lanes.items():
        sample, record = _lane_sample(base, lane, on)
        values.setdefault(fid, {})["cost_usd_per_feu"] = sample.usd_per_feu
        records.setdefault(fid, []).append(record)
    return _patch(on, values, {k: tuple(v) for k, v in records.items()})


def _reach_patch(net: Network, plain: DatedPatch, reach: Mapping[str, dt.date]) -> DatedPatch:
    """``plain`` (the patch of its date) with the facilities of ``reach`` (dated ids, each a
    day other than the patch's) read on their own day: the patch of reading every facility on
    its day, built from the few that differ (a skim of one date asks for ~130 such sets)."""
    base = _dated_base(net)
    values = dict(plain.facility_values)
    records = dict(plain.records)
    for fid in [f for f in values if f in reach]:  # in the plain patch's order
        day = reach[fid]
        cells: dict[str, float] = {}
        made: list[DatedValue] = []
        for col, series in base.applicable_of.get(fid, ()):
            value, record = _dated_cell(base, fid, col, series, day)
            cells[col] = value
            made.append(record)
        _check_dwell(base, fid, cells, plain.on)
        if fid in base.lanes:
            sample, record = _lane_sample(base, base.lanes[fid], day)
            cells["cost_usd_per_feu"] = sample.usd_per_feu
            made.append(record)
        values[fid], records[fid] = cells, tuple(made)
    return _patch(plain.on, values, records)


def _patch(
    on: dt.date,
    values: Mapping[str, Mapping[str, float]],
    records: Mapping[str, tuple[DatedValue, ...]],
) -> DatedPatch:
    key = tuple(sorted((f, c, v) for f, cells in values.items() for c, v in cells.items()))
    return DatedPatch(on, values, records, key)


def _dated_cell(
    base: _DatedBase, fid: str, col: str, series: Series, day: dt.date
) -> tuple[float, DatedValue]:
    """The value of ``col`` of ``fid`` on ``day`` and its record (made once per day)."""
    made = base.records.get((fid, col, day))
    if made is None:
        row, note = row_on(series, day)
        made = base.records[(fid, col, day)] = (row.value, DatedValue(
            item=fid, parameter=col, value=row.value, unit=UNITS[col],
            valid_from=row.valid_from, valid_to=row.valid_to, source_ids=list(row.source_ids),
            note="; ".join(t for t in (note, row.note, row.assumption) if t),
        ))  # fmt: skip
    return made


def _check_dwell(base: _DatedBase, fid: str, cells: Mapping[str, float], on: dt.date) -> None:
    if "dwell_p50_h" not in cells and "dwell_p90_h" not in cells:
        return
    own = base.own_dwell[fid]
    p50 = cells.get("dwell_p50_h", own["dwell_p50_h"])
    p90 = cells.get("dwell_p90_h", own["dwell_p90_h"])
    if p90 < p50:
        raise ParameterError(
            f"facility_dated.csv: on {on} {fid} would have dwell_p90_h {p90:g} below "
            f"dwell_p50_h {p50:g}; date the other column too"
        )


def _lane_sample(base: _DatedBase, lane: str, day: dt.date) -> tuple[OceanSample, DatedValue]:
    """The WCI sample of ``lane`` (the reference lane where '') for the month of ``day`` and
    its record, made once per lane and month (``ocean_sample`` reads the month only)."""
    lane = lane or OCEAN_RATE_LANE
    month = f"{day:%Y-%m}"
    made = base.ocean.get((lane, month))
    if made is None:
        sample = ocean_sample(lane, day)
        made = base.ocean[(lane, month)] = (sample, DatedValue(
            item=sample.lane, parameter="cost_usd_per_feu", value=sample.usd_per_feu,
            unit="USD/FEU", sample_date=sample.sample_date, source_ids=list(sample.source_ids),
            note=sample.note,
        ))  # fmt: skip
    return made


def dated_patch(
    net: Network, on: dt.date, reach: Mapping[str, dt.date] | None = None
) -> DatedPatch:
    """The dated facility values of ``net`` on ``on`` (remembered per network and dates).

    ``reach`` gives, per facility id, the day a shipment reaches it: that facility's values
    are those of that day (the dated value applies where and when the box is)."""
    days: tuple = ()
    if reach:
        dated_ids = _dated_base(net).dated_ids
        days = tuple(sorted((f, d) for f, d in reach.items() if f in dated_ids and d != on))
    patches: dict[tuple, DatedPatch] = derived(net, "dated-patches", lambda _net: {})
    patch = patches.get((on, days))
    if patch is None:
        if len(patches) >= _PATCH_LIMIT:
            patches.clear()
        plain = patches.get((on, ())) or _build_patch(net, on)
        patch = patches[(on, days)] = _reach_patch(net, plain, dict(days)) if days else plain
    return patch


# --- the departure date -----------------------------------------------------------------------
def today() -> dt.date:
    """The date used when a request gives none (a function so tests can fix it)."""
    return dt.date.today()


@lru_cache(maxsize=1)
def earliest_dated() -> dt.date:
    """The earliest date any dated table has a figure for."""
    starts = [r.valid_from for s in load_facility_series().values() for r in s if r.valid_from]
    rates = [r["date"] for r in ocean_rate_rows()]
    starts += [dt.date.fromisoformat(d) for d in rates if len(d) == len("YYYY-MM-DD")]
    return min(starts)


def check_depart(on: dt.date, now: dt.date) -> None:
    """Refuse departures before the dated data or more than ``MAX_YEARS_AHEAD`` years ahead."""
    first = earliest_dated()
    if on < dt.date(first.year, 1, 1):
        raise InvalidInputError(
            f"depart {on}: the dated parameters (border times, quotas, ocean freight) start in "
            f"{first.year}; give a date from {first.year}-01-01"
        )
    last = dt.date(now.year + MAX_YEARS_AHEAD, now.month, min(now.day, 28))
    if on > last:
        raise InvalidInputError(
            f"depart {on}: more than {MAX_YEARS_AHEAD} years after today ({now}); no dated "
            f"figure reaches that far: give a date up to {last}"
        )
