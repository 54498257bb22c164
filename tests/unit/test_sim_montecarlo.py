"""Monte Carlo: per-replication seeds, identical results for any backend, dying workers handled."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pytest

from landbridge.errors import InvalidInputError, SimulationError
from landbridge.sim.montecarlo import map_replications, replication_seeds
from landbridge.sim.run import run_simulation
from landbridge.sim.system import FacilitySpec, TrainClassSpec, make_system

SYSTEM = make_system(
    [
        FacilitySpec(
            id="yard", kind="gauge_change", servers=2, service="lognormal", p50_h=3, p90_h=7
        ),
        FacilitySpec(
            id="ferry",
            kind="ferry",
            capacity_feu=100,
            fleet=2,
            max_wait_h=48,
            crossing_h=20,
            round_trip_h=60,
            closures_per_yr=12,
            closure_mean_h=24,
        ),
    ],
    [
        TrainClassSpec(
            id="a",
            corridor="north",
            per_day=6,
            feu=50,
            route=["yard"],
            legs_p50_h=[20, 90],
            legs_p90_h=[25, 120],
        ),
        TrainClassSpec(
            id="b",
            corridor="middle",
            per_day=2,
            feu=50,
            route=["yard", "ferry"],
            legs_p50_h=[20, 50, 60],
        ),
    ],
)


def _draw_first_uniform(r: int, seed: np.random.SeedSequence) -> tuple[int, float]:
    return r, float(np.random.default_rng(seed).random())


def _die_once(marker_dir: str, r: int, seed: np.random.SeedSequence) -> tuple[int, float]:
    """Kill the worker process the first time replication 1 runs; succeed on the retry."""
    marker = Path(marker_dir) / f"died-{r}"
    if r == 1 and not marker.exists():
        marker.touch()
        os._exit(1)
    return _draw_first_uniform(r, seed)


def _always_die(r: int, seed: np.random.SeedSequence) -> None:
    if r == 0:
        os._exit(1)


def test_seeds_are_spawned_per_replication() -> None:
    seeds = replication_seeds(5, 3)
    assert [s.spawn_key for s in seeds] == [(0,), (1,), (2,)]
    assert all(s.entropy == 5 for s in seeds)


def test_reports_identical_for_any_number_of_workers() -> None:
    reports = [
        run_simulation(SYSTEM, 60, 6, seed=99, workers=w).report().model_dump_json() for w in (1, 2)
    ]
    assert reports[0] == reports[1]
    other = run_simulation(SYSTEM, 60, 6, seed=100).report().model_dump_json()
    assert other != reports[0]


def test_progress_callback_sees_every_replication() -> None:
    seen: list[tuple[int, int]] = []
    run_simulation(SYSTEM, 10, 3, seed=1, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_local_pool_reruns_a_replication_whose_worker_died(tmp_path) -> None:
    task = functools.partial(_die_once, str(tmp_path))
    got = map_replications(task, 4, seed=3, workers=2)
    assert got == map_replications(_draw_first_uniform, 4, seed=3, workers=1)


def test_local_pool_gives_up_with_a_clear_error() -> None:
    # replication 1 is lost with the pool too when it has not finished before 0 breaks it
    with pytest.raises(SimulationError, match=r"replications \[0(, 1)?\] did not finish"):
        map_replications(_always_die, 2, seed=3, workers=2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(replications=10_001), "replications"),
        (dict(days=3651), "days"),
        (dict(days=0), "days"),
        (dict(seed=-1), "seed"),
        (dict(workers=0), "workers"),
        (dict(engine="warp"), "engine"),
    ],
)
def test_absurd_requests_are_refused(kwargs: dict, message: str) -> None:
    args = dict(days=10, replications=1, seed=0) | kwargs
    with pytest.raises(InvalidInputError, match=message):
        run_simulation(SYSTEM, **args)


def test_dask_local_cluster_matches_the_process_pool() -> None:
    """Byte-identical statistics: the report, the daily series and the event log, over 12
    replications in 12 chunks that finish in any order on either backend."""
    pytest.importorskip("distributed")
    runs = [
        run_simulation(SYSTEM, 30, 12, seed=8, workers=2, dask=dask, keep_log=True)
        for dask in (None, "local")
    ]
    local, dask = runs
    assert dask.report().model_dump_json() == local.report().model_dump_json()
    assert dask.daily.to_csv() == local.daily.to_csv()
    assert dask.events is not None and dask.events.equals(local.events)
    assert len(set(local.events.column("replication").to_pylist())) == 12


def _trim_threshold(r: int, seed: np.random.SeedSequence) -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_local_cluster_workers_keep_the_malloc_defaults() -> None:
    """Dask's nanny would start them with MALLOC_TRIM_THRESHOLD_=65536 (about 40% more CPU per
    replication); they inherit this process's environment instead, as the pool's workers do."""
    pytest.importorskip("distributed")
    here = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    assert map_replications(_trim_threshold, 2, seed=0, workers=2, dask="local") == [here, here]


@pytest.fixture(scope="module")
def scheduler_address():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_worker_death_is_retried_from_the_seed(tmp_path, scheduler_address: str) -> None:
    task = functools.partial(_die_once, str(tmp_path))
    got = map_replications(task, 4, seed=3, dask=scheduler_address)
    assert (tmp_path / "died-1").exists()
    assert got == map_replications(_draw_first_uniform, 4, seed=3)


# the module's other cluster holds Dask's default HTTP port; this one moves to another
@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_replication_that_keeps_killing_dask_workers_stops_the_sweep_clearly() -> None:
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    # no second chance for a task whose worker died, so one death is "repeatedly"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        pytest.raises(SimulationError, match=r"replication 0 .* killed its Dask worker"),
    ):
        map_replications(_always_die, 2, seed=3, dask=cluster.scheduler_address)


def test_unreachable_dask_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(SimulationError, match="cannot reach the Dask scheduler"):
        map_replications(_draw_first_uniform, 2, seed=0, dask="tcp://127.0.0.1:9")
