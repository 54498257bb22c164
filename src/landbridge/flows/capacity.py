"""Facility capacities in t/yr: the sourced figure, floored at what was observed, else an estimate.

One function turns every capacity unit into t/yr (``sourced_capacity_t``; the scenario layer's
``set_capacity`` writes the same columns, so a capacity in trains/day or TEU/yr means the same
everywhere). The units, stated once:

- **containers**: ``tonnes_per_teu`` (params scalar, IMO default 10 t per loaded TEU); a TEU
  capacity is TEU/yr x that. A container train is ``feu_per_train`` FEU x 2 TEU x 10 t = 1,100 t,
  which turns trains/day into t/yr (trains/day x 365 x 1,100 t).
- **bulk** carries no TEU: bulk tonnes count in t/yr only, and a facility's trains/day capacity
  is read at the container train's load (a bulk train is heavier, so this errs low). TEU columns
  of results count containers only.

Order: a sourced tonnage, else TEU/yr, else trains/day. Then the **observed floor**: no facility
carries less than it has been observed to carry (``observed_throughput.csv``, published or
derived from published figures with the derivation); a figure below it is a daily quota or a
terminal's share, not the facility's capacity. The floor applies to the bundled tables and the
events table only: a capacity a scenario sets itself is used as given (a warning says when it is
below the observed throughput). A **quota into a country** (``QUOTA_PREFIX`` columns: China's
daily quotas) limits only the trains entering that country; the flows give those edges a
capacity of their own (``flows.corridor.prepare``). A dated closure of d days (a scenario) takes
d/365 of the floor too (``open_share_of_year``). Facilities with no figure get an **estimate**
from ``capacity_estimates.csv`` (marked as such): a line crossing or a gauge-change yard =
tracks x trains per track per day x 365 x train load; a ferry or feeder line = fleet x vessel
FEU x sailings per year (8760 h / headway) x t per FEU; a port = the sum of the sea lines that
call there (every tonne through a port of this network arrives or leaves by one of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from landbridge.errors import ParameterError
from landbridge.paths import DATA_DIR
from landbridge.schema.facility import OPEN_SHARE_COLUMN, QUOTA_PREFIX, SET_BY_SCENARIO
from landbridge.units import DAYS_PER_YEAR, HOURS_PER_YEAR, TEU_PER_FEU

ESTIMATES_PATH = DATA_DIR / "params" / "capacity_estimates.csv"
OBSERVED_PATH = DATA_DIR / "facilities" / "observed_throughput.csv"
SOURCED, OBSERVED, ESTIMATED = "sourced", "observed floor", "estimate"
# The scenario columns (schema/facility.py): OPEN_SHARE_COLUMN, written by a dated closure: the
# floor loses the closed days; SET_BY_SCENARIO, 1 where a scenario's own set_capacity gave the
# figure: used as given, never floored (a warning says when it is below the observed throughput);
# QUOTA_PREFIX + ISO2: trains per day into that country (China's quotas bind trains into China
# only; the other direction keeps the facility's capacity).


@dataclass(frozen=True)
class Capacities:
    t_per_yr: np.ndarray  # [f] NaN: no capacity (ocean legs)
    basis: np.ndarray  # object [f]: SOURCED | OBSERVED | ESTIMATED + method | ""
    warnings: tuple[str, ...] = ()  # a scenario's capacity below what the facility has carried
    quotas_t: dict[str, np.ndarray] = field(default_factory=dict)  # country -> [f] t/yr, NaN: none


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(float)


def sourced_capacity_t(
    facilities: pd.DataFrame, t_per_train: float, tonnes_per_teu: float
) -> np.ndarray:
    """t/yr from the facility's own figure: tonnage, else TEU/yr, else trains/day; NaN if none."""
    tonnes = _col(facilities, "capacity_t_per_yr")
    teu = _col(facilities, "capacity_teu_per_yr") * tonnes_per_teu
    trains = _col(facilities, "capacity_trains_per_day") * DAYS_PER_YEAR * t_per_train
    return np.where(np.isfinite(tonnes), tonnes, np.where(np.isfinite(teu), teu, trains))


@lru_cache(maxsize=1)
def load_estimates() -> pd.DataFrame:
    frame = pd.read_csv(ESTIMATES_PATH, keep_default_na=False)
    need = ("kind", "method", "tracks", "trains_per_track_per_day", "vessel_capacity_feu",
            "fleet", "source_ids", "assumption")  # fmt: skip
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ParameterError(f"{ESTIMATES_PATH.name}: missing columns {missing}")
    return frame.set_index("kind")


@lru_cache(maxsize=1)
def load_observed() -> pd.DataFrame:
    frame = pd.read_csv(OBSERVED_PATH, keep_default_na=False)
    missing = [c for c in ("facility_id", "year", "t_per_yr", "source_ids") if c not in frame]
    if missing:
        raise ParameterError(f"{OBSERVED_PATH.name}: missing columns {missing}")
    frame["t_per_yr"] = pd.to_numeric(frame.t_per_yr, errors="raise").astype(float)
    return frame


def observed_peak_t(facility_ids: np.ndarray) -> np.ndarray:
    """Highest observed annual throughput of each facility (NaN where none is recorded)."""
    peak = load_observed().groupby("facility_id").t_per_yr.max()
    return pd.Series(facility_ids).map(peak).to_numpy(float)


def facility_capacities(
    facilities: pd.DataFrame, t_per_train: float, tonnes_per_teu: float
) -> Capacities:
    """Capacity of every facility row (module docstring: sourced, observed floor, estimate)."""
    n = len(facilities)
    cap = sourced_capacity_t(facilities, t_per_train, tonnes_per_teu)
    basis = np.where(np.isfinite(cap), SOURCED, "").astype(object)
    ids = facilities["facility_id"].astype(str).to_numpy() if n else np.empty(0, dtype=object)
    open_share = _col(facilities, OPEN_SHARE_COLUMN)
    peak = observed_peak_t(ids) * np.where(np.isfinite(open_share), open_share, 1.0)
    own = _col(facilities, SET_BY_SCENARIO) == 1.0
    below = np.isfinite(peak) & ~(cap >= peak)
    floor = below & ~own
    cap = np.where(floor, peak, cap)
    basis[floor] = OBSERVED
    warnings = tuple(
        f"{ids[i]}: the scenario's capacity {cap[i] / 1e6:,.2f} Mt/yr is below the "
        f"{peak[i] / 1e6:,.2f} Mt/yr it has been observed to carry ({OBSERVED_PATH.name}); "
        "used as given"
        for i in np.flatnonzero(below & own)
    )
    kinds = facilities["kind"].astype(str).to_numpy() if n else np.empty(0, dtype=object)
    table = load_estimates()
    t_per_feu = TEU_PER_FEU * tonnes_per_teu
    headway = _col(facilities, "headway_h")
    fleet = _col(facilities, "fleet")
    vessel = _col(facilities, "vessel_capacity_feu")
    for i in np.flatnonzero(~np.isfinite(cap)):
        kind = kinds[i]
        if kind not in table.index:
            continue
        row = table.loc[kind]
        if row.method == "line":
            cap[i] = (
                float(row.tracks)
                * float(row.trains_per_track_per_day)
                * DAYS_PER_YEAR
                * t_per_train
            )
        elif row.method == "vessel" and headway[i] > 0:
            f = fleet[i] if fleet[i] > 0 else float(row.fleet)
            v = vessel[i] if vessel[i] > 0 else float(row.vessel_capacity_feu)
            cap[i] = f * v * HOURS_PER_YEAR / headway[i] * t_per_feu
        else:
            continue
        basis[i] = f"{ESTIMATED} ({row.method})"
    _port_estimates(facilities, kinds, cap, basis, table)
    quotas = {
        str(c)[len(QUOTA_PREFIX):]: _col(facilities, c) * DAYS_PER_YEAR * t_per_train
        for c in facilities.columns
        if str(c).startswith(QUOTA_PREFIX)
    }
    return Capacities(cap, basis, warnings, quotas)


def _port_estimates(
    facilities: pd.DataFrame,
    kinds: np.ndarray,
    cap: np.ndarray,
    basis: np.ndarray,
    table: pd.DataFrame,
) -> None:
    """Ports without a figure: the sum of the sea lines calling there (in place)."""
    if "port" not in table.index or "port_id" not in facilities or "from_port" not in facilities:
        return
    lines = np.isin(kinds, ("ferry", "feeder")) & np.isfinite(cap)
    ends = pd.concat([
        pd.DataFrame({"port": facilities["from_port"].to_numpy()[lines], "t": cap[lines]}),
        pd.DataFrame({"port": facilities["to_port"].to_numpy()[lines], "t": cap[lines]}),
    ])  # fmt: skip
    calls = ends.groupby(ends.port.astype(str)).t.sum()
    port_ids = facilities["port_id"].astype(str).to_numpy()
    for i in np.flatnonzero((kinds == "port") & ~np.isfinite(cap)):
        if port_ids[i] in calls.index:
            cap[i] = float(calls[port_ids[i]])
            basis[i] = f"{ESTIMATED} (sea lines calling)"
