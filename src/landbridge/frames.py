"""Typed reads of single DataFrame cells.

pandas-stubs type ``frame.at[row, column]`` as any scalar (a string, a date, ...), since a column's
dtype is not known statically; these say what the caller expects and convert once.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd


def cell_float(frame: pd.DataFrame, row: Hashable, column: Hashable) -> float:
    """``float(frame.at[row, column])``."""
    return float(frame.at[row, column])  # type: ignore[arg-type]


def row_at(frame: pd.DataFrame, label: str) -> pd.Series:
    """``frame.loc[label]`` as one row; ``KeyError`` when the label is not unique."""
    row = frame.loc[label]
    if isinstance(row, pd.DataFrame):
        raise KeyError(f"{label!r} labels {len(row)} rows, not one")
    return row
