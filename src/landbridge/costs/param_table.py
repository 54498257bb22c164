"""One parameter table (``data/params/*.csv``) as typed columns: read with the csv module.

A table has a key column (row keys, unique, in file order), value columns (numbers: ``float``,
``NaN`` for an empty cell) and text columns (every other column, as written; ``''`` when empty).
Which columns hold values is the table's ``TableSpec`` (``costs/params.py``). Read-only: an
override makes a new table (``with_number``, ``with_row``).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from landbridge.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ParamTable:
    """Rows by key; ``numbers`` for the value columns, ``texts`` for the others."""

    key: str  # name of the key column
    keys: tuple[str, ...]
    numbers: Mapping[str, tuple[float, ...]]
    texts: Mapping[str, tuple[str, ...]]

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self._row_of

    @cached_property
    def _row_of(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def row(self, key: str) -> int:
        """Row of ``key``; ``KeyError`` if the table has none."""
        return self._row_of[key]

    def number(self, key: str, column: str) -> float:
        return self.numbers[column][self.row(key)]

    def text(self, key: str, column: str) -> str:
        return self.texts[column][self.row(key)]

    def column(self, column: str) -> np.ndarray:
        """A column in row order: ``float64`` for a value column, ``object`` (str) otherwise."""
        if column in self.numbers:
            return np.array(self.numbers[column], dtype=np.float64)
        return np.array(self.texts[column], dtype=object)

    def rows_of(self, keys: Iterable[str]) -> np.ndarray:
        """Row of each of ``keys`` (``-1`` where the table has no such row)."""
        index = self._row_of
        return np.array([index.get(k, -1) for k in keys], dtype=np.int64)

    def with_number(self, key: str, column: str, value: float) -> ParamTable:
        """A copy with cell (``key``, ``column``) set to ``value``."""
        cells = list(self.numbers[column])
        cells[self.row(key)] = float(value)
        return replace(self, numbers={**self.numbers, column: tuple(cells)})

    def with_row(self, key: str, like: str, blank: Sequence[str] = ()) -> ParamTable:
        """A copy with a new last row ``key``: the cells of row ``like``, text columns
        ``blank`` empty."""
        i = self.row(like)
        return replace(
            self,
            keys=(*self.keys, key),
            numbers={c: (*v, v[i]) for c, v in self.numbers.items()},
            texts={c: (*v, "" if c in blank else v[i]) for c, v in self.texts.items()},
        )

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame indexed by key (value columns float, the others str)."""
        import pandas as pd

        data = {**{c: list(v) for c, v in self.texts.items()},
                **{c: list(v) for c, v in self.numbers.items()}}  # fmt: skip
        frame = pd.DataFrame(data, index=pd.Index(list(self.keys), name=self.key))
        return frame[[c for c in self.columns if c != self.key]]

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.key, *self.numbers, *self.texts)


def read_param_table(path: Path, key: str, values: Sequence[str], required: Sequence[str]
                     ) -> ParamTable:  # fmt: skip
    """The table at ``path``; ``ParameterError`` names a missing file or column, a duplicate
    key or a value cell that is not a number."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            rows = [r for r in reader if any(cell for cell in r)]
    except FileNotFoundError as exc:
        raise ParameterError(f"parameter table missing: {path}") from exc
    missing = [c for c in (key, *values, *required) if c not in header]
    if missing:
        raise ParameterError(f"{path.name}: missing columns {missing}")
    position = {c: header.index(c) for c in header}

    def cells(column: str) -> list[str]:
        at = position[column]
        return [r[at] if at < len(r) else "" for r in rows]

    keys = cells(key)
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ParameterError(f"{path.name}: duplicate keys {dupes}")
    numbers = {c: tuple(_number(v, path, c) for v in cells(c)) for c in values}
    texts = {c: tuple(cells(c)) for c in header if c != key and c not in numbers}
    return ParamTable(key, tuple(keys), numbers, texts)


def _number(cell: str, path: Path, column: str) -> float:
    if cell == "":
        return math.nan
    try:
        return float(cell)
    except ValueError:
        raise ParameterError(f"{path.name}: column {column}: '{cell}' is not a number") from None
