"""Fast engine and SimPy reference: same rules, same log; determinism; bad systems refused."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow.parquet as pq
import pytest

from landbridge.errors import InvalidInputError
from landbridge.sim import analysis, engine, reference
from landbridge.sim.draws import draw
from landbridge.sim.eventlog import Event, EventLog, to_arrow, write_parquet
from landbridge.sim.system import FacilitySpec, TrainClassSpec, make_system

FACILITIES = [
    FacilitySpec(
        id="dostyk",
        kind="gauge_change",
        servers=3,
        service="lognormal",
        p50_h=4.25,
        p90_h=10.0,
        daily_quota=16,
    ),
    FacilitySpec(id="aktau", kind="port", servers=1, service="exponential", p50_h=1.0),
    FacilitySpec(
        id="aktau-baku",
        kind="ferry",
        capacity_feu=120,
        fleet=2,
        max_wait_h=72,
        crossing_h=21,
        round_trip_h=82,
        closures_per_yr=25,
        closure_mean_h=36,
    ),
    FacilitySpec(id="brest", kind="crossing", servers=2, service="lognormal", p50_h=3.0, p90_h=8.0),
]
CLASSES = [
    TrainClassSpec(
        id="north",
        corridor="northern",
        per_day=11,
        feu=50,
        route=["dostyk", "brest"],
        legs_p50_h=[30, 130, 40],
        legs_p90_h=[36, 160, 55],
    ),
    TrainClassSpec(
        id="middle",
        corridor="middle",
        per_day=1.5,
        feu=40,
        route=["dostyk", "aktau", "aktau-baku"],
        legs_p50_h=[30, 70, 1, 60],
        legs_p90_h=[36, 80, 1, 75],
    ),
    TrainClassSpec(
        id="east",
        corridor="eastbound",
        per_day=3,
        feu=50,
        route=["brest", "dostyk"],
        legs_p50_h=[40, 130, 30],
    ),
]


@pytest.fixture(scope="module")
def system():
    return make_system(
        FACILITIES, CLASSES, closures=[("dostyk", 500.0, 668.0), ("brest", 1000, 1100)]
    )


def _canonical(log: EventLog) -> tuple[np.ndarray, ...]:
    order = np.lexsort((log.event, log.facility, log.train))
    return (
        log.time_h[order],
        log.train[order],
        log.facility[order],
        log.event[order],
        log.sailing[order],
    )


@pytest.mark.parametrize("seed", [1, 7])
def test_engines_write_the_same_log_on_the_same_draws(system, seed: int) -> None:
    d = draw(system, 120, seed)
    assert d.closure_start_h.size > 0  # weather closures are exercised
    fast, ref = engine.simulate(system, d), reference.simulate(system, d)
    assert len(fast) == len(ref) == engine.event_capacity(system, d)
    a, b = _canonical(fast), _canonical(ref)
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-9)
    for x, y in zip(a[1:], b[1:], strict=True):
        np.testing.assert_array_equal(x, y)


def test_every_train_passes_every_facility_in_route_order(system) -> None:
    d = draw(system, 60, 3)
    log = engine.simulate(system, d)
    assert np.count_nonzero(log.event == Event.DEPART) == d.n_trains
    done = (log.event == Event.ARRIVE) & (log.facility == -1)
    assert np.count_nonzero(done) == d.n_trains
    v = analysis.visits(log, system)
    assert np.all(v.start_h >= v.arrive_h) and np.all(v.leave_queue_h >= v.start_h)
    assert np.all(v.end_h >= v.leave_queue_h)
    # Service starts per day never exceed the Dostyk quota.
    starts = log.time_h[(log.event == Event.START) & (log.facility == 0)]
    assert np.bincount(np.floor(starts / 24).astype(int)).max() <= 16
    # Nothing starts at Dostyk while its scheduled closure (500-668 h) lasts; the queue restarts.
    assert not np.any((starts > 500.0) & (starts < 668.0))
    assert np.any(starts == 668.0)


def test_same_seed_same_parquet_bytes(system, tmp_path) -> None:
    paths = []
    for name in ("a", "b"):
        log = engine.simulate(system, draw(system, 90, np.random.SeedSequence(11)))
        paths.append(write_parquet(to_arrow([log], system), tmp_path / f"{name}.parquet"))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    other = engine.simulate(system, draw(system, 90, np.random.SeedSequence(12)))
    assert not np.array_equal(other.time_h[:50], log.time_h[:50])
    table = pq.read_table(paths[0])
    assert table.column_names == [
        "time_h",
        "replication",
        "train_id",
        "class",
        "facility",
        "event",
        "sailing",
    ]
    events = set(table.column("event").to_pylist())
    assert events == {"depart", "arrive", "start", "sail", "end"}
    assert set(table.column("facility").drop_null().to_pylist()) == {f.id for f in FACILITIES}


def test_weather_closure_holds_a_full_vessel_until_it_reopens(system) -> None:
    ferry_only = make_system(
        [
            FacilitySpec(
                id="kuryk-alat",
                kind="ferry",
                capacity_feu=2,
                fleet=3,
                max_wait_h=100,
                crossing_h=20,
                round_trip_h=50,
            )
        ],
        [
            TrainClassSpec(
                id="t",
                per_day=24,
                arrivals="uniform",
                feu=1,
                route=["kuryk-alat"],
                legs_p50_h=[0.5, 0],
            )
        ],
    )
    d = draw(ferry_only, 1, 0)
    closed = dataclasses.replace(
        d,
        closure_facility=np.array([0], np.int32),
        closure_start_h=np.array([0.2]),
        closure_end_h=np.array([10.25]),
    )
    for simulate in (engine.simulate, reference.simulate):
        v = analysis.visits(simulate(ferry_only, closed), ferry_only)
        sail = v.leave_queue_h[np.argsort(v.train)]
        # Vessel 1 fills at 1.5 h but waits for the reopening at 10.25 h; vessel 2 then loads
        # the queue (trains 2-3) and sails at once, vessel 3 takes trains 4-5 too; the 4th
        # vessel is back only at 60.25 h.
        np.testing.assert_allclose(sail[:6], [10.25] * 6)
        assert sail[6] == pytest.approx(60.25)


@pytest.mark.parametrize(
    ("table", "index", "changes", "message"),
    [
        ("facilities", 0, {"servers": 0}, "at least one server"),
        ("facilities", 0, {"p50_h": 5, "p90_h": 2}, "p50 <= p90"),
        ("facilities", 2, {"fleet": 0}, "fleet >= 1"),
        ("facilities", 2, {"round_trip_h": 5}, "round_trip_h"),
        ("classes", 1, {"feu": 200}, "do not fit"),
        ("classes", 0, {"route": ["dostyk", "nowhere"]}, "unknown facility"),
        ("classes", 0, {"legs_p50_h": [1, 2]}, "running legs"),
        ("classes", 0, {"per_day": -1}, "arrival rates"),
        ("facilities", 0, {"kind": "teleporter"}, "unknown kind"),
    ],
)
def test_bad_systems_are_refused_with_a_message(
    table: str, index: int, changes: dict, message: str
) -> None:
    specs = {"facilities": list(FACILITIES), "classes": list(CLASSES)}
    with pytest.raises(InvalidInputError, match=message):
        specs[table][index] = dataclasses.replace(specs[table][index], **changes)
        make_system(specs["facilities"], specs["classes"])
