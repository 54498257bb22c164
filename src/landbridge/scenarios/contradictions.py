"""Modifications that contradict each other or do nothing: refused naming both modifications.

- a facility closed for good and then changed (capacity, dwell, tariff, fleet): the change can
  never act (the report's case: simulated at 40 trains/day after the closure);
- the same absolute setting of the same facility given twice: the later one silently wins
  (factors compose and are allowed);
- a dated closure that ends before the scenario's year begins (a 1990 closure in a 2023
  scenario): nothing would close.
"""

from __future__ import annotations

import datetime as dt

from landbridge.scenarios.load import modification_label
from landbridge.schema.scenario import CloseCrossing, Modification, Scenario

CHANGES_A_FACILITY = ("set_capacity", "set_dwell", "set_tariff", "set_ferry_fleet")


def contradictions(scenario: Scenario) -> list[str]:
    """One line per contradiction or no-op, naming the modifications by index and type."""
    problems: list[str] = []
    closed_for_good: dict[str, int] = {}
    setting: dict[tuple[str, str, str], int] = {}
    year_start = dt.date(scenario.base.year, 1, 1)
    mods = scenario.modifications
    for i, mod in enumerate(mods):
        label = modification_label(i, mod.type)
        facility = getattr(mod, "facility", None)
        if isinstance(mod, CloseCrossing):
            if mod.to_date is None:
                closed_for_good.setdefault(mod.facility, i)
            elif mod.to_date < year_start:
                problems.append(
                    f"{label}: the closure of '{mod.facility}' ends on {mod.to_date}, before the "
                    f"scenario's year {scenario.base.year} begins; nothing would close (fix the "
                    "dates or base.year)"
                )
            continue
        if facility is None or mod.type not in CHANGES_A_FACILITY:
            continue
        if facility in closed_for_good:
            first = closed_for_good[facility]
            problems.append(
                f"{label} changes '{facility}', which "
                f"{modification_label(first, mods[first].type)} closes for good; the change "
                "could never act: remove one of them (or give the closure dates)"
            )
        what = _what(mod)
        if what is None:  # relative (a factor): composes with what came before
            continue
        key = (mod.type, facility, what)
        if key in setting:
            first = setting[key]
            problems.append(
                f"{label} sets what {modification_label(first, mods[first].type)} already "
                f"sets for '{facility}'; only the later would count: keep one"
            )
        setting.setdefault(key, i)
    return problems


def _what(mod: Modification) -> str | None:
    """Which setting an absolute facility modification changes; ``None`` for a factor."""
    if getattr(mod, "factor", None) is not None:
        return None
    if mod.type == "set_capacity":
        from landbridge.scenarios.units import capacity_column

        into = getattr(mod, "into", None)
        return capacity_column(mod)[0] + (f" into {into}" if into else "")
    return ""
