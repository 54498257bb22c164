"""Bundled data: raw open data (``raw/``), curated tables and the sources tables
(``sources/*.csv``)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from landbridge.csv_rows import read_text_rows
from landbridge.errors import ParameterError
from landbridge.paths import DATA_DIR

if TYPE_CHECKING:
    import pandas as pd

SOURCES_DIR = DATA_DIR / "sources"
SOURCE_COLUMNS = ("source_id", "title", "publisher", "url", "year", "note")


@lru_cache(maxsize=1)
def load_sources() -> pd.DataFrame:
    """All rows of ``data/sources/*.csv``, indexed by ``source_id`` (unique across files)."""
    import pandas as pd

    frames = []
    for path in sorted(SOURCES_DIR.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in SOURCE_COLUMNS if c not in frame.columns]
        if missing:
            raise ParameterError(
                f"{path.name}: missing columns {missing}; expected {list(SOURCE_COLUMNS)}"
            )
        frame["file"] = path.name
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*SOURCE_COLUMNS, "file"]).set_index("source_id")
    sources = pd.concat(frames, ignore_index=True)
    dupes = sources.loc[sources["source_id"].duplicated(), "source_id"].tolist()
    if dupes:
        raise ParameterError(f"source ids defined twice in data/sources: {sorted(set(dupes))}")
    return sources.set_index("source_id")


@lru_cache(maxsize=1)
def source_rows() -> dict[str, dict[str, str]]:
    """``source_id`` → its row (the ``SOURCE_COLUMNS`` as text), the same rows as
    ``load_sources`` read with the csv module: the route command's cold start needs no frame."""
    rows: dict[str, dict[str, str]] = {}
    dupes: list[str] = []
    for path in sorted(SOURCES_DIR.glob("*.csv")):
        for record in read_text_rows(path, SOURCE_COLUMNS, ParameterError):
            row = {c: record[c] or "" for c in SOURCE_COLUMNS}
            if row["source_id"] in rows:
                dupes.append(row["source_id"])
            rows[row["source_id"]] = row
    if dupes:
        raise ParameterError(f"source ids defined twice in data/sources: {sorted(set(dupes))}")
    return rows


def split_source_ids(value: object) -> list[str]:
    """Source ids from a ``source_ids`` cell (``;``-separated; empty or NaN gives none)."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(";") if part.strip()]
