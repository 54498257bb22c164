"""The fast engine: a compiled (numba) event-heap simulation of a ``CorridorSystem``.

It consumes the variates of ``draws.draw`` and writes the typed event log, nothing else: all
statistics are read from the log afterwards (``analysis``). The rules are those of the module
docstring of ``system``; ``reference`` implements the same rules as plain SimPy processes.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

from landbridge.sim.draws import HOURS_PER_DAY, Draws
from landbridge.sim.eventlog import NO_FACILITY, Event, EventLog
from landbridge.sim.system import CorridorSystem, FacilityKind

# Heap event kinds (internal; the log uses ``Event``).
_ARRIVE = np.int64(1)
_SERVICE_END = np.int64(2)
_LAND = np.int64(3)
_MAX_WAIT = np.int64(4)
_RETURN = np.int64(5)
_QUOTA = np.int64(6)
_CLOSE = np.int64(7)
_OPEN = np.int64(8)

_FERRY = int(FacilityKind.FERRY)
_HOURS_PER_DAY = HOURS_PER_DAY
_NO_FACILITY = np.int64(NO_FACILITY)
# Typed (not literal) constants: numba compiles one version of each helper, not one per literal.
_NONE = np.int64(-1)
_ZERO = np.int64(0)
_EV_DEPART = np.int64(Event.DEPART)
_EV_ARRIVE = np.int64(Event.ARRIVE)
_EV_START = np.int64(Event.START)
_EV_SAIL = np.int64(Event.SAIL)
_EV_END = np.int64(Event.END)


@njit(cache=True)
def _log(out_t, out_i, cnt, t, train, fac, ev, sailing):
    n = cnt[0]
    out_t[n] = t
    out_i[0, n] = train
    out_i[1, n] = fac
    out_i[2, n] = ev
    out_i[3, n] = sailing
    cnt[0] = n + 1


@njit(cache=True)
def _push(heap, seq, t, kind, a, b):
    heapq.heappush(heap, (t, seq[0], kind, a, b))
    seq[0] += 1


@njit(cache=True)
def _try_start(
    f,
    t,
    st,
    q_train,
    q_step,
    servers,
    quota,
    service_h,
    step_offset,
    heap,
    seq,
    out_t,
    out_i,
    cnt,
    fs,
):
    # st rows: 0 busy, 1 q_head, 2 q_tail, 3 quota_day, 4 quota_used, 5 quota_wake_pending
    if fs[4, f] != 0:
        return
    while st[0, f] < servers[f] and st[1, f] < st[2, f]:
        if quota[f] > 0:
            day = np.int64(np.floor(t / _HOURS_PER_DAY))
            if day != st[3, f]:
                st[3, f] = day
                st[4, f] = 0
            if st[4, f] >= quota[f]:
                if st[5, f] == 0:
                    _push(heap, seq, (day + 1) * _HOURS_PER_DAY, _QUOTA, f, _ZERO)
                    st[5, f] = 1
                return
            st[4, f] += 1
        pos = st[1, f]
        st[1, f] += 1
        i = q_train[pos]
        s = q_step[pos]
        st[0, f] += 1
        _log(out_t, out_i, cnt, t, i, f, _EV_START, _NONE)
        _push(heap, seq, t + service_h[step_offset[i] + s], _SERVICE_END, i, s)


@njit(cache=True)
def _do_sail(
    f,
    t,
    st,
    fs,
    q_train,
    q_step,
    crossing_h,
    round_trip_h,
    step_offset,
    step_sailing,
    heap,
    seq,
    out_t,
    out_i,
    cnt,
):
    # fs rows: 0 in_port, 1 aboard, 2 gen, 3 sail_pending, 4 closed, 5 sailings, 6 board_head
    k = fs[5, f]
    for pos in range(fs[6, f], st[1, f]):
        i = q_train[pos]
        s = q_step[pos]
        step_sailing[step_offset[i] + s] = k
        _log(out_t, out_i, cnt, t, i, f, _EV_SAIL, k)
        _push(heap, seq, t + crossing_h[f], _LAND, i, s)
    fs[6, f] = st[1, f]
    fs[5, f] += 1
    fs[0, f] -= 1
    fs[1, f] = 0
    fs[2, f] += 1
    fs[3, f] = 0
    _push(heap, seq, t + round_trip_h[f], _RETURN, f, _ZERO)


@njit(cache=True)
def _try_board(
    f,
    t,
    st,
    fs,
    load,
    q_train,
    q_step,
    train_feu,
    cap,
    max_wait_h,
    crossing_h,
    round_trip_h,
    step_offset,
    step_sailing,
    heap,
    seq,
    out_t,
    out_i,
    cnt,
):
    if fs[3, f] != 0:
        return
    while fs[0, f] > 0:
        while st[1, f] < st[2, f]:
            pos = st[1, f]
            i = q_train[pos]
            if load[f] + train_feu[i] > cap[f]:
                break
            if fs[1, f] == 0:
                _push(heap, seq, t + max_wait_h[f], _MAX_WAIT, f, fs[2, f])
            load[f] += train_feu[i]
            fs[1, f] += 1
            st[1, f] += 1
            _log(out_t, out_i, cnt, t, i, f, _EV_START, fs[5, f])
        full = load[f] >= cap[f] or st[1, f] < st[2, f]
        if not full:
            return
        load[f] = 0.0
        if fs[4, f] != 0:
            fs[3, f] = 1
            return
        _do_sail(
            f,
            t,
            st,
            fs,
            q_train,
            q_step,
            crossing_h,
            round_trip_h,
            step_offset,
            step_sailing,
            heap,
            seq,
            out_t,
            out_i,
            cnt,
        )


@njit(cache=True)
def _simulate(
    fac_kind,
    servers,
    quota,
    cap,
    fleet,
    max_wait_h,
    crossing_h,
    round_trip_h,
    route_indptr,
    route_facility,
    train_class,
    train_feu,
    entry_h,
    step_offset,
    leg_offset,
    run_h,
    service_h,
    q_offset,
    clo_fac,
    clo_start,
    clo_end,
    n_events,
):
    n_fac = fac_kind.shape[0]
    n_trains = entry_h.shape[0]
    out_t = np.empty(n_events, np.float64)
    out_i = np.empty((4, n_events), np.int32)
    cnt = np.zeros(1, np.int64)
    seq = np.zeros(1, np.int64)
    st = np.zeros((6, n_fac), np.int64)
    st[1, :] = q_offset[:-1]
    st[2, :] = q_offset[:-1]
    st[3, :] = -1
    fs = np.zeros((7, n_fac), np.int64)
    fs[0, :] = fleet
    fs[6, :] = q_offset[:-1]
    load = np.zeros(n_fac, np.float64)
    q_train = np.empty(q_offset[-1], np.int64)
    q_step = np.empty(q_offset[-1], np.int64)
    step_sailing = np.full(step_offset[-1], -1, np.int64)

    heap = [(0.0, np.int64(0), np.int64(0), np.int64(0), np.int64(0))]
    heap.pop()
    for c in range(clo_fac.shape[0]):
        _push(heap, seq, clo_start[c], _CLOSE, np.int64(clo_fac[c]), np.int64(c))
        _push(heap, seq, clo_end[c], _OPEN, np.int64(clo_fac[c]), np.int64(c))

    nxt = 0
    while nxt < n_trains or len(heap) > 0:
        if nxt < n_trains and (len(heap) == 0 or entry_h[nxt] <= heap[0][0]):
            i = nxt
            nxt += 1
            t = entry_h[i]
            _log(out_t, out_i, cnt, t, i, _NO_FACILITY, _EV_DEPART, _NONE)
            _push(heap, seq, t + run_h[leg_offset[i]], _ARRIVE, np.int64(i), _ZERO)
            continue
        t, _, kind, a, b = heapq.heappop(heap)
        if kind == _ARRIVE:
            i = a
            s = b
            if s == step_offset[i + 1] - step_offset[i]:
                _log(out_t, out_i, cnt, t, i, _NO_FACILITY, _EV_ARRIVE, _NONE)
                continue
            f = route_facility[route_indptr[train_class[i]] + s]
            _log(out_t, out_i, cnt, t, i, f, _EV_ARRIVE, _NONE)
            pos = st[2, f]
            q_train[pos] = i
            q_step[pos] = s
            st[2, f] += 1
            if fac_kind[f] == _FERRY:
                _try_board(
                    f,
                    t,
                    st,
                    fs,
                    load,
                    q_train,
                    q_step,
                    train_feu,
                    cap,
                    max_wait_h,
                    crossing_h,
                    round_trip_h,
                    step_offset,
                    step_sailing,
                    heap,
                    seq,
                    out_t,
                    out_i,
                    cnt,
                )
            else:
                _try_start(
                    f,
                    t,
                    st,
                    q_train,
                    q_step,
                    servers,
                    quota,
                    service_h,
                    step_offset,
                    heap,
                    seq,
                    out_t,
                    out_i,
                    cnt,
                    fs,
                )
        elif kind == _SERVICE_END or kind == _LAND:  # noqa: SIM109 (plain compares for numba)
            i = a
            s = b
            f = route_facility[route_indptr[train_class[i]] + s]
            sailing = _NONE
            if kind == _SERVICE_END:
                st[0, f] -= 1
            else:
                sailing = step_sailing[step_offset[i] + s]
            _log(out_t, out_i, cnt, t, i, f, _EV_END, sailing)
            _push(heap, seq, t + run_h[leg_offset[i] + s + 1], _ARRIVE, i, s + 1)
            if kind == _SERVICE_END:
                _try_start(
                    f,
                    t,
                    st,
                    q_train,
                    q_step,
                    servers,
                    quota,
                    service_h,
                    step_offset,
                    heap,
                    seq,
                    out_t,
                    out_i,
                    cnt,
                    fs,
                )
        elif kind == _QUOTA:
            st[5, a] = 0
            _try_start(
                a,
                t,
                st,
                q_train,
                q_step,
                servers,
                quota,
                service_h,
                step_offset,
                heap,
                seq,
                out_t,
                out_i,
                cnt,
                fs,
            )
        elif kind == _MAX_WAIT:
            f = a
            if b == fs[2, f] and fs[1, f] > 0 and fs[3, f] == 0:
                load[f] = 0.0
                if fs[4, f] != 0:
                    fs[3, f] = 1
                else:
                    _do_sail(
                        f,
                        t,
                        st,
                        fs,
                        q_train,
                        q_step,
                        crossing_h,
                        round_trip_h,
                        step_offset,
                        step_sailing,
                        heap,
                        seq,
                        out_t,
                        out_i,
                        cnt,
                    )
                    _try_board(
                        f,
                        t,
                        st,
                        fs,
                        load,
                        q_train,
                        q_step,
                        train_feu,
                        cap,
                        max_wait_h,
                        crossing_h,
                        round_trip_h,
                        step_offset,
                        step_sailing,
                        heap,
                        seq,
                        out_t,
                        out_i,
                        cnt,
                    )
        elif kind == _RETURN:
            fs[0, a] += 1
            _try_board(
                a,
                t,
                st,
                fs,
                load,
                q_train,
                q_step,
                train_feu,
                cap,
                max_wait_h,
                crossing_h,
                round_trip_h,
                step_offset,
                step_sailing,
                heap,
                seq,
                out_t,
                out_i,
                cnt,
            )
        elif kind == _CLOSE:
            fs[4, a] = 1
        elif kind == _OPEN and fac_kind[a] != _FERRY:
            fs[4, a] = 0
            _try_start(
                a, t, st, q_train, q_step, servers, quota, service_h, step_offset, heap, seq,
                out_t, out_i, cnt, fs,
            )  # fmt: skip
        elif kind == _OPEN:
            f = a
            fs[4, f] = 0
            if fs[3, f] != 0:
                _do_sail(
                    f,
                    t,
                    st,
                    fs,
                    q_train,
                    q_step,
                    crossing_h,
                    round_trip_h,
                    step_offset,
                    step_sailing,
                    heap,
                    seq,
                    out_t,
                    out_i,
                    cnt,
                )
            _try_board(
                f,
                t,
                st,
                fs,
                load,
                q_train,
                q_step,
                train_feu,
                cap,
                max_wait_h,
                crossing_h,
                round_trip_h,
                step_offset,
                step_sailing,
                heap,
                seq,
                out_t,
                out_i,
                cnt,
            )
    n = cnt[0]
    return out_t[:n], out_i[:, :n]


def event_capacity(system: CorridorSystem, draws: Draws) -> int:
    """Exact number of events a run writes: 2 per train, 3 per server visit, 4 per ferry visit."""
    n_steps = np.diff(system.route_indptr)
    n_ferry = (
        np.add.reduceat(
            system.is_ferry()[system.route_facility].astype(np.int64), system.route_indptr[:-1]
        )
        if system.route_facility.size
        else np.zeros(system.n_classes, np.int64)
    )
    n_ferry = np.where(n_steps > 0, n_ferry, 0)
    per_class = 2 + 3 * n_steps + n_ferry
    return int(per_class[draws.train_class].sum())


def queue_offsets(system: CorridorSystem, draws: Draws) -> np.ndarray:
    """Start of each facility's FIFO segment: one slot per visit of that facility."""
    visits_per_class = np.zeros((system.n_classes, system.n_facilities), dtype=np.int64)
    for k in range(system.n_classes):
        np.add.at(visits_per_class[k], system.route(k), 1)
    trains_per_class = np.bincount(draws.train_class, minlength=system.n_classes)
    visits = trains_per_class @ visits_per_class
    offsets = np.zeros(system.n_facilities + 1, dtype=np.int64)
    np.cumsum(visits, out=offsets[1:])
    return offsets


def simulate(system: CorridorSystem, draws: Draws, replication: int = 0) -> EventLog:
    """Run the fast engine on one replication's variates; return its event log."""
    t, ints = _simulate(
        system.facility_kind.astype(np.int64),
        system.servers.astype(np.int64),
        system.daily_quota_trains.astype(np.int64),
        system.vessel_capacity_feu,
        system.fleet.astype(np.int64),
        system.max_wait_h,
        system.crossing_h,
        system.round_trip_h,
        system.route_indptr,
        system.route_facility.astype(np.int64),
        draws.train_class.astype(np.int64),
        system.feu_per_train[draws.train_class],
        draws.entry_h,
        draws.step_offset,
        draws.leg_offset,
        draws.run_h,
        draws.service_h,
        queue_offsets(system, draws),
        draws.closure_facility.astype(np.int64),
        draws.closure_start_h,
        draws.closure_end_h,
        event_capacity(system, draws),
    )
    train = ints[0]
    return EventLog(
        replication=replication,
        time_h=t,
        train=train.copy(),
        train_class=draws.train_class[train].astype(np.int16),
        facility=ints[1].astype(np.int16),
        event=ints[2].astype(np.int8),
        sailing=ints[3].copy(),
    )


def warm_up() -> None:
    """Compile the kernel (or load it from numba's cache) in this process.

    Called before worker processes start, so forked workers inherit the compiled kernel and
    Dask workers find it in the on-disk cache instead of each compiling it at once.
    """
    from landbridge.sim.draws import draw as _draw
    from landbridge.sim.system import make_system

    tiny = make_system(
        [
            dict(id="yard", kind="crossing", servers=1, p50_h=1.0, daily_quota=1),
            dict(id="ferry", kind="ferry", capacity_feu=1, fleet=1, max_wait_h=1.0,
                 crossing_h=1.0, round_trip_h=2.0),
        ],
        [dict(id="train", per_day=1, feu=1, route=["yard", "ferry"], legs_p50_h=[1, 1, 1])],
        closures=[("yard", 1.0, 2.0)],
    )  # fmt: skip
    simulate(tiny, _draw(tiny, 1, 0))
