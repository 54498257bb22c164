"""The curated network tables: gauges, named crossings, closed borders, sections, rail links."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from landbridge.csv_rows import read_text_rows
from landbridge.errors import NetworkDataError
from landbridge.paths import DATA_DIR

if TYPE_CHECKING:  # the build reads the tables with pandas; the route command only the unions
    import pandas as pd

GAUGES_CSV = DATA_DIR / "params" / "gauges.csv"
CROSSINGS_CSV = DATA_DIR / "facilities" / "crossings.csv"
CLOSED_BORDERS_CSV = DATA_DIR / "facilities" / "closed_borders.csv"
SECTIONS_CSV = DATA_DIR / "facilities" / "sections.csv"
RAIL_LINKS_CSV = DATA_DIR / "facilities" / "rail_links.csv"
LENGTH_CHECKS_CSV = DATA_DIR / "facilities" / "length_checks.csv"
LENGTH_CALIBRATION_CSV = DATA_DIR / "facilities" / "length_calibration.csv"
EXCLUDED_LINES_CSV = DATA_DIR / "facilities" / "excluded_lines.csv"
RAIL_FERRIES_CSV = DATA_DIR / "facilities" / "rail_ferries.csv"
CUSTOMS_UNIONS_CSV = DATA_DIR / "facilities" / "customs_unions.csv"

FACILITY_COLUMNS: tuple[str, ...] = (
    "facility_id", "name", "kind", "countries", "lat", "lon", "dwell_p50_h", "dwell_p90_h",
    "cost_usd_per_feu", "capacity_trains_per_day", "capacity_t_per_yr", "servers", "headway_h",
    "vessel_capacity_feu", "fleet", "speed_kmh", "source_ids", "assumption",
)  # fmt: skip
NUMERIC_FACILITY_COLUMNS = FACILITY_COLUMNS[4:16]
DEFAULT_BORDER_ID = "default-border"
DEFAULT_GAUGE_CHANGE_ID = "default-gauge-change"
DEFAULT_EU_INTERNAL_ID = "default-eu-internal"

_REQUIRED = {
    "gauges": ("iso2", "gauge_mm", "gauge_family", "source_ids"),
    "crossings": (
        "facility_id",
        "name",
        "kind",
        "countries",
        "lat",
        "lon",
        "match_km",
        "closed",
        "source_ids",
    ),
    "closed_borders": ("countries", "source_ids"),
    "sections": (
        "facility_id",
        "name",
        "countries",
        "from_lat",
        "from_lon",
        "to_lat",
        "to_lon",
        "source_ids",
    ),
    "rail_links": (
        "link_id",
        "name",
        "from_lat",
        "from_lon",
        "to_lat",
        "to_lon",
        "via",
        "length_km",
        "source_ids",
    ),
    "rail_ferries": (
        "facility_id",
        "name",
        "kind",
        "countries",
        "from_lat",
        "from_lon",
        "to_lat",
        "to_lon",
        "length_km",
        "headway_h",
        "speed_kmh",
        "source_ids",
    ),  # fmt: skip
    "customs_unions": ("union", "members", "since", "source_ids"),
    "excluded_lines": ("line_id", "name", "lat", "lon", "max_km", "source_ids"),
    "length_calibration": (
        "from",
        "from_lat",
        "from_lon",
        "to",
        "to_lat",
        "to_lon",
        "osm_km",
        "source_ids",
    ),
    "length_checks": (
        "from",
        "from_lat",
        "from_lon",
        "to",
        "to_lat",
        "to_lon",
        "published_km",
        "source_ids",
    ),
}


def read_table(path: Path, kind: str) -> pd.DataFrame:
    """Read one curated CSV and check its columns; ``NetworkDataError`` names what is wrong."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, keep_default_na=True)
    except FileNotFoundError:
        raise NetworkDataError(
            f"{path.name} missing from {path.parent}; restore it from the repository"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise NetworkDataError(f"{path.name} unreadable: {exc}") from None
    missing = [c for c in _REQUIRED[kind] if c not in frame.columns]
    if missing:
        raise NetworkDataError(f"{path.name}: missing columns {missing}")
    return frame


def load_gauges(path: Path = GAUGES_CSV) -> pd.DataFrame:
    """Gauge area per study country (``iso2`` index)."""
    g = read_table(path, "gauges")
    if g["iso2"].duplicated().any():
        raise NetworkDataError(
            f"{path.name}: country listed twice: {sorted(g.loc[g['iso2'].duplicated(), 'iso2'])}"
        )
    bad = g.loc[~g["gauge_mm"].between(600, 2000), "iso2"].tolist()
    if bad:
        raise NetworkDataError(f"{path.name}: gauge_mm out of range (600–2000) for {bad}")
    return g.set_index("iso2")


def pair_key(countries: str) -> str:
    """Canonical ``AA-BB`` key (sorted) of a country pair."""
    return "-".join(sorted(str(countries).upper().split("-")))


def load_crossings(path: Path = CROSSINGS_CSV) -> pd.DataFrame:
    import pandas as pd

    c = read_table(path, "crossings")
    if c["facility_id"].duplicated().any():
        raise NetworkDataError(f"{path.name}: facility_id listed twice")
    for default in (DEFAULT_BORDER_ID, DEFAULT_GAUGE_CHANGE_ID):
        if default not in set(c["facility_id"]):
            raise NetworkDataError(f"{path.name}: the default row '{default}' is missing")
    c["closed"] = c["closed"].astype(str).str.lower().isin(("true", "1", "yes"))
    c["countries"] = c["countries"].fillna("")
    c["assumption"] = c["assumption"].fillna("")
    for col in NUMERIC_FACILITY_COLUMNS:
        if col not in c.columns:
            c[col] = np.nan
        c[col] = pd.to_numeric(c[col], errors="raise")
    return c


def load_closed_borders(path: Path = CLOSED_BORDERS_CSV) -> pd.DataFrame:
    c = read_table(path, "closed_borders")
    c["pair"] = c["countries"].map(pair_key)
    return c.set_index("pair")


def load_sections(path: Path = SECTIONS_CSV) -> pd.DataFrame:
    return read_table(path, "sections")


def load_rail_links(path: Path = RAIL_LINKS_CSV) -> pd.DataFrame:
    links = read_table(path, "rail_links")
    links["via"] = links["via"].fillna("")
    return links


def load_length_checks(path: Path = LENGTH_CHECKS_CSV) -> pd.DataFrame:
    return read_table(path, "length_checks")


def load_length_calibration(path: Path = LENGTH_CALIBRATION_CSV) -> pd.DataFrame:
    return read_table(path, "length_calibration")


def load_excluded_lines(path: Path = EXCLUDED_LINES_CSV) -> pd.DataFrame:
    return read_table(path, "excluded_lines")


def load_customs_unions(path: Path = CUSTOMS_UNIONS_CSV) -> dict[str, str]:
    """The customs union of each member country (``iso2`` -> union name)."""
    try:  # the csv module: the route command reads this table at start-up
        rows = read_text_rows(path, _REQUIRED["customs_unions"], NetworkDataError)
    except FileNotFoundError:
        raise NetworkDataError(
            f"{path.name} missing from {path.parent}; restore it from the repository"
        ) from None
    out: dict[str, str] = {}
    for row in rows:
        for code in row["members"].split(";"):
            if code.strip() in out:
                raise NetworkDataError(f"{path.name}: {code.strip()} is in two customs unions")
            out[code.strip()] = row["union"]
    return out


def load_rail_ferries(path: Path = RAIL_FERRIES_CSV) -> pd.DataFrame:
    """Train ferries inside the rail network (Lake Van): SEA edges between two rail nodes."""
    import pandas as pd

    ferries = read_table(path, "rail_ferries")
    bad = ferries.loc[~(pd.to_numeric(ferries["length_km"], errors="coerce") > 0), "facility_id"]
    if len(bad):
        raise NetworkDataError(f"{path.name}: length_km must be positive for {bad.tolist()}")
    return ferries


def input_files() -> list[Path]:
    """Every curated table the build reads (their hashes key the cache)."""
    return [
        GAUGES_CSV,
        CROSSINGS_CSV,
        CLOSED_BORDERS_CSV,
        SECTIONS_CSV,
        RAIL_LINKS_CSV,
        LENGTH_CALIBRATION_CSV,
        EXCLUDED_LINES_CSV,
        RAIL_FERRIES_CSV,
        CUSTOMS_UNIONS_CSV,
    ]
