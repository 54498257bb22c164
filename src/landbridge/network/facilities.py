"""The facility table of a network: one read-only numpy column per schema column, checked once.

``FacilityTable`` holds the columns of ``schema/facility.py`` (a network may lack some: a toy
network, or one built without the sea layer) and the columns scenarios add; each is
dtype-checked when the table is made, so readers take ``table["kind"]`` as it is. Row ``i`` is
the facility of the edges whose ``edge_facility`` is ``i``.

``table[name]`` is a read-only ``numpy`` array: ``object`` of ``str`` for text, ``float64`` for
numbers, ``bool`` for flags, ``int8`` (1 / 0 / -1 unknown) for optional flags. Code that needs a
DataFrame (flows, scenarios, exports) asks for one with ``to_frame()``: a new frame each time,
which ``FacilityTable.from_frame`` turns back into a table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from landbridge.errors import NetworkDataError
from landbridge.schema.facility import FacilityColumn, facility_column

if TYPE_CHECKING:
    import pandas as pd

UNKNOWN = -1  # an optional flag's unknown value


class FacilityTable:
    """Facilities as typed columns (see ``schema/facility.py`` for names, types and units)."""

    __slots__ = ("_columns", "_n")

    def __init__(self, columns: Mapping[str, Any], n_rows: int | None = None) -> None:
        """Check and hold ``columns`` (name -> values); ``n_rows`` when there are no columns.
        ``NetworkDataError`` names a column outside the schema or a value of the wrong type."""
        checked: dict[str, np.ndarray] = {}
        for name, values in columns.items():
            spec = facility_column(str(name))
            if spec is None:
                raise NetworkDataError(f"facility column '{name}' is not in the facility schema "
                                       "(schema/facility.py)")  # fmt: skip
            array = _typed(spec, values)
            array.flags.writeable = False
            checked[spec.name] = array
        lengths = {len(a) for a in checked.values()}
        if len(lengths) > 1:
            raise NetworkDataError(f"facility columns of different lengths: {sorted(lengths)}")
        n = lengths.pop() if lengths else (n_rows or 0)
        if n_rows is not None and n != n_rows:
            raise NetworkDataError(f"facility columns have {n} rows, expected {n_rows}")
        self._columns = checked
        self._n = n

    # --- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError(f"the facility table has no column '{name}'") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names in table order."""
        return tuple(self._columns)

    def get(self, name: str, default: Any = None) -> np.ndarray | Any:
        return self._columns.get(name, default)

    def row_of(self, facility_id: str) -> int:
        """Row of ``facility_id``; ``KeyError`` if the table has none."""
        ids = self._columns.get("facility_id", np.empty(0, dtype=object))
        rows = np.flatnonzero(ids == facility_id)
        if not len(rows):
            raise KeyError(facility_id)
        return int(rows[0])

    def number(self, row: int, column: str) -> float:
        """The figure in ``column`` of row ``row`` (``NaN`` where there is none)."""
        array = self[column]
        if array.dtype != np.float64:
            raise TypeError(f"facility column '{column}' holds {array.dtype}, not numbers")
        return float(array[row])

    def record(self, row: int) -> dict[str, Any]:
        """Row ``row`` as a mapping of column -> Python value (``None`` for an unknown flag)."""
        out: dict[str, Any] = {}
        for name, array in self._columns.items():
            value = array[row]
            if array.dtype == np.int8:
                out[name] = None if value == UNKNOWN else bool(value)
            else:
                out[name] = value.item() if isinstance(value, np.generic) else value
        return out

    def equals(self, other: FacilityTable) -> bool:
        """Same columns in the same order with the same values (``NaN`` equal to ``NaN``)."""
        if self.columns != other.columns or len(self) != len(other):
            return False
        return all(
            np.array_equal(a, other[n], equal_nan=a.dtype == np.float64)
            for n, a in self._columns.items()
        )

    # --- conversion ------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """A new DataFrame of the table (text as ``str``, optional flags as ``boolean``)."""
        import pandas as pd

        data: dict[str, Any] = {}
        for name, array in self._columns.items():
            if array.dtype == object:
                data[name] = pd.array(array.tolist(), dtype="str")
            elif array.dtype == np.int8:
                data[name] = pd.array([None if v == UNKNOWN else bool(v) for v in array.tolist()],
                                      dtype="boolean")  # fmt: skip
            else:
                data[name] = array.copy()
        return pd.DataFrame(data, index=pd.RangeIndex(self._n))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FacilityTable:
        """The table of ``frame``'s columns (its index is dropped: rows are positions)."""
        return cls({str(c): frame[c].to_numpy() for c in frame.columns}, n_rows=len(frame))

    def with_columns(self, columns: Mapping[str, Any]) -> FacilityTable:
        """A new table with ``columns`` replaced or added (after the existing ones)."""
        return FacilityTable({**self._columns, **columns}, n_rows=self._n)


def _typed(spec: FacilityColumn, values: Any) -> np.ndarray:
    """``values`` as the column type of ``spec``; ``NetworkDataError`` if they are not of it."""
    raw = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    fast = _as_stored(spec, raw)
    if fast is not None:
        return fast
    where = f"facility column '{spec.name}'"
    cells = [None if m else v for v, m in zip(raw.tolist(), _missing(raw).tolist(), strict=True)]
    if spec.type == "text":
        bad = [v for v in cells if v is not None and not isinstance(v, str)]
        if bad:
            raise NetworkDataError(f"{where} holds text, got {bad[0]!r}")
        return np.array(["" if v is None else str(v) for v in cells], dtype=object)
    if spec.type == "number":
        bad = [v for v in cells if v is not None and not _is_number(v)]
        if bad:
            raise NetworkDataError(f"{where} holds numbers, got {bad[0]!r}")
        return np.array([np.nan if v is None else float(v) for v in cells], dtype=np.float64)
    bad = [v for v in cells if v is not None and (isinstance(v, str) or v not in (0, 1))]
    if bad:
        raise NetworkDataError(f"{where} holds yes/no flags, got {bad[0]!r}")
    if spec.type == "optional_flag":
        return np.array([UNKNOWN if v is None else int(bool(v)) for v in cells], dtype=np.int8)
    return np.array([v is not None and bool(v) for v in cells], dtype=bool)


def _as_stored(spec: FacilityColumn, raw: np.ndarray) -> np.ndarray | None:
    """``raw`` already in the stored type of ``spec`` (as the cache holds it), else ``None``."""
    kind = raw.dtype.kind
    if spec.type == "text" and kind == "U":
        return raw.astype(object)
    if spec.type == "number" and kind in "fiu":
        return raw.astype(np.float64, copy=True)
    if spec.type == "flag" and kind == "b":
        return raw.copy()
    if spec.type == "optional_flag" and raw.dtype == np.int8:
        if not np.isin(raw, (UNKNOWN, 0, 1)).all():
            raise NetworkDataError(f"facility column '{spec.name}' holds values other than 1, 0 "
                                   "and -1 (unknown)")  # fmt: skip
        return raw.copy()
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _missing(raw: np.ndarray) -> np.ndarray:
    """Where ``raw`` holds no value (``None``, ``NaN``, ``pandas.NA``)."""
    if raw.dtype.kind == "f":
        return np.isnan(raw)
    if raw.dtype != object:
        return np.zeros(len(raw), dtype=bool)
    return np.array([v is None or (isinstance(v, float) and v != v) or type(v).__name__ == "NAType"
                     for v in raw.tolist()], dtype=bool)  # fmt: skip
