"""The ids of the bundled crossings, ports and sea lines, read as text rows (no pandas).

Crossings and rail ferries are listed by ``facility_id``, sea links by ``link_id``, ports by
``port_id`` with the ``port-`` prefix the network build gives them. Line sections
(sections.csv) are left out: a corridor gateway is never the line named after it.
"""

from __future__ import annotations

from functools import cache

from landbridge.csv_rows import read_text_rows
from landbridge.errors import NetworkDataError
from landbridge.paths import DATA_DIR

PORT_ID_PREFIX = "port-"
FACILITIES_DIR = DATA_DIR / "facilities"
# table -> (id column, prefix the build puts before it)
_ID_COLUMNS = {
    "crossings.csv": ("facility_id", ""),
    "rail_ferries.csv": ("facility_id", ""),
    "sea_links.csv": ("link_id", ""),
    "ports.csv": ("port_id", PORT_ID_PREFIX),
}


@cache
def bundled_facility_ids() -> frozenset[str]:
    """Every facility id of the bundled crossing, rail-ferry, sea-link and port tables."""
    ids: set[str] = set()
    for table, (column, prefix) in _ID_COLUMNS.items():
        path = FACILITIES_DIR / table
        try:
            rows = read_text_rows(path, (column,), NetworkDataError)
        except (OSError, UnicodeDecodeError) as exc:
            raise NetworkDataError(f"cannot read {path.name}: {exc}") from None
        ids.update(prefix + row[column] for row in rows)
    return frozenset(ids)
