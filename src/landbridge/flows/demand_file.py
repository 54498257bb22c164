"""A user's own OD demand table (``landbridge flows --demand FILE``), checked cell by cell.

The file is a CSV with a header row. Columns:

- ``origin``, ``destination`` (required): region ids of ``data/demand/regions.csv``
  (``cn-xian``, ``kz-almaty``, ``eu-duisburg``, ...) or any place the gazetteer knows, snapped to
  the nearest region of its country (``flows.region_snap``; the mapping is kept in
  ``attrs["place_mapping"]``); the groups (CN, KZ, EU, ...) come from the region.
- ``t_per_yr`` (required): tonnes per year, finite and >= 0.
- ``cargo_class``: ``container`` (default) or ``bulk``.
- ``teu_per_yr``: TEU per year; default ``t_per_yr / tonnes_per_teu`` for containers, 0 for bulk.
- ``segment``: a label (default ``user``). The bundled segment names ``cn_eu_west``,
  ``cn_eu_east``, ``cn_titr_west``, ``cn_titr_east`` put a derived share of the row into the
  class that avoids Russia and Belarus, as in the bundled tables.
- ``ru_by_avoiding_share``: that share for this row, in [0, 1] (instead of the derived one).
- ``source_ids``: where the figure comes from (default ``user-file``).

Other columns (``year``, ``origin_group``, ``destination_group``, as in the bundled
``od_<year>.csv`` files, which are valid input) are ignored: the run's year applies. Every
problem is an ``InvalidInputError`` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from pathlib import Path

import pandas as pd

from landbridge.errors import InvalidInputError, UnknownPlaceError
from landbridge.flows.demand import CLASSES, OD_COLUMNS, load_regions
from landbridge.flows.region_snap import Snapped, snap_place
from landbridge.flows.route_choice import AVOID_COLUMN
from landbridge.user_files import csv_header, read_user_text

MAX_DEMAND_FILE_BYTES = 20_000_000
MAX_DEMAND_ROWS = 100_000
# One OD row above 1 Gt/yr (~30 x all China–Kazakhstan rail freight, 32 Mt in 2024) is a typo.
MAX_T_PER_YR = 1e9
REQUIRED = ("origin", "destination", "t_per_yr")
DEFAULT_SEGMENT = "user"
DEFAULT_SOURCE = "user-file"
ROW_KEY = ("segment", "cargo_class", "origin", "destination")
"""Columns that identify an OD row: a second row with the same key is a duplicate."""
PLACE_MAPPING = "place_mapping"
"""``DataFrame.attrs`` key: how place names were snapped to regions (one line each)."""


def read_demand_file(path: str | Path, year: int, tonnes_per_teu: float) -> pd.DataFrame:
    """The OD rows of the CSV at ``path`` for ``year``, in the bundled tables' columns
    (``OD_COLUMNS``, plus ``ru_by_avoiding_share`` when the file has it)."""
    file = Path(path)
    text = read_user_text(file, InvalidInputError, "demand file", MAX_DEMAND_FILE_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = csv_header(reader.fieldnames, InvalidInputError, str(file))
    except csv.Error as exc:
        raise InvalidInputError(f"{file}: not a CSV file ({exc})") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInputError(
            f"{file}: the header lacks {', '.join(missing)} (columns: origin, destination, "
            "t_per_yr, and optionally cargo_class, teu_per_yr, segment, ru_by_avoiding_share, "
            "source_ids)"
        )
    reader.fieldnames = header
    regions = load_regions()
    has_share = AVOID_COLUMN in header
    snapped: dict[str, Snapped] = {}
    rows: list[tuple[object, ...]] = []
    key_at = [OD_COLUMNS.index(c) for c in ROW_KEY]
    first_line: dict[tuple, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) >= MAX_DEMAND_ROWS:
                raise InvalidInputError(f"{file}: more than {MAX_DEMAND_ROWS:,} OD rows")
            if None in record:
                raise InvalidInputError(f"{file}, line {line}: more cells than header columns")
            row = (year, *_row(file, line, record, regions, tonnes_per_teu, has_share, snapped))
            key = tuple(row[i] for i in key_at)
            if key in first_line:
                raise InvalidInputError(
                    f"{file}:{line}: the same OD row ({', '.join(map(str, key))}) is already on "
                    f"line {first_line[key]}; its tonnes would be counted twice"
                )
            first_line[key] = line
            rows.append(row)
    except csv.Error as exc:
        raise InvalidInputError(
            f"{file}, after line {reader.line_num}: not valid CSV ({exc})"
        ) from None
    if not rows:
        raise InvalidInputError(f"{file}: no OD rows below the header")
    columns = [*OD_COLUMNS, *([AVOID_COLUMN] if has_share else [])]
    out = pd.DataFrame(rows, columns=columns)
    out.attrs[PLACE_MAPPING] = [s.describe() for s in snapped.values()]
    return out


def _snapped(name: str, where: str, regions: pd.DataFrame, seen: dict[str, Snapped]) -> str:
    """Region of a place name that is not a region id (``flows.region_snap``), remembered."""
    if name not in seen:
        try:
            seen[name] = snap_place(name, regions)
        except (UnknownPlaceError, InvalidInputError):
            close = difflib.get_close_matches(name, list(regions.index), n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}?" if close else "see data/demand/regions.csv"
            raise InvalidInputError(
                f"{where}: unknown region {name[:80]!r}; {hint} (it is neither a region id nor "
                "a place the gazetteer knows)"
            ) from None
    return seen[name].region


def _row(
    file: Path,
    line: int,
    record: dict[str, str | None],
    regions: pd.DataFrame,
    tonnes_per_teu: float,
    has_share: bool,
    snapped: dict[str, Snapped],
) -> tuple:
    def cell(name: str) -> str:
        return (record.get(name) or "").strip()

    def where(name: str) -> str:
        return f"{file}, line {line}, {name}"

    ends = []
    for name in ("origin", "destination"):
        region = cell(name)
        if region not in regions.index:
            region = _snapped(region, where(name), regions, snapped)
        ends.append(region)
    if ends[0] == ends[1]:
        raise InvalidInputError(f"{where('destination')}: same region as the origin ({ends[0]})")
    cargo = cell("cargo_class") or "container"
    if cargo not in CLASSES:
        raise InvalidInputError(
            f"{where('cargo_class')}: {cargo[:40]!r} is not one of {', '.join(CLASSES)}"
        )
    tonnes = _number(cell("t_per_yr"), where("t_per_yr"), MAX_T_PER_YR)
    default_teu = tonnes / tonnes_per_teu if cargo == "container" else 0.0
    teu = (
        _number(cell("teu_per_yr"), where("teu_per_yr"), MAX_T_PER_YR)
        if cell("teu_per_yr")
        else default_teu
    )
    out = [
        cell("segment") or DEFAULT_SEGMENT,
        cargo,
        *ends,
        str(regions.at[ends[0], "group"]),
        str(regions.at[ends[1], "group"]),
        tonnes,
        teu,
        cell("source_ids") or DEFAULT_SOURCE,
    ]
    if has_share:
        text = cell(AVOID_COLUMN)
        out.append(_number(text, where(AVOID_COLUMN), 1.0) if text else 0.0)
    return tuple(out)


def _number(text: str, where: str, most: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInputError(f"{where}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise InvalidInputError(f"{where}: {text[:40]!r} must be a finite number >= 0")
    if value > most:
        raise InvalidInputError(f"{where}: {value:g} is beyond the plausible {most:g}")
    return value
