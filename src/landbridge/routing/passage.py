"""Which way Asia–Europe container ships sail on a date: Suez or round the Cape (dated, sourced).

``data/params/sea_passage.csv`` holds one row per period; the all-sea options of a request use
the passage of its departure date (today's without one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from landbridge.csv_rows import read_text_rows
from landbridge.data import split_source_ids
from landbridge.errors import ParameterError
from landbridge.paths import DATA_DIR

SEA_PASSAGE_CSV = DATA_DIR / "params" / "sea_passage.csv"
PASSAGES = ("suez", "cape")
PASSAGE_COLUMNS = ("passage", "valid_from", "valid_to", "source_ids", "note")


@dataclass(frozen=True)
class Passage:
    passage: str  # suez | cape
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_ids: tuple[str, ...]
    note: str


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text.strip() else None


@lru_cache(maxsize=1)
def load_passages() -> tuple[Passage, ...]:
    try:
        rows = read_text_rows(SEA_PASSAGE_CSV, PASSAGE_COLUMNS, ParameterError)
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"cannot read {SEA_PASSAGE_CSV.name}: {exc}") from None
    out = []
    for row in rows:
        if row["passage"] not in PASSAGES:
            raise ParameterError(
                f"{SEA_PASSAGE_CSV.name}: passage '{row['passage']}' is not one of {PASSAGES}"
            )
        out.append(
            Passage(
                row["passage"], _date(row["valid_from"]), _date(row["valid_to"]),
                tuple(split_source_ids(row["source_ids"])), row["note"],
            )
        )  # fmt: skip
    return tuple(out)


def passage_on(day: dt.date) -> Passage:
    """The passage valid on ``day`` (the rows cover every date)."""
    for p in load_passages():
        after_start = p.valid_from is None or p.valid_from <= day
        if after_start and (p.valid_to is None or day <= p.valid_to):
            return p
    raise ParameterError(f"{SEA_PASSAGE_CSV.name}: no passage row covers {day}")
