"""Published (or derived) corridor volumes and the assignment's comparison against them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from landbridge.errors import ParameterError
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
    return np.flatnonzero(network.facilities["facility_id"] == facility_id)


def _facility_edges(network: Network, rows: np.ndarray) -> np.ndarray:
    return np.isin(network.edge_facility, rows)


ELEMENT_OF = {DOSTYK: "Dostyk–Alashankou", ALTYNKOL: "Altynkol–Khorgos"}
"""The published crossing volumes, by facility id, in the order of the comparison table."""


def crossing_shares(year: int, total: float, s_total: str) -> dict[str, tuple[float, str, str]]:
    """facility id -> (share of the year's China–Kazakhstan total, source ids, derivation), from
    ``data/demand/crossing_shares.csv``: the crossing's figure over the row's sample figure (the
    year total when blank), or the rest of the sample for the row without a figure."""
    table = dem.load_crossing_shares()
    rows = table[table.year == year].to_dict("records")
    if sorted(r["facility_id"] for r in rows) != sorted(ELEMENT_OF):
        raise ParameterError(
            f"crossing_shares.csv: {year} needs one row for each of {', '.join(ELEMENT_OF)}"
        )
    shares: dict[str, tuple[float, str, str]] = {}
    rest: list[tuple[dict, str]] = []
    for row in rows:
        part, s_part = (total, s_total)
        if row["sample_figure"]:
            part, s_part = dem.figure(row["sample_figure"], year)
        if not row["figure_id"]:
            rest.append((row, s_part))
            continue
        value, s_own = dem.figure(row["figure_id"], year)
        own_source = f"{s_total};{s_part};{s_own}"
        shares[row["facility_id"]] = (value / part, own_source, row["derivation"])
    if len(rest) > 1:
        raise ParameterError(f"crossing_shares.csv: {year} has more than one row without a figure")
    for row, s_part in rest:
        named = sum(share for share, _, _ in shares.values())
        rest_source = f"{s_total};{s_part};{s_part}"
        shares[row["facility_id"]] = (1.0 - named, rest_source, row["derivation"])
    return shares


def published_calibration(year: int) -> list[dict]:
    """Published (or derived) volumes for the calibration elements, with their derivation."""
    totals = dem.cn_kz_totals(year)
    total, _, s_total = totals["total"]
    shares = crossing_shares(year, total, s_total)
    titr, s_titr = dem.figure("titr_t", year)
    transit, how_tr, s_tr = totals["transit"]
    crossings = [
        dict(element=element, published=total * shares[fid][0], unit="t/yr",
             source=shares[fid][1], note=f"derived: {shares[fid][2]}")
        for fid, element in ELEMENT_OF.items()
    ]  # fmt: skip
    return [
        *crossings,
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
    crossing = {fid: _facility_edges(net, _facility_rows(net, fid)) for fid in ELEMENT_OF}
    dostyk, altyn = crossing[DOSTYK], crossing[ALTYNKOL]
    modelled = [
        *(float(total[edges].sum()) if edges.any() else np.nan for edges in crossing.values()),
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
