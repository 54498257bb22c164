"""Route options of many origin–destination pairs as one table: the planner run per pair.

Used by the scenario runs (every option of a few pairs) and by skims (the best option of each
corridor family for many pairs). Times in h, costs in USD per FEU, CO2e in kg per FEU.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from landbridge.costs.params import Params
from landbridge.errors import LandbridgeError, UnreachableError
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

WARM_PAIRS = 2  # planned before the worker processes are forked
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
    workers: int = 1,
) -> tuple[pd.DataFrame, list[np.ndarray | None]]:
    """Every option of every pair for one FEU, ranked as the planner ranks them, and each row's
    path (edge ids; None on a 'no route' row). An unreachable pair gets one row with corridor
    ``NO_ROUTE`` and the reason as label; an unknown place raises ``UnknownPlaceError``.

    ``workers`` > 1 plans the pairs in that many forked processes (where ``fork`` exists and
    this is the main thread), after the first pairs are planned here: they share the network and
    the planner's warm caches copy-on-write. Each pair's options depend on the pair only, so
    the table is the same."""
    rows: list[dict[str, object]] = []
    paths: list[np.ndarray | None] = []
    pairs = list(pairs)
    planned = _planned(net, params, pairs, depart, workers)
    for done, (pair_rows, pair_paths) in enumerate(planned, start=1):
        rows += pair_rows
        paths += pair_paths
        if progress is not None:
            progress(done, len(pairs))
    return pd.DataFrame(rows, columns=list(OPTION_COLUMNS)), paths


PairRows = tuple[list[dict[str, object]], list[np.ndarray | None]]


def _pair_rows(
    net: Network, params: Params, origin: str, destination: str, depart: dt.date | None
) -> PairRows:
    from landbridge.routing.plan import plan_options

    base = {"origin": origin, "destination": destination}
    request = RouteRequest(origin=origin, destination=destination, feu=1, depart=depart)
    try:
        planned = plan_options(request, network=net, params=params)
    except UnreachableError as exc:
        return [{**base, "option_rank": 0, "corridor": NO_ROUTE, "label": str(exc)[:200]}], [None]
    ranked = zip(planned.options, planned.paths, strict=True)
    return (
        [{**base, "option_rank": rank, **option_row(option)} for rank, (option, _) in
         enumerate(ranked, 1)],
        list(planned.paths),
    )  # fmt: skip


def _planned(
    net: Network,
    params: Params,
    pairs: list[tuple[str, str]],
    depart: dt.date | None,
    workers: int,
) -> Iterator[PairRows]:
    """Each pair's rows and paths, in the order of ``pairs``."""
    forkable = "fork" in mp.get_all_start_methods() and (
        threading.current_thread() is threading.main_thread()
    )
    if workers <= 1 or len(pairs) < WARM_PAIRS + 2 * workers or not forkable:
        yield from (_pair_rows(net, params, o, d, depart) for o, d in pairs)
        return
    # warms the planner before the fork (the second pair loads its compiled searches and builds
    # the gateway trees, once instead of once per worker)
    yield from (_pair_rows(net, params, o, d, depart) for o, d in pairs[:WARM_PAIRS])
    rest = pairs[WARM_PAIRS:]
    # forked, the workers inherit these arguments (and the warm caches) without pickling
    context = mp.get_context("fork")
    with context.Pool(workers, _start_worker, (net, params, depart)) as pool:
        chunk = max(1, len(rest) // (workers * 8))
        for pair, got in zip(rest, pool.imap(_in_worker, rest, chunk), strict=True):
            # a library error is raised here, by the same call, with its own type and text
            yield got if got is not None else _pair_rows(net, params, *pair, depart)


_WORKER: list[tuple[Network, Params, dt.date | None]] = []  # set in forked workers only


def _start_worker(net: Network, params: Params, depart: dt.date | None) -> None:
    _WORKER.append((net, params, depart))


def _in_worker(pair: tuple[str, str]) -> PairRows | None:
    net, params, depart = _WORKER[0]
    try:
        return _pair_rows(net, params, *pair, depart)
    except LandbridgeError:
        return None
