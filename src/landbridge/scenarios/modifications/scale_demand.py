"""``scale_demand``: the yearly volumes of the demand (all of it, or one origin/destination)
multiplied."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from landbridge.scenarios.modifications.base import Applied, Base, Problem, Rule
from landbridge.scenarios.network_index import allowed_list
from landbridge.schema.scenario import ScaleDemand

DEMAND_VOLUME_SUFFIXES = ("_per_yr", "_per_year")
"""Demand columns scaled by ``scale_demand``: numeric columns whose names end in a yearly unit."""


def resolve(mod: ScaleDemand, base: Base) -> list[Problem]:
    return _demand_filter(mod, base.demand)


def apply(mod: ScaleDemand, state: Applied) -> Applied:
    return dataclasses.replace(state, demand=_scale_demand(state.demand, mod))


def _demand_filter(mod: ScaleDemand, demand: pd.DataFrame | None) -> list[Problem]:
    if mod.od is None or demand is None:
        return []
    out = []
    for field in ("origin", "destination"):
        value = getattr(mod.od, field)
        if value is None or field not in demand:
            continue
        places = {str(x) for x in demand[field].unique()}
        if value not in places:
            out.append(
                (f"od.{field}", f"no demand with {field} '{value}'; {allowed_list(value, places)}")
            )
    return out


def _scale_demand(demand: pd.DataFrame | None, mod: ScaleDemand) -> pd.DataFrame | None:
    if demand is None:
        return None
    out = demand.copy()
    rows = np.ones(len(out), dtype=bool)
    if mod.od is not None:
        if mod.od.origin is not None:
            rows &= (out["origin"] == mod.od.origin).to_numpy()
        if mod.od.destination is not None:
            rows &= (out["destination"] == mod.od.destination).to_numpy()
    for column in volume_columns(out):
        out[column] = out[column].astype(float)
        out.loc[rows, column] = out.loc[rows, column] * mod.multiplier
    return out


def volume_columns(demand: pd.DataFrame) -> list[str]:
    return [
        c
        for c in demand.columns
        if str(c).endswith(DEMAND_VOLUME_SUFFIXES) and pd.api.types.is_numeric_dtype(demand[c])
    ]


RULE = Rule("scale_demand", resolve, apply)
