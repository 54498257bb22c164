"""``run_simulation``: Monte Carlo replications of a corridor system, summarised from event logs."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import ValidationError

from landbridge.errors import InvalidInputError
from landbridge.schema.sim import SimulationReport, SimulationRequest
from landbridge.sim import analysis, engine, reference
from landbridge.sim.draws import draw
from landbridge.sim.engine import warm_up as warm_up_fast_engine
from landbridge.sim.eventlog import EventLog, to_arrow
from landbridge.sim.montecarlo import Progress, iter_replications
from landbridge.sim.pooling import RunStatistics
from landbridge.sim.system import CorridorSystem

ENGINES = {"fast": engine.simulate, "simpy": reference.simulate}
ENGINE_LABELS = {"fast": "numba", "simpy": "simpy"}
#: Trains one replication may hold in memory (draws and log); a 10-year run of the 2023
#: corridor has about 1e5.
MAX_TRAINS_PER_REPLICATION = 5_000_000
#: Events kept when the caller asks for the full log (about 30 bytes each in memory).
MAX_KEPT_EVENTS = 50_000_000
#: Memory the replication summaries of one run may take (per train and visit 6 bytes, per
#: facility-day 32 bytes): a sixth of a 24 GiB machine.
MAX_SUMMARY_BYTES = 4 * 2**30
#: Decimals kept in the report, so reports compare byte for byte and read well.
REPORT_DECIMALS = 4


@dataclass(frozen=True)
class SimResult:
    system: CorridorSystem
    system_name: str
    request: SimulationRequest
    n_events: int
    corridors: list[dict]
    facilities: list[dict]
    daily: pd.DataFrame  # day, facility, mean_queue, utilization (means over replications)
    events: pa.Table | None  # the full typed event log, when asked for

    def report(self) -> SimulationReport:
        return SimulationReport.model_validate(
            _rounded(
                {
                    "corridors": self.corridors,
                    "facilities": self.facilities,
                    "run": {
                        "seed": self.request.seed,
                        "replications": self.request.replications,
                        "days": self.request.days,
                        "engine": ENGINE_LABELS[self.request.engine],
                        "events": self.n_events,
                        "system": self.system_name,
                    },
                }
            )
        )


def _rounded(obj: object) -> object:
    if isinstance(obj, float):
        return None if not math.isfinite(obj) else round(obj, REPORT_DECIMALS)
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_rounded(v) for v in obj)
    return obj


def replicate(
    system: CorridorSystem,
    days: int,
    engine_name: str,
    keep_log: bool,
    r: int,
    seed: np.random.SeedSequence,
) -> tuple[analysis.ReplicationSummary, EventLog | None]:
    """One replication: draw, simulate, summarise from the log (runs inside workers)."""
    draws = draw(system, days, seed)
    log = ENGINES[engine_name](system, draws, replication=r)
    summary = analysis.summarise(log, system, draws.horizon_h)
    return summary, (log if keep_log else None)


def _check_size(system: CorridorSystem, req: SimulationRequest, keep_log: bool) -> None:
    trains = float(system.arrivals_per_day.sum()) * req.days
    if trains > MAX_TRAINS_PER_REPLICATION:
        raise InvalidInputError(
            f"one replication would hold about {trains:,.0f} trains (limit "
            f"{MAX_TRAINS_PER_REPLICATION:,}); shorten --days or lower the demand"
        )
    steps = np.diff(system.route_indptr)
    visits = float(np.dot(system.arrivals_per_day, steps)) * req.days
    per_replication = 6 * (trains + visits) + 32 * system.n_facilities * req.days
    if per_replication * req.replications > MAX_SUMMARY_BYTES:
        raise InvalidInputError(
            f"{req.replications:,} replications of {req.days:,} days would hold about "
            f"{per_replication * req.replications / 2**30:,.1f} GiB of statistics (limit "
            f"{MAX_SUMMARY_BYTES / 2**30:.0f} GiB); ask for fewer replications or days"
        )
    if keep_log:
        per_train = float(
            np.average(2 + 4 * steps, weights=np.maximum(system.arrivals_per_day, 1e-12))
        )
        events = trains * per_train * req.replications
        if events > MAX_KEPT_EVENTS:
            raise InvalidInputError(
                f"the event log would hold about {events:,.0f} events (limit {MAX_KEPT_EVENTS:,}); "
                "ask for fewer replications or days when writing the log"
            )


def run_simulation(
    system: CorridorSystem,
    days: int = 365,
    replications: int = 1,
    seed: int = 0,
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
    *,
    engine: str = "fast",
    keep_log: bool = False,
    system_name: str = "custom",
) -> SimResult:
    """Simulate ``replications`` independent runs of ``days`` days and summarise them.

    Replication ``r`` uses ``SeedSequence(seed).spawn(replications)[r]``; the result is the
    same for any ``workers`` and backend. ``dask`` is a scheduler address or ``"local"``.
    ``progress(done, total)`` is called as replications finish. With ``keep_log`` the full
    event log of every replication is returned as an Arrow table (``SimResult.events``).
    """
    try:
        req = SimulationRequest(days=days, replications=replications, seed=seed, engine=engine)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InvalidInputError(
            f"simulate: {field}: {first['msg']} (got {first.get('input')!r})"
        ) from None
    system.validate()
    _check_size(system, req, keep_log)
    if req.engine == "fast" and (workers > 1 or dask):
        warm_up_fast_engine()
    task = functools.partial(replicate, system, req.days, req.engine, keep_log)
    stats = RunStatistics(system)
    logs = []
    for summary, log in iter_replications(
        task, req.replications, req.seed, workers=workers, dask=dask, progress=progress
    ):
        stats.add(summary)
        if log is not None:
            logs.append(log)
    return SimResult(
        system=system,
        system_name=system_name,
        request=req,
        n_events=stats.n_events,
        corridors=stats.corridor_table(),
        facilities=stats.facility_table(),
        daily=stats.daily_series(),
        events=to_arrow(logs, system) if keep_log else None,
    )
