"""The sea tables: curated ports, sea links and sampled ocean freight rates (``data/facilities/``).

Read by the network build (``network/build/sea_layer.py`` routes the links on the lane graph) and
at run time (dated ocean rates in ``costs/dated``, ports and links of the simulated corridor).
Ports are placed from the searoute port list by LOCODE, or from their own sourced coordinates
where searoute lacks them (Kuryk, Alat).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from landbridge.errors import InvalidInputError, NetworkDataError
from landbridge.network.facility_ids import PORT_ID_PREFIX as PORT_ID_PREFIX
from landbridge.network.ocean_rates import OCEAN_RATE_COLUMNS, OCEAN_RATE_LANE, OCEAN_RATES_CSV
from landbridge.paths import DATA_DIR, RAW_DIR

PORTS_CSV = DATA_DIR / "facilities" / "ports.csv"
LINKS_CSV = DATA_DIR / "facilities" / "sea_links.csv"
SEAROUTE_PORTS = RAW_DIR / "searoute" / "ports.geojson"


def read_sea_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={"locode": str, "source_ids": str, "assumption": str})
    except (OSError, ValueError) as exc:
        raise NetworkDataError(f"cannot read {path.name}: {exc}") from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise NetworkDataError(f"{path.name}: missing columns {missing}")
    return frame


def load_searoute_ports(path: Path = SEAROUTE_PORTS) -> dict[str, tuple[float, float]]:
    """UN/LOCODE → (lon, lat) from the bundled searoute port list (first point wins)."""
    return dict(_searoute_ports(path))


@lru_cache(maxsize=2)
def _searoute_ports(path: Path) -> dict[str, tuple[float, float]]:
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise NetworkDataError(f"cannot read the searoute port list {path}: {exc}") from exc
    coords: dict[str, tuple[float, float]] = {}
    for feature in features:
        code = (feature.get("properties") or {}).get("port")
        if code and code not in coords:
            lon, lat = feature["geometry"]["coordinates"][:2]
            coords[code] = (float(lon), float(lat))
    return coords


def load_ports_table(path: Path = PORTS_CSV) -> pd.DataFrame:
    """The curated ports table with coordinates resolved (searoute by LOCODE, or the row's own)."""
    frame = read_sea_table(
        path, ("port_id", "name", "locode", "country", "region", "coord_source", "lat", "lon")
    )
    if frame["port_id"].duplicated().any():
        raise NetworkDataError(
            f"{path.name}: duplicate port_id "
            f"{sorted(frame.loc[frame['port_id'].duplicated(), 'port_id'])}"
        )
    searoute = load_searoute_ports()
    lat = frame["lat"].astype(float).to_numpy(copy=True)
    lon = frame["lon"].astype(float).to_numpy(copy=True)
    for i, (_, row) in enumerate(frame.iterrows()):
        if row["coord_source"] == "searoute":
            if row["locode"] not in searoute:
                raise NetworkDataError(
                    f"{path.name}: port '{row['port_id']}' LOCODE {row['locode']} "
                    "is not in searoute ports.geojson"
                )
            lon[i], lat[i] = searoute[row["locode"]]
        elif row["coord_source"] != "manual" or not (np.isfinite(lat[i]) and np.isfinite(lon[i])):
            raise NetworkDataError(
                f"{path.name}: port '{row['port_id']}' needs coord_source 'searoute', "
                "or 'manual' with lat and lon"
            )
    frame["lat"], frame["lon"] = lat, lon
    frame["locode"] = frame["locode"].fillna("")
    frame["rail_served"] = frame["rail_served"].astype(str).str.lower().eq("true")
    return frame


def load_ocean_rates(path: Path = OCEAN_RATES_CSV) -> pd.DataFrame:
    """Sampled Drewry WCI observations (USD/FEU) with year and sources."""
    return read_sea_table(path, OCEAN_RATE_COLUMNS)


def ocean_rate_usd_per_feu(
    year: int | None = None, rates: pd.DataFrame | None = None, lane: str = OCEAN_RATE_LANE
) -> tuple[int, float]:
    """(year, mean of the sampled WCI observations of ``lane`` in that year).

    The default year is the latest year of the reference lane (Shanghai → Rotterdam).
    """
    rates = load_ocean_rates() if rates is None else rates
    reference = rates.loc[rates["lane"] == OCEAN_RATE_LANE]
    chosen = int(reference["year"].max()) if year is None else int(year)
    sample = rates.loc[(rates["lane"] == lane) & (rates["year"].astype(int) == chosen)]
    if sample.empty:
        years = sorted({int(y) for y in rates.loc[rates["lane"] == lane, "year"]})
        raise InvalidInputError(
            f"no ocean freight rate for {lane} in {chosen}; "
            f"years with rates: {', '.join(map(str, years))}"
        )
    return chosen, float(sample["cost_usd_per_feu"].astype(float).mean())
