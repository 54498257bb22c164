"""The declared transit-time parameters (``data/params/transit_time.csv``) and where they act.

A small set of interpretable parameters, each with the bounds its sources allow (``lower``,
``upper``) and a ``status`` (``calibrated`` by ``landbridge.validation.calibrate``, ``sourced``
or ``assumption``). Each has a ``kind``:

- ``running``: a delay factor on the rail running time of the countries in ``applies_to``
  (``*`` = every country no other running row names): running at commercial speed, with
  technical stops, crew and locomotive changes, marshalling and waiting for paths;
- ``dwell``: the median dwell (hours) at the facilities ``kind:CC-CC`` in ``applies_to``,
  waiting for slots and quotas included; p90 = ``p90_over_p50`` x p50 unless the facility's own
  (or dated) p90 is larger;
- ``wait``: a scale on the interval between sailings of the lines ``kind:facility_id``;
- ``corridor``: the share of each part's log-variance that comes from one corridor-state
  factor shared by all parts of an option (``costs.time``);
- ``carriage``: pre- and on-carriage hours (median; p90 = ``p90_over_p50`` x median), added
  only when a door-to-door answer is asked for (``routing.scope``).

Routing (``costs.edges``) applies them through the functions here; the simulation takes
its legs from routing's per-edge running hours, so both run on the same parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from landbridge.costs.params import Params
from landbridge.costs.time import TimeParts
from landbridge.errors import ParameterError

TABLE = "transit_time"
KINDS = ("running", "dwell", "wait", "corridor", "carriage")
NO_ROLE = -1
ALL_COUNTRIES = "*"
# A rail network region inside a country: region -> (country, the region lies west of this
# longitude in degrees). CN-XJ: Xinjiang, whose boundary with Gansu the Lanzhou-Xinjiang
# railway crosses near Xingxingxia at 95 degrees E (the CPMM corridors of the PRC run there).
REGIONS: dict[str, tuple[str, float]] = {"CN-XJ": ("CN", 95.0)}


@dataclass(frozen=True)
class TransitTime:
    """The rows of ``transit_time.csv`` as arrays (row order = role index)."""

    keys: tuple[str, ...]
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    kind: tuple[str, ...]
    applies_to: tuple[frozenset[str], ...]
    p90_over_p50: np.ndarray

    def index(self, key: str) -> int:
        return self.keys.index(key)

    def running_role(self, country: str) -> int:
        """Role index of the delay factor that applies to ``country`` (ISO2)."""
        fallback = NO_ROLE
        for i, kind in enumerate(self.kind):
            if kind != "running":
                continue
            if country in self.applies_to[i]:
                return i
            if ALL_COUNTRIES in self.applies_to[i]:
                fallback = i
        return fallback

    def facility_role(self, facility_id: str, kind: str, countries: str) -> int:
        """Role index of the dwell or wait parameter of one facility, or ``NO_ROLE``."""
        for i, role_kind in enumerate(self.kind):
            targets = self.applies_to[i]
            if role_kind == "dwell" and f"{kind}:{countries}" in targets:
                return i
            if role_kind == "wait" and f"{kind}:{facility_id}" in targets:
                return i
        return NO_ROLE

    def carriage_h(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Keys, medians and 90th percentiles of the pre- and on-carriage parts."""
        rows = [i for i, k in enumerate(self.kind) if k == "carriage"]
        p50 = self.value[rows]
        return [self.keys[i] for i in rows], p50, p50 * self.p90_over_p50[rows]

    @property
    def corridor_rho(self) -> float:
        rows = [i for i, k in enumerate(self.kind) if k == "corridor"]
        return float(self.value[rows[0]]) if rows else 0.0


def region_roles(tt: TransitTime, countries: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Role of the running row of a region for each place (country code, longitude), or
    ``NO_ROLE`` where no region row applies (the country's row does)."""
    roles = np.full(len(countries), NO_ROLE, dtype=np.int64)
    for i, kind in enumerate(tt.kind):
        if kind != "running":
            continue
        for region in tt.applies_to[i] & REGIONS.keys():
            country, west_of = REGIONS[region]
            roles[(countries == country) & (lon_deg < west_of)] = i
    return roles


def transit_time(params: Params) -> TransitTime:
    frame = params.tables[TABLE]
    kinds = frame.texts["kind"]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ParameterError(f"{TABLE}.csv: unknown kind {unknown}; use one of {list(KINDS)}")
    return TransitTime(
        keys=frame.keys,
        value=frame.column("value"),
        lower=frame.column("lower"),
        upper=frame.column("upper"),
        kind=kinds,
        applies_to=tuple(
            frozenset(p.strip() for p in str(cell).split(";") if p.strip())
            for cell in frame.texts["applies_to"]
        ),
        p90_over_p50=np.nan_to_num(frame.column("p90_over_p50"), nan=1.0),
    )


def facility_roles(
    tt: TransitTime, ids: Sequence[str], kinds: Sequence[str], countries: Sequence[str]
) -> np.ndarray:
    return np.array(
        [tt.facility_role(str(f), str(k), str(c)) for f, k, c in zip(ids, kinds, countries,
                                                                     strict=True)],
        dtype=np.int64,
    )  # fmt: skip


def dwell_h(tt: TransitTime, role: int, p50_h: float, p90_h: float) -> tuple[float, float]:
    """(p50, p90) of a dwell after its role: the calibrated median, the sourced spread."""
    if role == NO_ROLE or tt.kind[role] != "dwell":
        return p50_h, p90_h
    p50 = float(tt.value[role])
    return p50, max(p90_h, p50 * float(tt.p90_over_p50[role]))


def headway_h(tt: TransitTime, role: int, headway: float) -> float:
    if role == NO_ROLE or tt.kind[role] != "wait":
        return headway
    return headway * float(tt.value[role])


def apply_to_facilities(
    tt: TransitTime, roles: np.ndarray, values: Mapping[str, np.ndarray], fixed: np.ndarray
) -> None:
    """Set dwell and headway of the facilities with a role, in place (rows ``fixed`` are
    patched by the user's parameter file and keep their values)."""
    for f in np.flatnonzero((roles != NO_ROLE) & ~fixed):
        r = int(roles[f])
        values["dwell_p50_h"][f], values["dwell_p90_h"][f] = dwell_h(
            tt, r, values["dwell_p50_h"][f], values["dwell_p90_h"][f]
        )
        values["headway_h"][f] = headway_h(tt, r, values["headway_h"][f])


def with_values(params: Params, values: Mapping[str, float]) -> Params:
    """A copy of ``params`` with the given ``transit_time`` values (the calibration's trials)."""
    tables = dict(params.tables)
    frame = tables[TABLE]
    for key, value in values.items():
        frame = frame.with_number(key, "value", float(value))
    tables[TABLE] = frame
    return replace(params, tables=tables)


def reparametrised(parts: TimeParts, ref: TransitTime, value: np.ndarray) -> TimeParts:
    """``parts`` priced with ``ref`` re-priced at the parameter ``value`` (same path).

    Exact when ``ref`` has every dwell parameter at its lower bound (then no facility p90 is
    hidden under ``p90_over_p50 x p50``): running parts scale with their delay factor, dwell
    parts take the new median, waits scale with the interval."""
    p50 = parts.lognormal_p50_h.copy()
    p90 = parts.lognormal_p90_h.copy()
    for i, r in enumerate(parts.lognormal_role.tolist()):
        if r == NO_ROLE:
            continue
        if ref.kind[r] == "running":
            scale = value[r] / ref.value[r]
            p50[i] *= scale
            p90[i] *= scale
        elif ref.kind[r] == "dwell":
            p50[i] = value[r]
            p90[i] = max(p90[i], value[r] * ref.p90_over_p50[r])
    headway = parts.headway_h.copy()
    for j, r in enumerate(parts.headway_role.tolist()):
        if r != NO_ROLE:
            headway[j] *= value[r] / ref.value[r]
    rho = [i for i, k in enumerate(ref.kind) if k == "corridor"]
    return replace(
        parts,
        lognormal_p50_h=p50,
        lognormal_p90_h=p90,
        headway_h=headway,
        corridor_rho=float(value[rho[0]]) if rho else parts.corridor_rho,
    )
