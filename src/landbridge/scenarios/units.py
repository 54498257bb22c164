"""Capacity units of scenario files and the facilities-table column each one sets."""

from __future__ import annotations

from landbridge.schema.scenario import Capacity

T_PER_TEU = 10.0
"""Cargo per loaded TEU, IMO MEPC.1/Circ.684 default (source ``imo-eeoi-2009``); converts TEU/yr
targets (ports, hubs) into the ``capacity_t_per_yr`` column."""

T_PER_MT = 1_000_000.0

_COLUMN = {
    "trains_per_day": "capacity_trains_per_day",
    # A train pair is one train each way; the column counts trains per day in one direction.
    "train_pairs_per_day": "capacity_trains_per_day",
    "t_per_yr": "capacity_t_per_yr",
    "mt_per_yr": "capacity_t_per_yr",
    "teu_per_yr": "capacity_t_per_yr",
    "servers": "servers",
}
_FACTOR = {"mt_per_yr": T_PER_MT, "teu_per_yr": T_PER_TEU}


def capacity_column(capacity: Capacity) -> tuple[str, float]:
    """The facilities column a capacity sets and the value in that column's unit."""
    return _COLUMN[capacity.unit], capacity.value * _FACTOR.get(capacity.unit, 1.0)


TRAIN_UNITS = ("trains_per_day", "train_pairs_per_day")


def capacity_changes(capacity: Capacity) -> dict[str, float]:
    """The facilities columns a capacity sets. A capacity in trains also clears the tonnage
    figure: the flows layer takes t/yr before trains/day, so a facility that has both would
    keep its old t/yr and ignore the new train figure."""
    column, value = capacity_column(capacity)
    if capacity.unit in TRAIN_UNITS:
        return {column: value, _COLUMN["t_per_yr"]: float("nan")}
    return {column: value}
