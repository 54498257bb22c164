"""Every bundled table names sources that exist; every raw dataset has a SOURCE.md; no code
reads the shared folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from landbridge.data import SOURCES_DIR, load_sources, source_rows, split_source_ids
from landbridge.paths import DATA_DIR, PACKAGE_DIR

REPO = PACKAGE_DIR.parent.parent
TABLE_DIRS = ("params", "facilities", "demand", "places", "events", "validation")
# Tables that hold no parameter, so cite no source row: each with the reason.
NOT_PARAMETER_TABLES = {
    "demand/regions.csv": "representative points of the demand regions, each naming its "
    "gazetteer place (column gazetteer_place), whose own sources apply",
    "demand/crossing_shares.csv": "the recipe of the published crossing volumes: it names "
    "figures of demand/aggregates.csv, whose own sources apply",
    "demand/year_recipes.csv": "how each demand year's totals are derived: it names figures of "
    "demand/aggregates.csv, whose own sources apply",
    "facilities/corridor_variants.csv": "which crossings and ports each corridor variant passes: "
    "it names facilities of the crossing, section, port and sea-link tables, whose own sources "
    "apply",
}


def _tables() -> list[Path]:
    return sorted(p for d in TABLE_DIRS for p in (DATA_DIR / d).glob("**/*.csv"))


def test_sources_tables_have_unique_ids_and_titles() -> None:
    sources = load_sources()
    assert len(sources) > 0, "no sources in data/sources/*.csv"
    assert sources.index.is_unique
    untitled = sources.index[sources["title"].str.strip() == ""].tolist()
    assert not untitled, f"sources without a title: {untitled}"


def test_one_publication_is_cited_under_one_id() -> None:
    sources = load_sources()
    titles = sources["title"].str.strip().str.casefold()
    shared = sorted(titles[titles.duplicated(keep=False)].index)
    assert not shared, f"source ids that share a title (one publication, one id): {shared}"
    circular = sources.index[sources["title"].str.contains("MEPC.1/Circ.684", regex=False)]
    assert circular.tolist() == ["imo-mepc-circ684"]


def test_source_rows_are_the_rows_of_load_sources() -> None:
    frame = load_sources().reset_index()
    expected = {
        row["source_id"]: {
            c: row[c] for c in ("source_id", "title", "publisher", "url", "year", "note")
        }
        for row in frame.astype(str).to_dict("records")
    }
    assert source_rows() == expected


@pytest.mark.parametrize("table", _tables(), ids=lambda p: str(p.relative_to(DATA_DIR)))
def test_every_referenced_source_exists(table: Path) -> None:
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    columns = [c for c in frame.columns if c in ("source_ids", "source_id", "source")]
    name = table.relative_to(DATA_DIR).as_posix()
    if not columns:
        assert name in NOT_PARAMETER_TABLES, f"{name} has no source column"
        return
    assert name not in NOT_PARAMETER_TABLES, f"{name} has sources now: drop it from the list"
    known = set(load_sources().index)
    unknown = sorted(
        {sid for col in columns for cell in frame[col] for sid in split_source_ids(cell)} - known
    )
    assert not unknown, f"{table.name} cites unknown source ids: {unknown}"


def test_every_raw_dataset_has_a_source_note() -> None:
    raw = sorted(p for p in (DATA_DIR / "raw").iterdir() if p.is_dir())
    assert raw, "no bundled raw data"
    missing = [p.name for p in raw if not (p / "SOURCE.md").is_file()]
    assert not missing, f"raw datasets without SOURCE.md: {missing}"


def test_no_code_reads_the_shared_folder() -> None:
    markers = ("..", "/work")  # joined below so this file does not match itself
    needles = [m + "/" + "shared" for m in markers]
    offenders = [
        str(p.relative_to(REPO))
        for folder in ("src", "tests", "benchmarks")
        for p in (REPO / folder).glob("**/*.py")
        if any(n in p.read_text(encoding="utf-8") for n in needles)
    ]
    assert not offenders, f"code must not read the shared folder: {offenders}"


def test_split_source_ids() -> None:
    assert split_source_ids(" a; b ;;c ") == ["a", "b", "c"]
    assert split_source_ids(float("nan")) == []
    assert SOURCES_DIR.name == "sources"
