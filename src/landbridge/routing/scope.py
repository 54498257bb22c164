"""Door-to-door answers: an option's terminal-to-terminal parts plus pre- and on-carriage."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from landbridge.costs.params import RowRef
from landbridge.costs.time import transit_p10_p50_p90_h
from landbridge.costs.transit import NO_ROLE, TransitTime
from landbridge.routing.evaluate import HOURS_PER_DAY, ROUND, Evaluated

DOOR_TO_DOOR = "door to door"


def door_to_door(evaluated: Evaluated, tt: TransitTime) -> Evaluated:
    """``evaluated`` with the carriage parts of ``tt`` drawn with the option's own parts (same
    corridor state); each quantile moves by what the carriage adds to it."""
    parts = evaluated.parts
    assert parts is not None
    keys, p50, p90 = tt.carriage_h()
    more = replace(
        parts,
        lognormal_p50_h=np.concatenate([parts.lognormal_p50_h, p50]),
        lognormal_p90_h=np.concatenate([parts.lognormal_p90_h, p90]),
        lognormal_role=np.concatenate([parts.lognormal_role, np.full(len(keys), NO_ROLE)]),
    )
    shift = np.subtract(transit_p10_p50_p90_h(more), transit_p10_p50_p90_h(parts))
    option = evaluated.option
    days = option.transit_days
    update: dict = {
        "scope": DOOR_TO_DOOR,
        "transit_days": days.model_copy(update={
            q: round(getattr(days, q) + h / HOURS_PER_DAY, ROUND)
            for q, h in zip(("p10", "p50", "p90"), shift.tolist(), strict=True)
        }),
        "time_breakdown_h": option.time_breakdown_h.model_copy(
            update={"carriage": round(float(p50.sum()), ROUND)}
        ),
    }  # fmt: skip
    if option.arrival is not None:
        update["arrival"] = option.arrival.model_copy(update={
            "p50": option.arrival.p50 + dt.timedelta(hours=float(shift[1])),
            "p90": option.arrival.p90 + dt.timedelta(hours=float(shift[2])),
        })  # fmt: skip
    return replace(
        evaluated,
        option=option.model_copy(update=update),
        refs=[*evaluated.refs, *(RowRef("transit_time", k) for k in keys)],
        parts=more,
    )
