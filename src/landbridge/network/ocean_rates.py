"""The sampled Drewry WCI ocean rates (``data/facilities/ocean_rates.csv``): where the table is,
its reference lane, and its rows as text (csv module: the route command reads them at start-up;
the sea-layer build reads the same file with pandas, ``network.sea.load_ocean_rates``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from landbridge.csv_rows import read_text_rows
from landbridge.errors import NetworkDataError
from landbridge.paths import DATA_DIR

OCEAN_RATES_CSV = DATA_DIR / "facilities" / "ocean_rates.csv"
OCEAN_RATE_LANE = "shanghai-rotterdam"
"""The reference lane: its rates stand in for a lane without samples."""
OCEAN_RATE_COLUMNS = ("lane", "date", "year", "cost_usd_per_feu", "source_ids")


@lru_cache(maxsize=4)
def ocean_rate_rows(path: Path = OCEAN_RATES_CSV) -> tuple[dict[str, str], ...]:
    """Every row of the table, cells as text ('' when empty), in file order."""
    try:
        return tuple(read_text_rows(path, OCEAN_RATE_COLUMNS, NetworkDataError))
    except (OSError, UnicodeDecodeError) as exc:
        raise NetworkDataError(f"cannot read {path.name}: {exc}") from exc
