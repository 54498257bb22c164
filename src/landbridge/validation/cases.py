"""The published end-to-end transit times (``data/validation/calibration-transit.csv``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from landbridge.csv_rows import read_text_rows
from landbridge.data import split_source_ids
from landbridge.errors import ParameterError
from landbridge.paths import DATA_DIR
from landbridge.schema.route import CORRIDORS, Corridor

CASES_CSV = DATA_DIR / "validation" / "calibration-transit.csv"
CASE_MONTH_DAY = (7, 1)  # a case's figures are read on 1 July of its year
# "observed": a trip's departure and arrival, or a service's usual time; "announced": a time
# stated before or at a train's departure (planned, expected); "record": a time its source
# calls a record (the fastest of many trips), whose model counterpart is the p10, not the p50
EVIDENCE = ("observed", "announced", "record")
RECORD = "record"


@dataclass(frozen=True)
class Case:
    case: str
    origin: str
    destination: str
    corridor: Corridor | None
    option: str | None  # text the option's label must hold (the published route), if any
    via: str | None  # a place the published route passes, where the source names or implies it
    low_days: float
    high_days: float
    year: int
    scope: str
    evidence: str  # one of EVIDENCE: a trip or service that ran, a time announced, a record
    source_ids: tuple[str, ...]
    quote: str  # what the source says

    @property
    def mid_days(self) -> float:
        return (self.low_days + self.high_days) / 2.0

    @property
    def quantile(self) -> int:
        """Index into (p10, p50, p90) of the model figure the published one is compared with."""
        return 0 if self.evidence == RECORD else 1

    @property
    def date(self) -> dt.date:
        return dt.date(self.year, *CASE_MONTH_DAY)


@lru_cache(maxsize=4)
def load_cases(path: Path = CASES_CSV) -> tuple[Case, ...]:
    try:
        rows = read_text_rows(path, (), ParameterError)
    except OSError as exc:
        raise ParameterError(f"cannot read {path.name}: {exc}") from None
    cases = []
    for row in rows:
        try:
            low, high, year = float(row["low_days"]), float(row["high_days"]), int(row["year"])
        except (KeyError, ValueError) as exc:
            raise ParameterError(f"{path.name}: case {row.get('case')}: {exc}") from None
        if not 0 < low <= high:
            raise ParameterError(f"{path.name}: case {row['case']}: need 0 < low_days <= high")
        corridor = row["corridor"] or None
        if corridor is not None and corridor not in CORRIDORS:
            raise ParameterError(
                f"{path.name}: case {row['case']}: corridor must be one of {list(CORRIDORS)}"
            )
        if row.get("evidence") not in EVIDENCE:
            raise ParameterError(
                f"{path.name}: case {row['case']}: evidence must be one of {list(EVIDENCE)}"
            )
        cases.append(
            Case(
                case=row["case"], origin=row["origin"], destination=row["destination"],
                corridor=cast(Corridor | None, corridor), option=row["option"] or None,
                via=row.get("via") or None,
                low_days=low,
                high_days=high, year=year, scope=row["scope"], evidence=row["evidence"],
                source_ids=tuple(split_source_ids(row["source_ids"])), quote=row["quote"],
            )
        )  # fmt: skip
    return tuple(cases)
