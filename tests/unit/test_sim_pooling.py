"""Pooling replications one at a time gives the tables of the stacked list of summaries, exactly.

``RunStatistics`` keeps running sums in replication order instead of every replication's daily
series; the plain reading here stacks all summaries (as the run did before) and must agree to
the last bit, so streaming changes no report or time series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landbridge.sim import analysis, engine
from landbridge.sim.corridor2023 import build_corridor_2023
from landbridge.sim.draws import draw
from landbridge.sim.pooling import RunStatistics
from landbridge.units import HOURS_PER_DAY


def plain_tables(system, summaries) -> tuple[list, list, pd.DataFrame]:
    corridors = []
    for corridor in system.corridors:
        ks = [k for k, c in enumerate(system.class_corridor) if c == corridor]
        per_rep = [
            s.transit_h[np.isin(s.train_class, ks)].astype(np.float64) / HOURS_PER_DAY
            for s in summaries
        ]
        pooled = np.concatenate(per_rep)
        corridors.append(
            (pooled.size, pooled.mean(), *np.percentile(pooled, [50, 90, 99]),
             analysis.mean_ci(np.array([x.mean() for x in per_rep if x.size])),
             analysis.mean_ci(np.array([np.percentile(x, 90) for x in per_rep if x.size])))
        )  # fmt: skip
    fac = np.concatenate([s.visit_facility for s in summaries])
    wait = np.concatenate([s.wait_h for s in summaries]).astype(np.float64)
    util = np.mean([s.utilization for s in summaries], axis=0)
    facilities = [
        (util[f], wait[fac == f].mean(), np.percentile(wait[fac == f], 90), (fac == f).sum())
        for f in range(system.n_facilities)
    ]
    days = summaries[0].daily_queue.shape[1]
    visits = np.sum([s.daily_visits for s in summaries], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_wait = np.sum([s.daily_wait_h for s in summaries], axis=0) / visits
    daily = pd.DataFrame(
        {
            "day": np.tile(np.arange(days), system.n_facilities),
            "facility": np.repeat(np.array(system.facility_id, dtype=object), days),
            "mean_queue": np.mean([s.daily_queue for s in summaries], axis=0).ravel(),
            "utilization": np.mean([s.daily_utilization for s in summaries], axis=0).ravel(),
            "mean_wait_h": np.where(visits > 0, mean_wait, np.nan).ravel(),
            "arrivals_per_replication": visits.ravel() / len(summaries),
        }
    )
    return corridors, facilities, daily


def test_pooled_tables_equal_those_of_the_stacked_summaries() -> None:
    system = build_corridor_2023("trains")
    summaries = []
    for r, seed in enumerate(np.random.SeedSequence(4).spawn(7)):
        d = draw(system, 40, seed)
        summaries.append(analysis.summarise(engine.simulate(system, d, r), system, d.horizon_h))
    stats = RunStatistics(system)
    for s in summaries:
        stats.add(s)
    corridors, facilities, daily = plain_tables(system, summaries)
    got_corridors = [
        (c["shipments"], c["transit_days"]["mean"], c["transit_days"]["p50"],
         c["transit_days"]["p90"], c["transit_days"]["p99"], c["ci95"]["mean"], c["ci95"]["p90"])
        for c in stats.corridor_table()
    ]  # fmt: skip
    assert got_corridors == corridors
    got_facilities = [
        (f["utilization"], f["mean_wait_h"], f["p90_wait_h"], f["visits"])
        for f in stats.facility_table()
    ]
    assert got_facilities == facilities
    pd.testing.assert_frame_equal(stats.daily_series(), daily, check_exact=True)
    assert stats.replications == 7
    assert stats.n_events == sum(s.n_events for s in summaries)
