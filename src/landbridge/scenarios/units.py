"""Capacity units of scenario files and the facilities-table column each one sets."""

from __future__ import annotations

from landbridge.schema.facility import QUOTA_PREFIX, SET_BY_SCENARIO
from landbridge.schema.scenario import Capacity, SetCapacity

T_PER_MT = 1_000_000.0

_COLUMN = {
    "trains_per_day": "capacity_trains_per_day",
    # A train pair is one train each way; the column counts trains per day in one direction.
    "train_pairs_per_day": "capacity_trains_per_day",
    "t_per_yr": "capacity_t_per_yr",
    "mt_per_yr": "capacity_t_per_yr",
    # kept in TEU: the flows layer converts with the parameter set's tonnes_per_teu
    # (flows.capacity, the one place for capacity units)
    "teu_per_yr": "capacity_teu_per_yr",
    "servers": "servers",
}
_FACTOR = {"mt_per_yr": T_PER_MT}


def capacity_column(capacity: Capacity | SetCapacity) -> tuple[str, float]:
    """The facilities column a capacity sets and the value in that column's unit."""
    return _COLUMN[capacity.unit], capacity.value * _FACTOR.get(capacity.unit, 1.0)


TRAIN_UNITS = ("trains_per_day", "train_pairs_per_day")


def quota_column(country: str) -> str:
    """The facilities column of a limit on trains into ``country`` (read by ``flows.capacity``)."""
    return f"{QUOTA_PREFIX}{country.upper()}"



def capacity_changes(capacity: Capacity | SetCapacity) -> dict[str, float]:
    """The facilities columns a capacity sets. A capacity in TEU or trains also clears the
    figures the flows layer takes before it (t/yr, then TEU/yr, then trains/day;
    ``flows.capacity.sourced_capacity_t``), so the new figure is the one used. A limit on trains
    into one country (``into``) sets that direction's column only."""
    into = getattr(capacity, "into", None)
    if into is not None:
        return {quota_column(into): capacity.value}
    column, value = capacity_column(capacity)
    nan = float("nan")
    own = not getattr(capacity, "observed_floor", True) and capacity.unit != "servers"
    mark = {SET_BY_SCENARIO: 1.0} if own else {}
    if capacity.unit in TRAIN_UNITS:
        return {column: value, _COLUMN["t_per_yr"]: nan, _COLUMN["teu_per_yr"]: nan, **mark}
    if capacity.unit == "teu_per_yr":
        return {column: value, _COLUMN["t_per_yr"]: nan, **mark}
    return {column: value, **mark}
