"""Annual corridor demand (t/yr and TEU/yr) between regions, rebuilt from published aggregates.

Raw figures live in ``data/demand/aggregates.csv`` (each with its source), representative places in
``regions.csv`` and split weights in ``weights.csv``. ``build_demand(year)`` turns them into an OD
table; ``write_demand_tables()`` writes the bundled ``od_<year>.csv`` files (``landbridge flows
--rebuild-demand``). The method, step by step (see ``docs/validation.md``, "Flows calibration"):

1. Segment totals from published figures, by the recipes of ``year_recipes.csv`` (one row per
   year and quantity, evaluated by ``flows.demand_recipes.year_value``). China–Kazakhstan rail
   tonnage (32 Mt in 2024) splits into Kazakh exports to China (13.7 Mt), Chinese transit
   through Kazakhstan (15.3 Mt) and, as the remainder, imports from China. 2023 totals come from
   the published 2024 growth rates (+13.1% total, +19% transit); 2023 exports/imports keep the
   2024 ratio. 2025 totals grow 2024 by the January–August 2025 growth of China–Kazakhstan
   freight (+10%, assumed for the year) and Chinese transit by the growth of all rail transit
   through Kazakhstan (27.4 -> 33 Mt, assumed to hold for Chinese transit); 2025
   exports/imports keep the 2024 ratio.
2. Transit splits by destination: Europe = UTLC ERA containers (TEU x t/TEU), the Chinese part of
   TITR = (1 - Kazakh share) x TITR tonnage, the rest to Central Asia, Russia and Belarus.
   2025 Europe = the 2024 UTLC ERA containers x (1 - 18%), the ERAI change of 2025.
   Every transit stream runs 100 westbound to 15 eastbound (UTLC ERA ratio).
3. Kazakh TITR cargo (72% of TITR tonnage) goes from western and central Kazakhstan to the Caspian
   west (Azerbaijan, Georgia, Türkiye).
4. Within a segment the OD flow is total x origin share x destination share: a doubly constrained
   gravity model without distance deterrence, because the published figures give the margins
   only. The shares are in ``weights.csv``; each row says whether it is sourced or assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from landbridge.errors import InvalidInputError, ParameterError
from landbridge.flows.demand_figures import DEMAND_DIR, figure, read_demand_table
from landbridge.flows.demand_recipes import year_value

__all__ = ["DEMAND_DIR", "figure"]  # read by the flows and simulation layers through this module
YEARS = (2023, 2024, 2025)
DEFAULT_YEAR = 2024  # the latest bundled year: what flows use when no year is given
CLASSES = ("container", "bulk")
OD_COLUMNS = (
    "year", "segment", "cargo_class", "origin", "destination", "origin_group",
    "destination_group", "t_per_yr", "teu_per_yr", "source_ids",
)  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """A demand stream with one published or derived total and two weight sets."""

    segment_id: str
    cargo_class: str
    total_t: float
    origins: str  # weights.csv segment key (or a transit_rest group split)
    destinations: str
    derivation: str
    source_ids: str


@lru_cache(maxsize=1)
def load_crossing_shares() -> pd.DataFrame:
    """How a year's China–Kazakhstan total splits over the crossings (see the data README)."""
    return read_demand_table(
        "crossing_shares.csv", ("year", "facility_id", "sample_figure", "figure_id", "derivation")
    )


@lru_cache(maxsize=1)
def load_regions() -> pd.DataFrame:
    return read_demand_table(
        "regions.csv", ("region_id", "name", "group", "country", "lat", "lon")
    ).set_index("region_id")


@lru_cache(maxsize=1)
def load_weights() -> pd.DataFrame:
    return read_demand_table("weights.csv", ("segment", "side", "key", "weight"))


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise InvalidInputError(
            f"no demand for year {year}; available: {', '.join(map(str, YEARS))}"
        )


def cn_kz_totals(year: int) -> dict[str, tuple[float, str, str]]:
    """China–Kazakhstan totals: name -> (tonnes, derivation, source ids), by the year's recipes
    (``data/demand/year_recipes.csv``)."""
    _check_year(year)
    return {q: _derived(q, year) for q in ("total", "exports", "transit", "imports")}


def _derived(quantity: str, year: int) -> tuple[float, str, str]:
    d = year_value(quantity, year)
    return d.value, d.derivation, d.source_ids


def segments(year: int, tonnes_per_teu: float) -> list[Segment]:
    """The demand segments of ``year`` with their totals in tonnes."""
    if not tonnes_per_teu > 0:
        raise InvalidInputError("tonnes_per_teu must be positive")
    cnkz = cn_kz_totals(year)
    exports, d_exp, s_exp = cnkz["exports"]
    imports, d_imp, s_imp = cnkz["imports"]
    transit, d_tr, s_tr = cnkz["transit"]
    east_per_100, _, s_ratio = _derived("eastbound_per_100_westbound", year)
    west_share = 100 / (100 + east_per_100)
    eu_west_teu, _, s_eu = _derived("eu_westbound_teu", year)
    eu_west = eu_west_teu * tonnes_per_teu
    eu_east = eu_west * east_per_100 / 100
    titr, _, s_titr = _derived("titr_t", year)
    kz_share_pct, _, s_kz = _derived("titr_kz_share_pct", year)
    titr_cn = titr * (1 - kz_share_pct / 100)
    rest_west = transit * west_share - eu_west - titr_cn * west_share
    rest_east = transit * (1 - west_share) - eu_east - titr_cn * (1 - west_share)
    if rest_west < 0 or rest_east < 0:
        raise ParameterError(
            f"demand {year}: Europe and TITR transit exceed total Chinese transit through KZ"
        )
    tt = f"{tonnes_per_teu:g} t/TEU"
    ratio = f"{east_per_100:g} eastbound per 100 westbound"
    return [
        Segment("kz_exports_cn", "bulk", exports, "kz_export", "china", d_exp, s_exp),
        Segment("cn_imports_kz", "container", imports, "china", "kz_import", d_imp, s_imp),
        Segment("cn_eu_west", "container", eu_west, "china", "europe",
                f"UTLC ERA westbound TEU x {tt}", s_eu),
        Segment("cn_eu_east", "container", eu_east, "europe", "china",
                f"cn_eu_west x {ratio}", f"{s_eu};{s_ratio}"),
        Segment("cn_titr_west", "container", titr_cn * west_share, "china", "caspian_west",
                f"TITR x (1 - {kz_share_pct:g}% Kazakh) x westbound share", f"{s_titr};{s_kz}"),
        Segment("cn_titr_east", "container", titr_cn * (1 - west_share), "caspian_west", "china",
                f"TITR x (1 - {kz_share_pct:g}% Kazakh) x eastbound share", f"{s_titr};{s_kz}"),
        Segment("cn_rest_west", "container", rest_west, "china", "transit_rest",
                f"transit ({d_tr}) x westbound share - Europe - TITR", f"{s_tr};{s_ratio}"),
        Segment("cn_rest_east", "container", rest_east, "transit_rest", "china",
                f"transit ({d_tr}) x eastbound share - Europe - TITR", f"{s_tr};{s_ratio}"),
        Segment("kz_titr", "bulk", titr * kz_share_pct / 100, "kz_titr", "caspian_west",
                f"TITR x {kz_share_pct:g}% Kazakh export/import", f"{s_titr};{s_kz}"),
    ]  # fmt: skip


def region_shares(key: str) -> pd.Series:
    """Shares (summing to 1) over regions for a weights key; ``transit_rest`` nests groups."""
    w = load_weights()
    rows = w[w.segment == key]
    if rows.empty:
        raise ParameterError(f"weights.csv has no rows for '{key}'")
    parts = []
    for _, row in rows.iterrows():
        if row.side == "group":
            parts.append(region_shares(str(row.key)) * float(row.weight))
        else:
            parts.append(pd.Series({str(row.key): float(row.weight)}))
    shares = pd.concat(parts).groupby(level=0, sort=False).sum()
    unknown = sorted(set(shares.index) - set(load_regions().index))
    if unknown:
        raise ParameterError(f"weights.csv '{key}' names unknown regions: {unknown}")
    return shares / shares.sum()


def build_demand(year: int, tonnes_per_teu: float) -> pd.DataFrame:
    """OD table for ``year``: one row per segment, origin and destination region."""
    regions = load_regions()
    rows = []
    for seg in segments(year, tonnes_per_teu):
        o_share, d_share = region_shares(seg.origins), region_shares(seg.destinations)
        for o, wo in o_share.items():
            for d, wd in d_share.items():
                t = seg.total_t * wo * wd
                rows.append((
                    year, seg.segment_id, seg.cargo_class, o, d, regions.at[o, "group"],
                    regions.at[d, "group"], t,
                    t / tonnes_per_teu if seg.cargo_class == "container" else 0.0, seg.source_ids,
                ))  # fmt: skip
    return pd.DataFrame(rows, columns=list(OD_COLUMNS))


def demand_year(demand_set: str, year: int) -> int:
    """Demand year for a scenario's ``base.demand`` set name and ``base.year``.

    ``default`` means the scenario's year when bundled, else the latest bundled year; ``od-YYYY``
    names a bundled year explicitly.
    """
    name = demand_set.strip().lower()
    if name == "default":
        return year if year in YEARS else max(YEARS)
    if name.startswith("od-") and name[3:].isdigit() and int(name[3:]) in YEARS:
        return int(name[3:])
    choices = ", ".join(["default", *(f"od-{y}" for y in YEARS)])
    raise InvalidInputError(f"unknown demand set '{demand_set}'; bundled sets: {choices}")


def od_path(year: int) -> Path:
    return DEMAND_DIR / f"od_{year}.csv"


def write_demand_tables(tonnes_per_teu: float, directory: Path = DEMAND_DIR) -> list[Path]:
    """Rebuild the bundled OD tables from the raw figures; returns the written paths."""
    out = []
    for year in YEARS:
        path = directory / od_path(year).name
        build_demand(year, tonnes_per_teu).to_csv(path, index=False, float_format="%.1f")
        out.append(path)
    return out


def load_demand(year: int) -> pd.DataFrame:
    """The bundled OD table of ``year`` (see ``write_demand_tables``)."""
    _check_year(year)
    path = od_path(year)
    if not path.is_file():
        raise ParameterError(f"{path} is missing; run 'landbridge flows --rebuild-demand'")
    return read_demand_table(path.name, OD_COLUMNS)
