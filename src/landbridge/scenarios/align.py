"""Compare like with like: both sides of a comparison on one base year and departure date.

A scenario that sets no departure date plans its routes for today; compared with a scenario
that sets one, it would differ by season, weather and dated rates, none of it from the
modifications. So a side without a date takes the other side's date. What each scenario sets
itself (two different dates, two different base years) is kept and named in the notes.
"""

from __future__ import annotations

import datetime as dt

from landbridge.schema.scenario import Scenario


def align_bases(a: Scenario, b: Scenario) -> tuple[Scenario, Scenario, list[str]]:
    """(A, B) with a shared departure date where only one side sets it, and notes on the rest."""
    notes: list[str] = []
    da, db = a.base.departure_date, b.base.departure_date
    if da is None and db is not None:
        a = _with_date(a, db)
        notes.append(f"A ({a.name}) sets no departure date: it runs on B's, {db}")
    elif db is None and da is not None:
        b = _with_date(b, da)
        notes.append(f"B ({b.name}) sets no departure date: it runs on A's, {da}")
    elif da != db:
        notes.append(
            f"the departure dates differ (A {da}, B {db}): route differences include the "
            "season and the dated rates, not only the modifications"
        )
    if a.base.year != b.base.year:
        notes.append(
            f"the base years differ (A {a.base.year}, B {b.base.year}): demand and dated "
            "capacities differ, not only the modifications"
        )
    return a, b, notes


def stored_differences(a: Scenario, b: Scenario) -> list[str]:
    """Notes on base differences of two stored runs (they are read back, not rerun)."""
    notes = []
    if a.base.departure_date != b.base.departure_date:
        notes.append(
            f"the stored runs depart on different dates (A {a.base.departure_date or 'today'}, "
            f"B {b.base.departure_date or 'today'})"
        )
    if a.base.year != b.base.year:
        notes.append(
            f"the stored runs have different base years (A {a.base.year}, B {b.base.year})"
        )
    return notes


def _with_date(s: Scenario, day: dt.date | None) -> Scenario:
    return s.model_copy(update={"base": s.base.model_copy(update={"departure_date": day})})
