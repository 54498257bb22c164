"""The events table of one year as scenario modifications (``base.events: true``)."""

from __future__ import annotations

import datetime as dt

from landbridge.costs.dated import load_facility_series, row_on
from landbridge.events import load_events
from landbridge.schema.facility import QUOTA_PREFIX

CAPACITY_UNITS = {"capacity_trains_per_day": "trains_per_day", "capacity_t_per_yr": "t_per_yr"}


def year_modifications(year: int) -> list[dict]:
    """The events table as scenario modifications for ``year`` (``base.events: true``).

    Each closure overlapping the year becomes a dated ``close_crossing`` clipped to the year (the
    flows count its days); each dated capacity (new tracks: the ``set`` events and the rows
    before them) becomes a ``set_capacity`` at its day-weighted mean over the year, and each
    quota into a country (China's) a ``set_capacity … into`` the same way, the days before it
    counted at the facility's own daily figure (or the quota's when it has none). All carry
    ``observed_floor`` (base data: floored at the observed throughput like the tables). Tariff
    changes are left to the route planner, which applies them on the day the box is there.
    Facility patterns (``*``) are not expanded: closures name their facilities exactly."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    mods: list[dict] = []
    for e in load_events():
        if e.effect != "closed" or e.start is None or e.start > last:
            continue
        if e.end is not None and e.end < first:
            continue
        for fid in e.facilities:
            if "*" not in fid:
                mods.append({
                    "type": "close_crossing", "facility": fid, "from_date": max(e.start, first),
                    "to_date": min(e.end or last, last), "reason": f"{e.title} ({e.event_id})",
                })  # fmt: skip
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    series = load_facility_series()
    for (fid, column), rows in series.items():
        if column in CAPACITY_UNITS:
            mean = sum(row_on(rows, day)[0].value for day in days) / len(days)
            mods.append({"type": "set_capacity", "facility": fid, "value": round(mean, 3),
                         "unit": CAPACITY_UNITS[column], "observed_floor": True})  # fmt: skip
        elif column.startswith(QUOTA_PREFIX):
            own = series.get((fid, "capacity_trains_per_day"))
            total = 0.0
            for day in days:
                row, stood_in = row_on(rows, day)
                total += row_on(own, day)[0].value if stood_in and own else row.value
            mods.append({
                "type": "set_capacity", "facility": fid, "value": round(total / len(days), 3),
                "unit": "trains_per_day", "into": column[len(QUOTA_PREFIX):],
                "observed_floor": True,
            })  # fmt: skip
    return mods
