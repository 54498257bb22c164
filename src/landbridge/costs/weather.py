"""Winter weather on the ferry lines: ``weather_months.csv`` lists the months in which a ferry
line's ``weather_closure_days_per_month`` applies (January observed; December and February are
marked assumptions). The expected added wait is ``closure share × mean closure length``
(docs/decisions/route-models.md)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from landbridge.costs.dated import read_table
from landbridge.costs.params import PARAMS_DIR
from landbridge.data import split_source_ids
from landbridge.errors import ParameterError
from landbridge.network.model import Network

WEATHER_MONTHS_CSV = PARAMS_DIR / "weather_months.csv"


@dataclass(frozen=True)
class WeatherMonth:
    month: int
    basis: str  # 'observed' or 'assumption'
    source_ids: tuple[str, ...]
    note: str
    assumption: str


@lru_cache(maxsize=4)
def load_weather_months(path: str = str(WEATHER_MONTHS_CSV)) -> dict[int, WeatherMonth]:
    file = Path(path)
    frame = read_table(file, ("month", "basis", "source_ids", "note", "assumption"))
    months: dict[int, WeatherMonth] = {}
    for line, rec in enumerate(frame, start=2):
        try:
            month = int(rec["month"])
        except ValueError:
            month = 0
        if not 1 <= month <= 12 or month in months:
            raise ParameterError(f"{file.name} line {line}: month '{rec['month']}' (1-12, once)")
        if rec["basis"] not in ("observed", "assumption"):
            raise ParameterError(f"{file.name} line {line}: basis must be observed or assumption")
        if rec["basis"] == "assumption" and not rec["assumption"].strip():
            raise ParameterError(f"{file.name} line {line}: an assumed month must say why")
        months[month] = WeatherMonth(
            month, rec["basis"], tuple(split_source_ids(rec["source_ids"])),
            rec["note"], rec["assumption"],
        )  # fmt: skip
    return months


def closure_share(closure_days_per_month: float, on: dt.date) -> float:
    """Share of the month of ``on`` in which the line is closed by weather."""
    return float(closure_days_per_month) / calendar.monthrange(on.year, on.month)[1]


def weather_wait_h(share: float, mean_closure_h: float) -> float:
    """Expected wait added by weather closures that hold a full vessel: share × mean length."""
    return share * mean_closure_h


@dataclass(frozen=True)
class Weather:
    """What ``evaluate_path`` needs to add winter waits to ferry legs."""

    depart: dt.date
    closure_days: np.ndarray  # float [f] per facility row, 0 where none
    mean_closure_h: float
    months: Mapping[int, WeatherMonth]


def closure_days_per_facility(net: Network) -> np.ndarray:
    fac = net.facilities
    if not len(fac) or "weather_closure_days_per_month" not in fac:
        return np.zeros(len(fac))
    return np.nan_to_num(fac["weather_closure_days_per_month"], nan=0.0)
