"""Published (or derived) corridor volumes and the assignment's comparison against them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from landbridge.flows import demand as dem
from landbridge.flows.corridor import TRANSIT_CLASSES, CorridorModel
from landbridge.flows.usage import caspian_edges
from landbridge.network.model import Network
from landbridge.schema.flows import (
    Calibration,
)

if TYPE_CHECKING:
    pass

DOSTYK, ALTYNKOL = "alashankou-dostyk", "khorgos-altynkol"


def _facility_rows(network: Network, facility_id: str) -> np.ndarray:
    return np.flatnonzero(network.facilities["facility_id"].astype(str).to_numpy() == facility_id)


def _facility_edges(network: Network, rows: np.ndarray) -> np.ndarray:
    return np.isin(network.edge_facility, rows)


def published_calibration(year: int) -> list[dict]:
    """Published (or derived) volumes for the calibration elements, with their derivation."""
    totals = dem.cn_kz_totals(year)
    total, _, s_total = totals["total"]
    if year == 2025:
        altyn_t, s3 = dem.figure("altynkol_t", 2025)
        part, s1, s2 = total, s_total, s_total
        d_share, a_share = 1.0 - altyn_t / total, altyn_t / total
        how = "Altynkol published for the year; Dostyk = year total - Altynkol"
    elif year == 2024:
        part, s1 = dem.figure("cn_kz_janapr_t", 2024)
        dostyk, s2 = dem.figure("dostyk_janapr_t", 2024)
        altyn, s3 = dem.figure("altynkol_janapr_t", 2024)
        d_share, a_share = dostyk / part, altyn / part
        how = "year total x Jan–Apr 2024 crossing share"
    else:
        part, s1 = dem.figure("cn_kz_jansep_t", 2023)
        altyn, s3 = dem.figure("altynkol_jansep_t", 2023)
        s2 = s1
        a_share = altyn / part
        d_share = 1.0 - a_share
        how = "year total x Jan–Sep 2023 crossing share (Dostyk = total - Altynkol)"
    titr, s_titr = dem.figure("titr_t", year)
    transit, how_tr, s_tr = totals["transit"]
    return [
        dict(element="Dostyk–Alashankou", published=total * d_share, unit="t/yr",
             source=f"{s_total};{s1};{s2}", note=f"derived: {how}"),
        dict(element="Altynkol–Khorgos", published=total * a_share, unit="t/yr",
             source=f"{s_total};{s1};{s3}", note=f"derived: {how}"),
        dict(element="Middle Corridor (TITR)", published=titr, unit="t/yr", source=s_titr,
             note="published TITR volume, all cargo"),
        dict(element="Chinese transit through Kazakhstan", published=transit, unit="t/yr",
             source=s_tr, note=how_tr),
    ]  # fmt: skip


NOT_COMPARABLE = (
    "not comparable: the demand is not the bundled demand of the year (rows of other segments), "
    "so the published volumes are not its targets"
)


def calibration(
    model: CorridorModel, flows: np.ndarray, year: int, comparable: bool = True
) -> list[Calibration]:
    """Published vs modelled elements; without an error when the demand is not the bundled one."""
    net = model.network
    total = flows.sum(axis=0)
    transit = flows[list(TRANSIT_CLASSES)].sum(axis=0)
    dostyk = _facility_edges(net, _facility_rows(net, DOSTYK))
    altyn = _facility_edges(net, _facility_rows(net, ALTYNKOL))
    modelled = [
        float(total[dostyk].sum()) if dostyk.any() else np.nan,
        float(total[altyn].sum()) if altyn.any() else np.nan,
        float(total[caspian_edges(net)].sum()) if caspian_edges(net).any() else np.nan,
        float(transit[dostyk | altyn].sum()) if (dostyk | altyn).any() else np.nan,
    ]
    out = []
    for pub, mod in zip(published_calibration(year), modelled, strict=True):
        src = ";".join(dict.fromkeys(s for s in pub["source"].split(";") if s))
        note = pub["note"]
        if not np.isfinite(mod):
            note += "; the network has no such element, so nothing is modelled"
        err = (mod - pub["published"]) / pub["published"] * 100 if np.isfinite(mod) else None
        if not comparable:
            err, note = None, f"{NOT_COMPARABLE}; {note}"
        out.append(Calibration(
            element=pub["element"], year=year, published=pub["published"],
            modelled=mod if np.isfinite(mod) else 0.0, unit=pub["unit"], error_pct=err,
            source=src, note=note,
        ))  # fmt: skip
    return out
