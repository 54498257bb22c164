"""Both engines against closed-form answers: Erlang C (M/M/c yard), D/D ferry batching."""

from __future__ import annotations

import numpy as np
import pytest

from landbridge.sim import analysis, engine, reference
from landbridge.sim.draws import draw
from landbridge.sim.eventlog import Event
from landbridge.sim.queueing import batch_waits_h, erlang_c, mmc_mean_wait_h
from landbridge.sim.system import FacilitySpec, TrainClassSpec, make_system

ENGINES = {"fast": engine.simulate, "simpy": reference.simulate}


def test_erlang_c_textbook_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 with a = 1: C = 1/3 (Kleinrock, Queueing Systems I, ch. 3).
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # λ = 1/h, mean service 3.5 h, 4 tracks: Wq = 5.165 h (the value used to size this model).
    assert mmc_mean_wait_h(1.0, 3.5, 4) == pytest.approx(5.165, abs=5e-4)


def _yard(servers: int, mean_service_h: float, arrivals_per_h: float):
    return make_system(
        [
            FacilitySpec(
                id="yard",
                kind="gauge_change",
                servers=servers,
                service="exponential",
                p50_h=mean_service_h * np.log(2.0),
            )
        ],
        [
            TrainClassSpec(
                id="trains",
                per_day=arrivals_per_h * 24,
                feu=55,
                route=["yard"],
                legs_p50_h=[0.0, 0.0],
            )
        ],
    )


@pytest.mark.parametrize(
    ("name", "replications", "days"),
    [("fast", 40, 400), pytest.param("simpy", 12, 300, marks=pytest.mark.slow)],
)
def test_mmc_gauge_change_yard_matches_erlang_c(name: str, replications: int, days: int) -> None:
    """Mean wait at a 4-track yard (ρ = 0.75) within the 95% CI of replication means."""
    system = _yard(servers=4, mean_service_h=3.0, arrivals_per_h=1.0)
    warmup_h = 500.0
    means = []
    for seed in np.random.SeedSequence(2023).spawn(replications):
        d = draw(system, days, seed)
        s = analysis.summarise(ENGINES[name](system, d), system, d.horizon_h, warmup_h=warmup_h)
        means.append(s.wait_h.mean())
    lo, hi = analysis.mean_ci(np.array(means))
    expected = mmc_mean_wait_h(1.0, 3.0, 4)
    assert lo <= expected <= hi, (lo, expected, hi)
    assert hi - lo < 0.25 * expected  # the CI is tight enough to mean something


def _ferry(
    capacity: int,
    max_wait_h: float,
    fleet: int,
    round_trip_h: float,
    headway_h: float,
    crossing_h: float = 20.0,
):
    return make_system(
        [
            FacilitySpec(
                id="aktau-baku",
                kind="ferry",
                capacity_feu=capacity,
                fleet=fleet,
                max_wait_h=max_wait_h,
                crossing_h=crossing_h,
                round_trip_h=round_trip_h,
            )
        ],
        [
            TrainClassSpec(
                id="titr",
                per_day=24 / headway_h,
                arrivals="uniform",
                feu=1,
                route=["aktau-baku"],
                legs_p50_h=[0.5, 3.0],
            )
        ],
    )


def _ferry_waits(name: str, system, days: float) -> tuple[np.ndarray, np.ndarray]:
    d = draw(system, days, 0)
    log = ENGINES[name](system, d)
    v = analysis.visits(log, system)
    order = np.argsort(v.train)
    return v.wait_h[order], v.end_h[order] - v.leave_queue_h[order]


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    ("capacity", "max_wait_h"),
    [(6, 50.0), (40, 7.5)],  # fills before the max wait; max wait binds (7 trains per sailing)
)
def test_ferry_batching_deterministic(name: str, capacity: int, max_wait_h: float) -> None:
    """Uniform arrivals every 2 h, vessels always in port: each train's wait is known exactly."""
    headway_h = 2.0
    system = _ferry(capacity, max_wait_h, fleet=50, round_trip_h=60.0, headway_h=headway_h)
    waits, crossing = _ferry_waits(name, system, days=10)
    expected = batch_waits_h(headway_h, capacity, max_wait_h, waits.shape[0])
    np.testing.assert_allclose(waits, expected, atol=1e-9)
    np.testing.assert_allclose(crossing, 20.0)


@pytest.mark.parametrize("name", ENGINES)
def test_ferry_fleet_saturated_queue_grows_linearly(name: str) -> None:
    """One 2-FEU vessel back every 5.2 h, a train an hour: sailings every 5.2 h, waits grow."""
    system = _ferry(
        capacity=2, max_wait_h=100.0, fleet=1, round_trip_h=5.2, headway_h=1.0, crossing_h=2.0
    )
    waits, _ = _ferry_waits(name, system, days=3)
    j = np.arange(waits.shape[0])
    # The first vessel sails at 1.5 h (trains 0 and 1), then once every 5.2 h, full.
    expected = 1.5 + 5.2 * (j // 2) - (0.5 + j)
    np.testing.assert_allclose(waits, expected, atol=1e-9)


@pytest.mark.parametrize("name", ENGINES)
def test_daily_quota_defers_starts_to_midnight(name: str) -> None:
    """Quota 2 starts/day, 4 arrivals/day: train j >= 2 starts at midnight of day j // 2."""
    system = make_system(
        [
            FacilitySpec(
                id="khorgos",
                kind="crossing",
                servers=5,
                service="deterministic",
                p50_h=1.0,
                daily_quota=2,
            )
        ],
        [
            TrainClassSpec(
                id="eastbound",
                per_day=4,
                arrivals="uniform",
                feu=55,
                route=["khorgos"],
                legs_p50_h=[0.5, 0.0],
            )
        ],
    )
    d = draw(system, 5, 0)
    log = ENGINES[name](system, d)
    starts = log.time_h[log.event == Event.START][np.argsort(log.train[log.event == Event.START])]
    j = np.arange(starts.shape[0])
    expected = np.where(j < 2, 0.5 + 6.0 * j, 24.0 * (j // 2))
    np.testing.assert_allclose(starts, expected)
    days = np.floor(starts / 24).astype(int)
    assert np.bincount(days).max() == 2
