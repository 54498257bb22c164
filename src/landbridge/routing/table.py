"""Route options of many origin–destination pairs as one table: the planner run per pair.

Used by the scenario runs (every option of a few pairs) and by skims (the best option of each
corridor family for many pairs). Times in h, costs in USD per FEU, CO2e in kg per FEU.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from landbridge.costs.params import Params
from landbridge.errors import UnreachableError
from landbridge.network.model import Network
from landbridge.schema.route import RouteOption, RouteRequest
from landbridge.units import HOURS_PER_DAY

NO_ROUTE = "no route"
"""The ``corridor`` of the one row an unreachable pair gets; its ``label`` says why."""

OPTION_COLUMNS = (
    "origin", "destination", "option_rank", "corridor", "label", "transit_p10_h",
    "transit_p50_h", "transit_p90_h", "cost_usd_per_feu", "co2e_kg_per_feu", "length_km",
    "gateways", "countries",
)  # fmt: skip

Progress = Callable[[int, int], None]
"""Called with (pairs done, pairs in all) after each pair."""


def option_row(option: RouteOption) -> dict[str, object]:
    """One option's figures for one FEU."""
    days = option.transit_days
    return {
        "corridor": option.corridor,
        "label": option.label,
        "transit_p10_h": days.p10 * HOURS_PER_DAY,
        "transit_p50_h": days.p50 * HOURS_PER_DAY,
        "transit_p90_h": days.p90 * HOURS_PER_DAY,
        "cost_usd_per_feu": option.cost_usd,
        "co2e_kg_per_feu": option.co2e_kg,
        "length_km": option.distance_km.total,
        "gateways": ";".join(option.via),
        "countries": ";".join(option.countries),
    }


def option_table(
    net: Network,
    params: Params,
    pairs: Sequence[tuple[str, str]],
    depart: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[pd.DataFrame, list[np.ndarray | None]]:
    """Every option of every pair for one FEU, ranked as the planner ranks them, and each row's
    path (edge ids; None on a 'no route' row). An unreachable pair gets one row with corridor
    ``NO_ROUTE`` and the reason as label; an unknown place raises ``UnknownPlaceError``."""
    from landbridge.routing.plan import plan_options

    rows: list[dict[str, object]] = []
    paths: list[np.ndarray | None] = []
    for done, (origin, destination) in enumerate(pairs, start=1):
        base = {"origin": origin, "destination": destination}
        request = RouteRequest(origin=origin, destination=destination, feu=1, depart=depart)
        try:
            planned = plan_options(request, network=net, params=params)
        except UnreachableError as exc:
            rows.append({**base, "option_rank": 0, "corridor": NO_ROUTE, "label": str(exc)[:200]})
            paths.append(None)
        else:
            ranked = zip(planned.options, planned.paths, strict=True)
            for rank, (option, path) in enumerate(ranked, 1):
                rows.append({**base, "option_rank": rank, **option_row(option)})
                paths.append(path)
        if progress is not None:
            progress(done, len(pairs))
    return pd.DataFrame(rows, columns=list(OPTION_COLUMNS)), paths
