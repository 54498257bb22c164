"""Model parameters with provenance: the ``data/params/*.csv`` tables and ``--params`` overrides.

Each table has a key column (ISO2 country, facility kind or factor key), numeric value
columns, and ``year, source_ids, note, assumption``. A country without a row falls back to
the ``*`` row of its table. Overrides replace single cells and are recorded, so the output
can name every source and assumption actually used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from landbridge.costs.param_table import ParamTable, read_param_table
from landbridge.country_codes import unknown_country
from landbridge.data import split_source_ids
from landbridge.errors import ParameterError
from landbridge.paths import DATA_DIR

if TYPE_CHECKING:  # its pydantic models are built on import: only a parameter file needs them
    from landbridge.schema.params import ParamsOverride

PARAMS_DIR = DATA_DIR / "params"
FALLBACK_KEY = "*"
META_COLUMNS = ("year", "source_ids", "note", "assumption")
# A parameter file patches single cells: a few hundred lines. Larger files are mistakes.
MAX_PARAMS_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class TableSpec:
    key: str
    values: tuple[str, ...]
    needs_fallback: bool


TABLES: dict[str, TableSpec] = {
    "rail_speed": TableSpec("country", ("speed_p50_kmh", "speed_p90_kmh"), True),
    "rail_tariff": TableSpec("country", ("usd_per_feu_km",), True),
    "electric_share": TableSpec("country", ("electric_share",), True),
    "grid_intensity": TableSpec("country", ("g_co2e_per_kwh",), True),
    "facility_defaults": TableSpec(
        "kind", ("dwell_p50_h", "dwell_p90_h", "cost_usd_per_feu", "headway_h", "speed_kmh"), False
    ),
    "emission_factors": TableSpec("key", ("value",), False),
    "scalars": TableSpec("key", ("value",), False),
    # the declared transit-time parameters with their sourced bounds (costs/transit.py)
    "transit_time": TableSpec("key", ("value", "lower", "upper", "p90_over_p50"), False),
    # rail rate by direction and booking size with their sourced bounds (costs/rate_basis.py)
    "rate_factors": TableSpec("key", ("value", "lower", "upper"), False),
}
SINGLE_VALUE_TABLES = ("emission_factors", "scalars", "transit_time", "rate_factors")
FACILITY_COLUMNS = TABLES["facility_defaults"].values


class RowRef(NamedTuple):
    """One parameter row used by a result: table name and the key actually read (a named
    tuple: an answer's hundreds of references are deduplicated by hash)."""

    table: str
    key: str


@dataclass(frozen=True)
class Params:
    """All parameter tables, indexed by key; ``facility_overrides`` patch facilities by id."""

    tables: Mapping[str, ParamTable]
    facility_overrides: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    override_origin: str = ""
    overridden: frozenset[tuple[str, str]] = frozenset()

    # --- lookups ---------------------------------------------------------------------------
    def resolve_key(self, table: str, key: str) -> str:
        """The row key used for ``key``: itself if present, else the table's ``*`` row."""
        rows = self._cells[table]
        if key in rows:
            return key
        if TABLES[table].needs_fallback and FALLBACK_KEY in rows:
            return FALLBACK_KEY
        raise ParameterError(f"parameter table {table} has no row '{key}' and no '*' fallback row")

    def value(self, table: str, key: str, column: str | None = None) -> float:
        spec = TABLES[table]
        col = column or spec.values[0]
        return self._cells[table][self.resolve_key(table, key)][col]

    @cached_property
    def _cells(self) -> dict[str, dict[str, dict[str, float]]]:
        """table -> key -> value column -> float, read once (lookups without pandas indexing)."""
        return {
            name: {
                key: dict(zip(TABLES[name].values, cells, strict=True))
                for key, *cells in zip(
                    table.keys, *(table.numbers[c] for c in TABLES[name].values), strict=True
                )
            }
            for name, table in self.tables.items()
        }

    def scalar(self, key: str) -> float:
        return self.value("scalars", key)

    def factor(self, key: str) -> float:
        return self.value("emission_factors", key)

    # --- provenance --------------------------------------------------------------------------
    @cached_property
    def _meta(self) -> dict[str, dict[str, tuple[list[str], str]]]:
        """table -> key -> (source ids, assumption), read once."""
        return {
            name: {
                key: (split_source_ids(sid), note)
                for key, sid, note in zip(
                    table.keys, table.texts["source_ids"], table.texts["assumption"], strict=True
                )
            }
            for name, table in self.tables.items()
        }

    def sources_of(self, refs: Iterable[RowRef]) -> tuple[list[str], list[str]]:
        """Source ids and assumption sentences of the rows in ``refs`` (ordered, unique)."""
        source_ids: dict[str, None] = {}
        assumptions: dict[str, None] = {}
        for ref in refs:
            if ref.table == "override":
                assumptions[f"{ref.key} set by the parameter file {self.override_origin}"] = None
                continue
            ids, text = self._meta[ref.table][ref.key]
            for sid in ids:
                source_ids[sid] = None
            if isinstance(text, str) and text.strip():
                assumptions[f"{ref.table}[{ref.key}]: {text.strip()}"] = None
            for col in TABLES[ref.table].values:
                if (ref.table, f"{ref.key}.{col}") in self.overridden:
                    cell = f"{ref.table}.{ref.key}.{col}"
                    note = f"{cell} set by the parameter file {self.override_origin}"
                    assumptions[note] = None
        return list(source_ids), list(assumptions)

    # --- overrides ---------------------------------------------------------------------------
    def with_overrides(self, override: ParamsOverride, origin: str) -> Params:
        """A copy with the cells of ``override`` replaced; checks p50/p90 order afterwards."""
        tables = dict(self.tables)
        overridden = set(self.overridden)
        for name in TABLES:
            patch = getattr(override, name)
            rows = (
                {k: v for k, v in patch.model_dump().items() if v is not None}
                if name in SINGLE_VALUE_TABLES
                else {key: row.model_dump(exclude_none=True) for key, row in patch.items()}
            )
            for key, patch_cells in rows.items():
                cells = {"value": patch_cells} if name in SINGLE_VALUE_TABLES else patch_cells
                table = tables[name]
                if key not in table:
                    _check_new_key(name, key, origin)
                    table = table.with_row(key, like=self.resolve_key(name, key),
                                           blank=("assumption",))  # fmt: skip
                for col, value in cells.items():
                    table = table.with_number(key, col, float(value))
                    overridden.add((name, f"{key}.{col}"))
                tables[name] = table
        facility_overrides = {k: dict(v) for k, v in self.facility_overrides.items()}
        for fid, patch in override.facilities.items():
            facility_overrides.setdefault(fid, {}).update(patch.model_dump(exclude_none=True))
        params = Params(tables, facility_overrides, origin, frozenset(overridden))
        params.check()
        return params

    def check(self) -> None:
        """Raise ``ParameterError`` if a p90 is on the wrong side of its p50."""
        speed = self._cells["rail_speed"]
        slow = [k for k, c in speed.items() if c["speed_p90_kmh"] > c["speed_p50_kmh"]]
        if slow:
            raise ParameterError(
                "rail_speed: speed_p90_kmh must not exceed speed_p50_kmh "
                f"(p90 is the slow case) for {slow}"
            )
        dwell = self._cells["facility_defaults"]
        bad = [k for k, c in dwell.items() if c["dwell_p90_h"] < c["dwell_p50_h"]]
        bad += [
            fid
            for fid, cells in self.facility_overrides.items()
            if "dwell_p50_h" in cells
            and "dwell_p90_h" in cells
            and cells["dwell_p90_h"] < cells["dwell_p50_h"]
        ]
        if bad:
            raise ParameterError(f"dwell_p90_h must be at least dwell_p50_h for {bad}")


def _check_new_key(table: str, key: str, origin: str) -> None:
    spec = TABLES[table]
    if spec.key == "country":
        reason = unknown_country(key)
        if reason is None:
            return
        raise ParameterError(f"{origin}: {table}.{key[:20]}: {reason}")
    raise ParameterError(
        f"{origin}: {table}.{key}: unknown {spec.key}; "
        f"known: {', '.join(sorted(load_default_params().tables[table].keys))}"
    )


def _read_table(name: str, directory: Path) -> ParamTable:
    spec = TABLES[name]
    return read_param_table(directory / f"{name}.csv", spec.key, spec.values, META_COLUMNS)


@lru_cache(maxsize=4)
def _load_directory(directory: str) -> Params:
    params = Params({name: _read_table(name, Path(directory)) for name in TABLES})
    params.check()
    return params


def load_default_params() -> Params:
    """The bundled tables (cached; treat as read-only)."""
    return _load_directory(str(PARAMS_DIR))


def _yes_no_value(data: Any, path: str = "") -> str | None:
    """The key path of the first yes/no value (no parameter is one; pydantic reads true as 1)."""
    if isinstance(data, bool):
        return path or "(the file)"
    if isinstance(data, dict):
        for key, value in data.items():
            found = _yes_no_value(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    return None


def parse_override(data: Any, origin: str) -> ParamsOverride:
    """Validate a parsed YAML mapping; the error names the offending key path."""
    where = _yes_no_value(data)
    if where is not None:
        raise ParameterError(f"{origin}: {where}: a yes/no value, not a number")
    from landbridge.schema.params import ParamsOverride

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParameterError(
            f"{origin}: expected a mapping of table names, got {type(data).__name__}"
        )
    from pydantic import ValidationError

    try:
        return ParamsOverride.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        got = first.get("input")
        got_text = "" if isinstance(got, dict) else f" (got {got!r})"
        hint = ""
        if first["type"] == "extra_forbidden":
            hint = (
                f"; allowed tables: {', '.join(ParamsOverride.model_fields)}"
                if len(first["loc"]) == 1
                else ""
            )
        raise ParameterError(f"{origin}: {where}: {first['msg']}{got_text}{hint}") from None


def load_params(path: str | Path | None = None, base: Params | None = None) -> Params:
    """Bundled parameters, with the YAML file at ``path`` applied on top if given."""
    params = base or load_default_params()
    if path is None:
        return params
    from landbridge.user_files import load_user_yaml, read_user_text

    file = Path(path)
    text = read_user_text(file, ParameterError, "parameter file", MAX_PARAMS_FILE_BYTES)
    data = load_user_yaml(text, ParameterError, str(file))
    return params.with_overrides(parse_override(data, str(file)), str(file))
