"""Corridor route choice: choice sets, the logit dispersion, the Russia-avoiding demand class.

**Choice set** (``flows.pathset``): per OD pair the cheapest path and the cheapest path through
each *gateway*: every border facility touching China or Kazakhstan (the northern gateways, the
Central Asian and southern exits) and every sea link (the Caspian port pairs of the Middle
Corridor, Black Sea feeders). Paths dearer than ``MAX_COST_RATIO`` x the cheapest are left out.

**Dispersion** ``theta`` of the relative logit (``flows.logit``): no published route-choice scale
for this corridor was found, so a range is derived from two published figures and the middle of
it is used (an assumption, reported with its sensitivity in docs/validation.md):

- low, ``theta = |e|max`` = 1.16, the upper end of published rail freight price elasticities
  (Oum, Waters & Yong 1990). In the relative logit the cost elasticity of a minor route's share is
  about ``-theta``; route shares can hardly be *less* cost-sensitive than rail demand as a whole.
- high, ``theta = pi / (sqrt 6 x CV)`` with CV = half the ERAI one-year min-max range over its
  mean (6.1%): the logit's Gumbel noise then has the spread of the published rate itself, a floor
  on how much shippers' perceived costs differ. ``pi / sqrt 6`` is the Gumbel standard deviation
  at unit scale.
- used: the geometric mean of the two (the range spans a factor of 18).

**Russia-avoiding class**: since 2022 part of the China–EU shippers avoid Russia and Belarus
(sanctions, insurance, compliance). OECD (2023): EU–China container shipping via Russia fell by
at least 35% after February 2022. Read as "35% of the shippers avoid Russia/Belarus", the share is
applied to China transit bound for (or from) the EU, Türkiye and the Caucasus
(``AVOIDING_SEGMENTS``); that class may not use Russian or Belarusian edges. It is *derived*, and
overridable: ``run_flows(avoid_share=...)`` or a per-row ``ru_by_avoiding_share`` column in the
demand table (what a scenario changes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from landbridge.errors import InvalidInputError
from landbridge.flows import demand as dem
from landbridge.flows.pathset import PathSet, corridor_paths
from landbridge.network.model import EdgeMode, Network

MAX_COST_RATIO = 1.5
"""Assumption: a route more than 50% dearer than the cheapest for its OD is not a corridor option
(the dearest corridor options in the published comparisons, sea-rail vs rail, differ by less)."""
GUMBEL_SD_UNIT_SCALE = math.pi / math.sqrt(6.0)
AVOIDING_SEGMENTS = ("cn_eu_west", "cn_eu_east", "cn_titr_west", "cn_titr_east")
AVOIDED_COUNTRIES = ("RU", "BY")
AVOID_COLUMN = "ru_by_avoiding_share"
GATEWAY_COUNTRIES = ("CN", "KZ")
GATEWAY_KINDS = ("crossing", "gauge_change")


@dataclass(frozen=True)
class Dispersion:
    low: float
    mid: float
    high: float
    derivation: str
    source_ids: str


def dispersion() -> Dispersion:
    """The derived range of the relative logit scale ``theta`` (module docstring)."""
    elasticity, s1 = dem.figure("rail_freight_price_elasticity_abs_max", 1990)
    lo_usd, s2 = dem.figure("erai_min_usd_per_feu", 2024)
    hi_usd, _ = dem.figure("erai_max_usd_per_feu", 2024)
    cv = (hi_usd - lo_usd) / 2.0 / ((hi_usd + lo_usd) / 2.0)
    high = GUMBEL_SD_UNIT_SCALE / cv
    low = elasticity
    return Dispersion(
        low=low, mid=math.sqrt(low * high), high=high,
        derivation=(
            f"low = max published rail freight price elasticity {low:g}; high = pi/sqrt(6) / "
            f"CV with CV = {cv:.3f} (ERAI one-year range); used = geometric mean (assumption)"
        ),
        source_ids=f"{s1};{s2}",
    )  # fmt: skip


def avoiding_share() -> tuple[float, str, str]:
    """(share, derivation, source ids) of the Russia-avoiding class (module docstring)."""
    drop_pct, src = dem.figure("eu_cn_via_ru_drop_pct", 2023)
    how = f"derived: OECD fall of EU–China shipping via Russia ({drop_pct:g}%)"
    return drop_pct / 100.0, how, src


def split_avoiding(od: pd.DataFrame, share: float | None) -> pd.DataFrame:
    """OD rows with a bool ``avoids_ru_by``: eligible rows split into avoiding and other parts.

    ``share`` overrides the per-row column ``ru_by_avoiding_share`` and the derived default.
    """
    if share is not None and not 0.0 <= share <= 1.0:
        raise InvalidInputError(f"avoid share {share:g} must lie in [0, 1]")
    out = od.copy()
    out["avoids_ru_by"] = False
    if "segment" not in out:
        return out
    eligible = out.segment.astype(str).isin(AVOIDING_SEGMENTS).to_numpy()
    if share is not None:
        s = np.where(eligible, share, 0.0)
    elif AVOID_COLUMN in out:
        s = pd.to_numeric(out[AVOID_COLUMN], errors="coerce").fillna(0.0).to_numpy(float)
        if np.any((s < 0) | (s > 1)):
            raise InvalidInputError(f"demand column {AVOID_COLUMN} must lie in [0, 1]")
    else:
        s = np.where(eligible, avoiding_share()[0], 0.0)
    part = s > 0
    if not part.any():
        return out
    avoid = out[part].copy()
    for col in ("t_per_yr", "teu_per_yr"):
        avoid[col] = avoid[col].astype(float) * s[part]
        out[col] = out[col].astype(float) * np.where(part, 1.0 - s, 1.0)
    avoid["avoids_ru_by"] = True
    return pd.concat([out, avoid], ignore_index=True)


def avoided_edges(network: Network) -> np.ndarray:
    """Edges in, into or out of Russia and Belarus."""
    ids = [network.country_id(c) for c in AVOIDED_COUNTRIES]
    ids = [c for c in ids if c >= 0]
    if not ids:
        return np.zeros(network.n_edges, dtype=bool)
    return (
        np.isin(network.edge_country, ids)
        | np.isin(network.node_country[network.edge_src], ids)
        | np.isin(network.node_country[network.edge_dst], ids)
    )


def gateways(network: Network, keep: np.ndarray) -> list[np.ndarray]:
    """Edge groups a corridor option may be forced through (module docstring)."""
    fac = network.facilities.to_frame()
    out = []
    if len(fac) and "kind" in fac and "countries" in fac:
        countries = fac["countries"].astype(str).str.split("-")
        border = fac["kind"].astype(str).isin(GATEWAY_KINDS) & countries.apply(
            lambda cs: any(c in GATEWAY_COUNTRIES for c in cs)
        )
        for frow in np.flatnonzero(border.to_numpy()):
            edges = np.flatnonzero((network.edge_facility == frow) & keep)
            if edges.size:
                out.append(edges)
    sea = np.flatnonzero((network.edge_mode == EdgeMode.SEA) & keep)
    rows = network.edge_facility[sea]
    for frow in np.unique(rows[rows >= 0]):
        out.append(sea[rows == frow])
    out.extend(sea[rows < 0, None])
    return out


@dataclass(frozen=True)
class ChoiceSet:
    """Paths of every (class, OD) entry, stacked: ``entry`` indexes the entry arrays."""

    incidence: sp.csr_matrix  # [n_paths, m]
    entry: np.ndarray  # [n_paths]
    free_cost: np.ndarray  # [n_paths]
    entry_class: np.ndarray  # [n_entries]
    entry_origin: np.ndarray
    entry_destination: np.ndarray
    entry_demand: np.ndarray
    entry_best: np.ndarray  # [n_entries] cheapest free-flow path cost
    no_path: np.ndarray  # [n_entries] bool


def build_choice_set(
    network: Network,
    edge_cost: np.ndarray,
    keep: np.ndarray,
    entries: pd.DataFrame,
    avoiding_class: int,
    max_cost_ratio: float = MAX_COST_RATIO,
) -> ChoiceSet:
    """Corridor options of each entry (columns ``cls, o, d, t``); the avoiding class's paths
    are drawn on ``keep`` minus Russian and Belarusian edges."""
    m = network.n_edges
    cost = np.where(keep, edge_cost, 0.0)
    gws = gateways(network, keep)
    n = len(entries)
    cls = entries.cls.to_numpy(np.int64)
    o = entries.o.to_numpy(np.int64)
    d = entries.d.to_numpy(np.int64)
    rows, entry, free, best = [], [], [], np.full(n, np.inf)
    no_path = np.zeros(n, dtype=bool)
    for avoiding in (False, True):
        mine = np.flatnonzero((cls == avoiding_class) == avoiding)
        if not mine.size:
            continue
        allowed = keep & ~avoided_edges(network) if avoiding else keep
        pairs, inv = np.unique(np.stack([o[mine], d[mine]]), axis=1, return_inverse=True)
        inv = np.asarray(inv).ravel()
        ps: PathSet = corridor_paths(
            network.edge_src, network.edge_dst, network.n_nodes, cost, allowed, pairs[0],
            pairs[1], [g[allowed[g]] for g in gws], max_cost_ratio,
        )  # fmt: skip
        low = np.full(pairs.shape[1], np.inf)
        np.minimum.at(low, ps.od, ps.cost)
        order = np.argsort(ps.od, kind="stable")
        start = np.searchsorted(ps.od[order], np.arange(pairs.shape[1] + 1))
        for i, w in zip(mine, inv, strict=True):
            sel = order[start[w] : start[w + 1]]
            no_path[i] = ps.no_path[w]
            best[i] = low[w]
            rows.append(ps.incidence[sel])
            entry.append(np.full(sel.size, i))
            free.append(ps.cost[sel])
    incidence = sp.vstack(rows).tocsr() if rows else sp.csr_matrix((0, m))
    return ChoiceSet(
        incidence=incidence,
        entry=np.concatenate(entry) if entry else np.zeros(0, dtype=np.int64),
        free_cost=np.concatenate(free) if free else np.zeros(0),
        entry_class=cls, entry_origin=o, entry_destination=d,
        entry_demand=entries.t.to_numpy(float), entry_best=best, no_path=no_path,
    )  # fmt: skip
