"""Property: on any small random corridor the two engines write the same log, and it is sane."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landbridge.sim import analysis, engine, reference
from landbridge.sim.draws import draw
from landbridge.sim.eventlog import Event
from landbridge.sim.system import FacilitySpec, TrainClassSpec, make_system

positive_h = st.floats(0.2, 30.0)


@st.composite
def facility(draw_, fid: str) -> FacilitySpec:
    kind = draw_(st.sampled_from(["gauge_change", "crossing", "port", "ferry"]))
    if kind == "ferry":
        crossing = draw_(positive_h)
        return FacilitySpec(
            id=fid, kind=kind, capacity_feu=draw_(st.sampled_from([55, 110, 175])),
            fleet=draw_(st.integers(1, 4)), max_wait_h=draw_(positive_h), crossing_h=crossing,
            round_trip_h=crossing + draw_(positive_h),
            closures_per_yr=draw_(st.sampled_from([0.0, 40.0])), closure_mean_h=24.0,
        )  # fmt: skip
    p50 = draw_(positive_h)
    return FacilitySpec(
        id=fid, kind=kind, servers=draw_(st.integers(1, 4)),
        service=draw_(st.sampled_from(["lognormal", "exponential"])),
        p50_h=p50, p90_h=p50 * draw_(st.floats(1.1, 4.0)),
        daily_quota=draw_(st.sampled_from([0, 0, 3, 8])),
    )  # fmt: skip


@st.composite
def corridor(draw_):
    n_fac = draw_(st.integers(1, 4))
    facilities = [draw_(facility(f"f{i}")) for i in range(n_fac)]
    classes = []
    for k in range(draw_(st.integers(1, 3))):
        route = draw_(st.lists(st.sampled_from([f.id for f in facilities]), min_size=1,
                               max_size=3, unique=True))  # fmt: skip
        legs = [draw_(positive_h) for _ in range(len(route) + 1)]
        classes.append(
            TrainClassSpec(
                id=f"c{k}",
                per_day=draw_(st.floats(0.5, 12.0)),
                feu=55,
                route=route,
                legs_p50_h=legs,
                legs_p90_h=[h * 1.3 for h in legs],
            )  # fmt: skip
        )
    closures = draw_(
        st.lists(
            st.tuples(
                st.sampled_from([f.id for f in facilities]), st.floats(0, 200), st.floats(1, 72)
            ),
            max_size=2,
        )  # fmt: skip
    )
    return make_system(facilities, classes, closures=[(f, s, s + d) for f, s, d in closures])


def _canonical(log):
    order = np.lexsort((log.event, log.facility, log.train))
    return log.time_h[order], log.train[order], log.facility[order], log.event[order]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(system=corridor(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_and_logs_are_consistent(system, seed: int) -> None:
    d = draw(system, 12, seed)
    fast, ref = engine.simulate(system, d), reference.simulate(system, d)
    a, b = _canonical(fast), _canonical(ref)
    np.testing.assert_allclose(a[0], b[0], rtol=0, atol=1e-7)
    for x, y in zip(a[1:], b[1:], strict=True):
        np.testing.assert_array_equal(x, y)
    # Every train departs once and arrives once; visits are ordered in time.
    assert np.count_nonzero(fast.event == Event.DEPART) == d.n_trains
    assert np.count_nonzero((fast.event == Event.ARRIVE) & (fast.facility == -1)) == d.n_trains
    v = analysis.visits(fast, system)
    assert np.all(v.arrive_h <= v.start_h) and np.all(v.start_h <= v.leave_queue_h)
    assert np.all(v.leave_queue_h <= v.end_h)
    s = analysis.summarise(fast, system, d.horizon_h)
    assert np.all((s.utilization >= 0) & (s.utilization <= 1 + 1e-9))
