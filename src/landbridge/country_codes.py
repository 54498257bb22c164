"""Which two-letter codes name a country: the ISO 3166-1 alpha-2 codes of the bundled Natural Earth
v4.0.0 world map and the places' country table (XK for Kosovo, as the network uses it).

A code that is not there (``EU``, ``UK``, ``SU``, ``AN``, ``QQ``) is refused where a user gives
one (``--avoid``, ``avoid`` of the API, parameter rows keyed by country) instead of being
silently ignored; well-known non-codes get a hint.
"""

from __future__ import annotations

import difflib
import json
from functools import cache

from landbridge.csv_rows import read_text_rows
from landbridge.paths import DATA_DIR, RAW_DIR

WORLD_MAP = RAW_DIR / "natural-earth" / "ne_50m_admin_0_countries_world_basemap.json"
PLACES_COUNTRIES = DATA_DIR / "places" / "countries.csv"
NO_CODE = "-99"  # Natural Earth's mark for an area without an ISO code
HINTS = {
    "EU": "the European Union is not a country; list its member states (e.g. DE,PL,FR)",
    "UK": "the ISO code of the United Kingdom is GB",
    "SU": "the Soviet Union no longer exists; list its successors (e.g. RU,BY,KZ,UA)",
    "AN": "the Netherlands Antilles were dissolved in 2010 (CW, SX, BQ)",
    "YU": "Yugoslavia no longer exists; list its successors (e.g. RS,ME,HR)",
    "CS": "Serbia and Montenegro are RS and ME",
    "EL": "the ISO code of Greece is GR (EL is the EU's own abbreviation)",
}


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code of the bundled world map and places' country table."""
    with WORLD_MAP.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    codes = {str(f["properties"].get("ISO_A2", NO_CODE)) for f in features}
    codes |= {row["iso2"] for row in read_text_rows(PLACES_COUNTRIES, ("iso2",), ValueError)}
    codes.discard(NO_CODE)
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha() and c.isupper())


def unknown_country(code: str) -> str | None:
    """Why ``code`` (upper case) is not a country code, or ``None`` when it is one."""
    if code in country_codes():
        return None
    hint = HINTS.get(code)
    if hint is None:
        near = difflib.get_close_matches(code, sorted(country_codes()), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(near)}?" if near else "e.g. RU, BY, IR"
    return f"'{code[:10]}' is not an ISO 3166-1 alpha-2 country code; {hint}"
