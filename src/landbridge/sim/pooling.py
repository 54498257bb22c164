"""Statistics of a Monte Carlo run: replication summaries pooled in replication order.

Summaries are added one at a time as they arrive (``RunStatistics.add``), so a run of
thousands of replications never holds every replication's daily series at once; what is kept
is what the tables pool (transit times per train, waits per visit). Each table equals the one
read from the list of all summaries: sums run in replication order, as a mean over the
stacked replications does, and pooled values keep their order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landbridge.sim.analysis import ReplicationSummary, mean_ci
from landbridge.sim.system import FACILITY_KIND_NAMES, CorridorSystem, FacilityKind
from landbridge.units import HOURS_PER_DAY


class RunStatistics:
    """Pooled statistics of the replications added so far (add them in replication order)."""

    def __init__(self, system: CorridorSystem) -> None:
        self.system = system
        self.replications = 0
        self.n_events = 0
        corridors = system.corridors
        self._corridor_of_class = np.array(
            [corridors.index(c) for c in system.class_corridor], dtype=np.int64
        )
        self._transit_h: list[list[np.ndarray]] = [[] for _ in corridors]  # float32 per rep
        self._rep_mean_d: list[list[float]] = [[] for _ in corridors]
        self._rep_p90_d: list[list[float]] = [[] for _ in corridors]
        self._visit_facility: list[np.ndarray] = []
        self._wait_h: list[np.ndarray] = []
        n_fac = system.n_facilities
        self._utilization = np.zeros(n_fac)
        self._max_queue = np.zeros(n_fac, dtype=np.int64)
        self._sailings = np.zeros(n_fac, dtype=np.int64)
        self._daily: dict[str, np.ndarray] = {}

    def add(self, s: ReplicationSummary) -> None:
        self.replications += 1
        self.n_events += s.n_events
        corridor = self._corridor_of_class[s.train_class]
        for c in range(len(self._transit_h)):
            hours = s.transit_h[corridor == c]
            self._transit_h[c].append(hours)
            if hours.size:
                days = hours.astype(np.float64) / HOURS_PER_DAY
                self._rep_mean_d[c].append(days.mean())
                self._rep_p90_d[c].append(np.percentile(days, 90))
        self._visit_facility.append(s.visit_facility)
        self._wait_h.append(s.wait_h)
        self._utilization += s.utilization
        np.maximum(self._max_queue, s.max_queue, out=self._max_queue)
        self._sailings += s.sailings
        daily = {
            "queue": s.daily_queue,
            "utilization": s.daily_utilization,
            "wait_h": s.daily_wait_h,
            "visits": s.daily_visits,
        }
        for key, values in daily.items():
            if key in self._daily:
                self._daily[key] += values
            else:
                self._daily[key] = values.copy()

    def corridor_table(self) -> list[dict]:
        """Per corridor: trains, pooled transit percentiles (days) and 95% CIs across
        replications."""
        rows = []
        for c, corridor in enumerate(self.system.corridors):
            pooled = np.concatenate(self._transit_h[c]).astype(np.float64) / HOURS_PER_DAY
            if pooled.size:
                p50, p90, p99 = (float(q) for q in np.percentile(pooled, [50, 90, 99]))
                mean = float(pooled.mean())
            else:
                p50 = p90 = p99 = mean = float("nan")
            rows.append(
                {
                    "corridor": corridor,
                    "shipments": int(pooled.size),
                    "transit_days": {"mean": mean, "p50": p50, "p90": p90, "p99": p99},
                    "ci95": {
                        "mean": mean_ci(np.array(self._rep_mean_d[c])),
                        "p90": mean_ci(np.array(self._rep_p90_d[c])),
                    },
                }
            )
        return rows

    def facility_table(self) -> list[dict]:
        """Per facility: mean utilization, pooled waits (h), largest queue seen, visits."""
        system = self.system
        fac = np.concatenate(self._visit_facility)
        order = np.argsort(fac, kind="stable")  # each facility's waits in replication order
        wait = np.concatenate(self._wait_h)[order].astype(np.float64)
        bounds = np.searchsorted(fac[order], np.arange(system.n_facilities + 1))
        util = self._utilization / self.replications
        rows = []
        for f in range(system.n_facilities):
            w = wait[bounds[f] : bounds[f + 1]]
            row = {
                "name": system.facility_name[f],
                "facility_id": system.facility_id[f],
                "kind": FACILITY_KIND_NAMES[FacilityKind(int(system.facility_kind[f]))],
                "utilization": float(util[f]),
                "mean_wait_h": float(w.mean()) if w.size else 0.0,
                "p90_wait_h": float(np.percentile(w, 90)) if w.size else 0.0,
                "max_queue": int(self._max_queue[f]),
                "visits": int(w.size),
            }
            if system.facility_kind[f] == FacilityKind.FERRY:
                row["sailings"] = int(self._sailings[f])
            rows.append(row)
        return rows

    def daily_series(self) -> pd.DataFrame:
        """Long table (day, facility, mean_queue, utilization, mean_wait_h, arrivals) over
        replications.

        Queue and utilization are replication means of hourly samples; ``mean_wait_h`` is the
        mean wait of the trains that arrived at the facility that day (NaN on days without
        arrivals).
        """
        n = self.replications
        queue = self._daily["queue"] / n
        util = self._daily["utilization"] / n
        wait, visits = self._daily["wait_h"], self._daily["visits"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_wait = np.where(visits > 0, wait / np.maximum(visits, 1), np.nan)
        n_fac, days = queue.shape
        return pd.DataFrame(
            {
                "day": np.tile(np.arange(days), n_fac),
                "facility": np.repeat(np.array(self.system.facility_id, dtype=object), days),
                "mean_queue": queue.ravel(),
                "utilization": util.ravel(),
                "mean_wait_h": mean_wait.ravel(),
                "arrivals_per_replication": visits.ravel() / n,
            }
        )
