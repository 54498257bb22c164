"""The published demand figures (``data/demand/aggregates.csv``) and the demand tables' reader."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from landbridge.errors import ParameterError
from landbridge.paths import DATA_DIR

DEMAND_DIR = DATA_DIR / "demand"


@lru_cache(maxsize=1)
def load_aggregates() -> pd.DataFrame:
    return read_demand_table("aggregates.csv", ("figure_id", "year", "value", "unit", "source_ids"))


def read_demand_table(name: str, required: tuple[str, ...]) -> pd.DataFrame:
    """The bundled demand table ``name``; a missing file or column raises ``ParameterError``."""
    path = DEMAND_DIR / name
    if not path.is_file():
        raise ParameterError(f"demand table {path} is missing; reinstall landbridge")
    frame = pd.read_csv(path, keep_default_na=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name}: missing columns {missing}")
    return frame


def figure(figure_id: str, year: int) -> tuple[float, str]:
    """A published figure and its source ids."""
    agg = load_aggregates()
    row = agg[(agg.figure_id == figure_id) & (agg.year == year)]
    if len(row) != 1:
        raise ParameterError(f"aggregates.csv has no single row for {figure_id} in {year}")
    return float(row.value.iloc[0]), str(row.source_ids.iloc[0])
