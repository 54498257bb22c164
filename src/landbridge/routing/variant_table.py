"""The crossings and ports corridor variants pass, from ``corridor_variants.csv``.

Each row puts one facility id under a gateway (``dostyk``, ``aktau``, ``kars``, ...); a variant
names its gateways and matches facilities by id, never by fragments of their names. Read once,
when the first variant is built (not at import); every id must be defined by the bundled
facility tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from landbridge.csv_rows import read_text_rows
from landbridge.errors import NetworkDataError
from landbridge.network.facility_ids import FACILITIES_DIR, bundled_facility_ids

CORRIDOR_VARIANTS_CSV = FACILITIES_DIR / "corridor_variants.csv"
COLUMNS = ("gateway", "name", "facility_id", "notes")


@dataclass(frozen=True)
class Gateway:
    """A crossing or port a variant is pinned to, requires or avoids: its facility ids."""

    key: str
    name: str  # shown in reasons ("does not pass Kars")
    facility_ids: tuple[str, ...]


def read_gateways(path: Path, known_ids: frozenset[str]) -> dict[str, Gateway]:
    """The gateways of ``path``; an unknown id, a missing cell or a name that differs between
    the rows of one gateway raises ``NetworkDataError`` naming the row."""
    try:
        rows = read_text_rows(path, COLUMNS, NetworkDataError)
    except (OSError, UnicodeDecodeError) as exc:
        raise NetworkDataError(f"cannot read {path.name}: {exc}") from None
    names: dict[str, str] = {}
    ids: dict[str, list[str]] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path.name} line {line}"
        key, name, fid = row["gateway"], row["name"], row["facility_id"]
        if not key or not name or not fid:
            raise NetworkDataError(f"{where}: gateway, name and facility_id are required")
        if fid not in known_ids:
            raise NetworkDataError(
                f"{where}: facility_id '{fid}' is not a facility of the bundled network"
            )
        if names.setdefault(key, name) != name:
            raise NetworkDataError(
                f"{where}: gateway '{key}' is named '{name}' here, '{names[key]}' above"
            )
        if fid in ids.setdefault(key, []):
            raise NetworkDataError(f"{where}: '{fid}' listed twice under '{key}'")
        ids[key].append(fid)
    return {k: Gateway(k, names[k], tuple(v)) for k, v in ids.items()}


def gateway(key: str) -> Gateway:
    """The bundled gateway ``key`` (the table is read and checked once)."""
    table = bundled_gateways()
    if key not in table:
        raise NetworkDataError(f"{CORRIDOR_VARIANTS_CSV.name}: no gateway '{key}'")
    return table[key]


@cache
def bundled_gateways() -> dict[str, Gateway]:
    """The bundled table, read and checked on first use."""
    return read_gateways(CORRIDOR_VARIANTS_CSV, bundled_facility_ids())
