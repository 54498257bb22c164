"""Skims: for many origin–destination pairs, the best option of each corridor family.

A skim is what a transport model hands to an analyst: per OD pair and corridor family the
p10/p50/p90 transit days, cost per FEU, CO2e per FEU, km and the gateways of the best option of
that family (the planner's first-ranked option of the family). Pairs default to the places of the
bundled demand table (every region pair with demand in the default year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from landbridge.costs.params import Params
from landbridge.errors import InvalidInputError
from landbridge.network.model import Network
from landbridge.routing.table import NO_ROUTE, Progress, option_table
from landbridge.units import HOURS_PER_DAY

SKIM_COLUMNS = (
    "origin", "destination", "family", "status", "label", "p10_days", "p50_days", "p90_days",
    "cost_usd_per_feu", "co2e_kg_per_feu", "distance_km", "gateways", "countries",
    "family_options",
)  # fmt: skip
"""``status``: ``ok``; ``no option`` (the pair has routes, none of this family); ``no route``
(no route at all; ``label`` says why)."""


def demand_pairs(year: int | None = None) -> list[tuple[str, str]]:
    """The region pairs with demand in the bundled table of ``year`` (default year if None),
    as the region names a user would type (e.g. ``("Xi'an", "Duisburg")``)."""
    from landbridge.flows import demand as dem

    od = dem.load_demand(year if year is not None else dem.DEFAULT_YEAR)
    names = dem.load_regions()["name"]
    pairs = od[["origin", "destination"]].drop_duplicates()
    return [(str(names[o]), str(names[d])) for o, d in pairs.itertuples(index=False)]


def skim(
    pairs: Sequence[tuple[str, str]] | None = None,
    families: Sequence[str] | None = None,
    depart: dt.date | None = None,
    network: Network | None = None,
    params: Params | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """One row per pair and family (``SKIM_COLUMNS``): the best option of that family.

    ``families`` limits the families (corridor names, e.g. ``northern``, ``middle``); by default
    every family that any pair's options use. Unknown places raise ``UnknownPlaceError``; an
    unknown family raises ``InvalidInputError`` naming the known ones. ``workers``: processes
    that plan the pairs (forked after the first two pairs, which warm the planner: its
    compiled searches and gateway trees, ``routing.table.option_table``): on an idle machine
    two cut the wall time by about a third; on a busy one they only add CPU, hence one by
    default."""
    from landbridge.costs.params import load_default_params
    from landbridge.routing.plan import load_bundled_network

    wanted = list(dict.fromkeys(families or ()))
    unknown = [f for f in wanted if f not in _corridor_names()]
    if unknown:  # before any route is planned
        raise InvalidInputError(
            f"unknown corridor family {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(_corridor_names())}"
        )
    net = network if network is not None else load_bundled_network()
    params = params if params is not None else load_default_params()
    pairs = list(pairs) if pairs is not None else demand_pairs()
    if not pairs:
        raise InvalidInputError("a skim needs at least one origin–destination pair")
    table, _ = option_table(net, params, pairs, depart, progress, workers)
    if not wanted:
        wanted = sorted(set(table["corridor"]) - {NO_ROUTE})
    return _best_per_family(table, pairs, wanted)


def skim_target(out: str | Path) -> Path:
    """The file a skim is written to: ``.parquet`` or ``.csv``, at a path the output guard
    accepts. Faces call it before the routes are planned, so a bad ``--out`` fails at once."""
    from landbridge.outputs import check_output_file

    if Path(out).suffix.lower() not in (".parquet", ".csv"):
        raise InvalidInputError(f"--out {out}: a skim is written as .parquet or .csv")
    return check_output_file(out, "skim")


def write_skim(frame: pd.DataFrame, out: str | Path) -> Path:
    """Write a skim to ``out`` (by suffix) through the output guard: a regular file, written
    whole or not at all. Returns the path written."""
    from landbridge.outputs import atomic_file

    target = skim_target(out)
    with atomic_file(target, "skim") as tmp:
        if target.suffix.lower() == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
    return target


def _corridor_names() -> tuple[str, ...]:
    from typing import get_args

    from landbridge.schema.route import Corridor

    return tuple(get_args(Corridor))


def _best_per_family(
    table: pd.DataFrame, pairs: Sequence[tuple[str, str]], families: Sequence[str]
) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    # plain records, not a frame per pair and family: a skim has thousands of such cells
    by_pair: dict[tuple[str, str], list[dict]] = {}
    for record in table.to_dict("records"):
        by_pair.setdefault((record["origin"], record["destination"]), []).append(record)
    for origin, destination in dict.fromkeys(pairs):
        options = by_pair[(origin, destination)]
        unreachable = all(o["corridor"] == NO_ROUTE for o in options)
        for family in families:
            mine = sorted(
                (o for o in options if o["corridor"] == family), key=lambda o: o["option_rank"]
            )
            row: dict[str, object] = {"origin": origin, "destination": destination,
                                      "family": family, "family_options": len(mine)}  # fmt: skip
            if unreachable:
                row |= {"status": NO_ROUTE, "label": options[0]["label"]}
            elif not mine:
                row |= {"status": "no option", "label": ""}
            else:
                best = mine[0]
                row |= {
                    "status": "ok",
                    "label": best["label"],
                    "p10_days": best["transit_p10_h"] / HOURS_PER_DAY,
                    "p50_days": best["transit_p50_h"] / HOURS_PER_DAY,
                    "p90_days": best["transit_p90_h"] / HOURS_PER_DAY,
                    "cost_usd_per_feu": best["cost_usd_per_feu"],
                    "co2e_kg_per_feu": best["co2e_kg_per_feu"],
                    "distance_km": best["length_km"],
                    "gateways": best["gateways"],
                    "countries": best["countries"],
                }
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(SKIM_COLUMNS))
    for column in ("p10_days", "p50_days", "p90_days", "cost_usd_per_feu", "co2e_kg_per_feu",
                   "distance_km"):  # fmt: skip
        out[column] = out[column].astype(np.float64)
    return out
