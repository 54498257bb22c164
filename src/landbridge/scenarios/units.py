"""Capacity units of scenario files and the facilities-table column each one sets."""

from __future__ import annotations

from landbridge.schema.scenario import Capacity

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


def capacity_column(capacity: Capacity) -> tuple[str, float]:
    """The facilities column a capacity sets and the value in that column's unit."""
    return _COLUMN[capacity.unit], capacity.value * _FACTOR.get(capacity.unit, 1.0)


TRAIN_UNITS = ("trains_per_day", "train_pairs_per_day")


def capacity_changes(capacity: Capacity) -> dict[str, float]:
    """The facilities columns a capacity sets. A capacity in TEU or trains also clears the
    figures the flows layer takes before it (t/yr, then TEU/yr, then trains/day;
    ``flows.capacity.sourced_capacity_t``), so the new figure is the one used."""
    column, value = capacity_column(capacity)
    nan = float("nan")
    if capacity.unit in TRAIN_UNITS:
        return {column: value, _COLUMN["t_per_yr"]: nan, _COLUMN["teu_per_yr"]: nan}
    if capacity.unit == "teu_per_yr":
        return {column: value, _COLUMN["t_per_yr"]: nan}
    return {column: value}
