"""The fast engine: a compiled (numba) event-heap simulation of a ``CorridorSystem``.

It consumes the variates of ``draws.draw`` and writes the typed event log, nothing else: all
statistics are read from the log afterwards (``analysis``). The rules are those of the module
docstring of ``system``; ``reference`` implements the same rules as plain SimPy processes.

The kernel's state is a few numpy record arrays, one per concern, so the helpers take a handful
of names and read fields by name (``servers[f].busy``): ``servers`` and ``ferries`` (one row
per facility: the parameters and state of that behaviour, with the facility's FIFO queue
pointers), ``slots`` (the queue storage: one row per facility visit), the ``agenda`` of
pending events (a heap, ``sim.agenda``), the event ``log`` and the ``clock``. Record fields,
unlike arrays bundled in tuples, cost no reference counting in the hot loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from landbridge.sim.agenda import AGENDA_DTYPE, pop, push
from landbridge.sim.draws import Draws
from landbridge.sim.eventlog import NO_FACILITY, Event, EventLog
from landbridge.sim.system import CorridorSystem, FacilityKind
from landbridge.units import HOURS_PER_DAY

# Agenda event kinds (internal; the log uses ``Event``). An agenda entry is
# (time_h, seq, kind, a, b): ``a, b`` are the train and its next step for _ARRIVE, the queue slot
# for _SERVICE_END and _LAND, else the facility (and the loading turn for _MAX_WAIT).
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

# A facility's FIFO: its slots ``head`` (next out) to ``tail`` (next free); ``closed`` is 1
# while the facility is closed, and then its queue does not move.
_QUEUE = [("head", np.int64), ("tail", np.int64), ("closed", np.int64)]
_SERVER_DTYPE = np.dtype(
    [
        ("n_servers", np.int64),  # parallel tracks or cranes
        ("daily_quota", np.int64),  # service starts allowed per calendar day; 0 = no quota
        ("busy", np.int64),  # servers in use
        ("quota_day", np.int64),  # the day ``quota_used`` counts (-1 before the first start)
        ("quota_used", np.int64),  # service starts on ``quota_day``
        ("quota_wake_pending", np.int64),  # 1 while a wake-up for the next day is on the agenda
        *_QUEUE,
    ]
)
_FERRY_DTYPE = np.dtype(
    [
        ("capacity_feu", np.float64),  # per vessel
        ("max_wait_h", np.float64),  # a vessel sails this long after its first train boarded
        ("crossing_h", np.float64),  # sailing to landing
        ("round_trip_h", np.float64),  # sailing to back in port
        ("in_port", np.int64),  # vessels in port (the first one is loading)
        ("aboard", np.int64),  # trains on the loading vessel
        ("load_feu", np.float64),  # FEU on the loading vessel
        ("loading", np.int64),  # number of the loading turn: a stale max-wait timer is ignored
        ("sail_pending", np.int64),  # 1 while a vessel ready to sail waits for the reopening
        ("sailings", np.int64),  # sailings so far (the number of the next one)
        ("board_head", np.int64),  # first queue slot of the loading vessel's trains
        *_QUEUE,
    ]
)
_SLOT_DTYPE = np.dtype(
    [
        ("train", np.int64),
        ("step", np.int64),  # the step of the train's route this visit is
        ("service_h", np.float64),  # drawn service time (server facilities)
        ("feu", np.float64),  # the train's size (ferries)
        ("sailing", np.int64),  # the sailing that carried it (ferries; -1 until it sails)
    ]
)
_LOG_DTYPE = np.dtype(
    [
        ("time_h", np.float64),
        ("train", np.int32),
        ("facility", np.int32),
        ("event", np.int32),
        ("sailing", np.int32),
    ]
)
_CLOCK_DTYPE = np.dtype(
    [
        ("now_h", np.float64),  # time of the event being processed
        ("seq", np.int64),  # next agenda sequence number: equal times leave first in, first out
        ("pending", np.int64),  # entries on the agenda (its heap is agenda[:pending])
        ("logged", np.int64),  # events written to the log
    ]
)


class Trains(NamedTuple):
    """The routes and the variates of one replication (see ``Draws``), read by the main loop."""

    route_indptr: np.ndarray  # int64 [K+1], per class
    route_facility: np.ndarray  # int64 [steps of all classes]
    train_class: np.ndarray  # int64 [N]
    feu: np.ndarray  # float64 [N]
    entry_h: np.ndarray  # float64 [N]
    step_offset: np.ndarray  # int64 [N+1]
    leg_offset: np.ndarray  # int64 [N+1]
    run_h: np.ndarray  # float64 [legs]
    service_h: np.ndarray  # float64 [steps]


class Closures(NamedTuple):
    """Closure windows (weather and scheduled) of ``Draws``: [C] each."""

    facility: np.ndarray  # int64
    start_h: np.ndarray  # float64
    end_h: np.ndarray  # float64


@njit(cache=True)
def _log(log, clock, train, fac, event, sailing):
    row = log[clock.logged]
    row.time_h = clock.now_h
    row.train = train
    row.facility = fac
    row.event = event
    row.sailing = sailing
    clock.logged += 1


@njit(cache=True)
def _enqueue(queue, slots, train, step, service_h, feu):
    slot = slots[queue.tail]
    slot.train = train
    slot.step = step
    slot.service_h = service_h
    slot.feu = feu
    slot.sailing = _NONE
    queue.tail += 1


@njit(cache=True)
def _try_start(f, servers, slots, agenda, log, clock):
    srv = servers[f]
    if srv.closed != 0:
        return
    t = clock.now_h
    while srv.busy < srv.n_servers and srv.head < srv.tail:
        if srv.daily_quota > 0:
            day = np.int64(np.floor(t / _HOURS_PER_DAY))
            if day != srv.quota_day:
                srv.quota_day = day
                srv.quota_used = 0
            if srv.quota_used >= srv.daily_quota:
                if srv.quota_wake_pending == 0:
                    push(agenda, clock, (day + 1) * _HOURS_PER_DAY, _QUOTA, f, _ZERO)
                    srv.quota_wake_pending = 1
                return
            srv.quota_used += 1
        pos = srv.head
        srv.head += 1
        srv.busy += 1
        slot = slots[pos]
        _log(log, clock, slot.train, f, _EV_START, _NONE)
        push(agenda, clock, t + slot.service_h, _SERVICE_END, pos, _ZERO)


@njit(cache=True)
def _sail(f, ferries, slots, agenda, log, clock):
    fer = ferries[f]
    t = clock.now_h
    k = fer.sailings
    for pos in range(fer.board_head, fer.head):
        slot = slots[pos]
        slot.sailing = k
        _log(log, clock, slot.train, f, _EV_SAIL, k)
        push(agenda, clock, t + fer.crossing_h, _LAND, pos, _ZERO)
    fer.board_head = fer.head
    fer.sailings += 1
    fer.in_port -= 1
    fer.aboard = 0
    fer.loading += 1
    fer.sail_pending = 0
    push(agenda, clock, t + fer.round_trip_h, _RETURN, f, _ZERO)


@njit(cache=True)
def _cast_off(f, ferries, slots, agenda, log, clock):
    """The loading vessel is ready: it sails, or waits for the reopening if the line is closed."""
    fer = ferries[f]
    fer.load_feu = 0.0
    if fer.closed != 0:
        fer.sail_pending = 1
        return False
    _sail(f, ferries, slots, agenda, log, clock)
    return True


@njit(cache=True)
def _try_board(f, ferries, slots, agenda, log, clock):
    fer = ferries[f]
    if fer.sail_pending != 0:
        return
    t = clock.now_h
    while fer.in_port > 0:
        while fer.head < fer.tail:
            slot = slots[fer.head]
            if fer.load_feu + slot.feu > fer.capacity_feu:
                break
            if fer.aboard == 0:
                push(agenda, clock, t + fer.max_wait_h, _MAX_WAIT, f, fer.loading)
            fer.load_feu += slot.feu
            fer.aboard += 1
            fer.head += 1
            _log(log, clock, slot.train, f, _EV_START, fer.sailings)
        full = fer.load_feu >= fer.capacity_feu or fer.head < fer.tail
        if not full or not _cast_off(f, ferries, slots, agenda, log, clock):
            return


@njit(cache=True)
def _simulate(facility_kind, servers, ferries, slots, trains, closures, agenda, log, clocks):
    (
        route_indptr,
        route_facility,
        train_class,
        feu,
        entry_h,
        step_offset,
        leg_offset,
        run_h,
        service_h,
    ) = trains  # once: each read of a tuple field costs an atomic reference count
    clock = clocks[0]
    for c in range(closures.facility.shape[0]):
        push(agenda, clock, closures.start_h[c], _CLOSE, closures.facility[c], np.int64(c))
        push(agenda, clock, closures.end_h[c], _OPEN, closures.facility[c], np.int64(c))

    n_trains = entry_h.shape[0]
    nxt = 0
    while nxt < n_trains or clock.pending > 0:
        if nxt < n_trains and (clock.pending == 0 or entry_h[nxt] <= agenda[0].time_h):
            i = nxt
            nxt += 1
            t = entry_h[i]
            clock.now_h = t
            _log(log, clock, i, _NO_FACILITY, _EV_DEPART, _NONE)
            push(agenda, clock, t + run_h[leg_offset[i]], _ARRIVE, np.int64(i), _ZERO)
            continue
        t, kind, a, b = pop(agenda, clock)
        clock.now_h = t
        if kind == _ARRIVE:
            i = a
            s = b
            if s == step_offset[i + 1] - step_offset[i]:
                _log(log, clock, i, _NO_FACILITY, _EV_ARRIVE, _NONE)
                continue
            f = route_facility[route_indptr[train_class[i]] + s]
            _log(log, clock, i, f, _EV_ARRIVE, _NONE)
            service = service_h[step_offset[i] + s]
            if facility_kind[f] == _FERRY:
                _enqueue(ferries[f], slots, i, s, service, feu[i])
                _try_board(f, ferries, slots, agenda, log, clock)
            else:
                _enqueue(servers[f], slots, i, s, service, feu[i])
                _try_start(f, servers, slots, agenda, log, clock)
        elif kind == _SERVICE_END or kind == _LAND:  # noqa: SIM109 (plain compares for numba)
            slot = slots[a]
            i = slot.train
            s = slot.step
            f = route_facility[route_indptr[train_class[i]] + s]
            if kind == _SERVICE_END:
                servers[f].busy -= 1
            _log(log, clock, i, f, _EV_END, slot.sailing)
            push(agenda, clock, t + run_h[leg_offset[i] + s + 1], _ARRIVE, i, s + 1)
            if kind == _SERVICE_END:
                _try_start(f, servers, slots, agenda, log, clock)
        elif kind == _QUOTA:
            servers[a].quota_wake_pending = 0
            _try_start(a, servers, slots, agenda, log, clock)
        elif kind == _MAX_WAIT:
            fer = ferries[a]
            stale = b != fer.loading or fer.aboard <= 0
            if stale or fer.sail_pending != 0:
                continue
            if _cast_off(a, ferries, slots, agenda, log, clock):
                _try_board(a, ferries, slots, agenda, log, clock)
        elif kind == _RETURN:
            ferries[a].in_port += 1
            _try_board(a, ferries, slots, agenda, log, clock)
        elif kind == _CLOSE and facility_kind[a] != _FERRY:
            servers[a].closed = 1
        elif kind == _CLOSE:
            ferries[a].closed = 1
        elif kind == _OPEN and facility_kind[a] != _FERRY:
            servers[a].closed = 0
            _try_start(a, servers, slots, agenda, log, clock)
        elif kind == _OPEN:
            ferries[a].closed = 0
            if ferries[a].sail_pending != 0:
                _sail(a, ferries, slots, agenda, log, clock)
            _try_board(a, ferries, slots, agenda, log, clock)
    return clock.logged


def _steps_per_class(system: CorridorSystem) -> tuple[np.ndarray, np.ndarray]:
    """(facility visits, ferry visits) of one train of each class."""
    n_steps = np.diff(system.route_indptr)
    n_ferry = (
        np.add.reduceat(
            system.is_ferry()[system.route_facility].astype(np.int64), system.route_indptr[:-1]
        )
        if system.route_facility.size
        else np.zeros(system.n_classes, np.int64)
    )
    return n_steps, np.where(n_steps > 0, n_ferry, 0)


def event_capacity(system: CorridorSystem, draws: Draws) -> int:
    """Exact number of events a run writes: 2 per train, 3 per server visit, 4 per ferry visit."""
    n_steps, n_ferry = _steps_per_class(system)
    per_class = 2 + 3 * n_steps + n_ferry
    return int(per_class[draws.train_class].sum())


def agenda_capacity(system: CorridorSystem, draws: Draws) -> int:
    """Most entries the agenda can hold at once: one per train on its way (its next arrival,
    service end or landing), two per closure, one quota wake-up per facility, one return per
    vessel, and one max-wait timer per loading turn (at most one turn per ferry visit, plus
    the turn loading at the end)."""
    ferry_visits = int(_steps_per_class(system)[1][draws.train_class].sum())
    ferry = system.is_ferry()
    return (
        draws.n_trains
        + 2 * draws.closure_facility.shape[0]
        + system.n_facilities
        + int(system.fleet[ferry].sum())
        + ferry_visits
        + int(ferry.sum())
    )


def queue_offsets(system: CorridorSystem, draws: Draws) -> np.ndarray:
    """Start of each facility's FIFO segment: one slot per visit of that facility."""
    trains_per_class = np.bincount(draws.train_class, minlength=system.n_classes)
    class_of_step = np.repeat(np.arange(system.n_classes), np.diff(system.route_indptr))
    visits = np.zeros(system.n_facilities, dtype=np.int64)
    np.add.at(visits, system.route_facility, trains_per_class[class_of_step])
    offsets = np.zeros(system.n_facilities + 1, dtype=np.int64)
    np.cumsum(visits, out=offsets[1:])
    return offsets


def _servers(system: CorridorSystem, first_slot: np.ndarray) -> np.ndarray:
    servers = np.zeros(system.n_facilities, _SERVER_DTYPE)
    servers["n_servers"] = system.servers
    servers["daily_quota"] = system.daily_quota_trains
    servers["quota_day"] = -1
    servers["head"] = servers["tail"] = first_slot
    return servers


def _ferries(system: CorridorSystem, first_slot: np.ndarray) -> np.ndarray:
    ferries = np.zeros(system.n_facilities, _FERRY_DTYPE)
    ferries["capacity_feu"] = system.vessel_capacity_feu
    ferries["max_wait_h"] = system.max_wait_h
    ferries["crossing_h"] = system.crossing_h
    ferries["round_trip_h"] = system.round_trip_h
    ferries["in_port"] = system.fleet
    ferries["board_head"] = ferries["head"] = ferries["tail"] = first_slot
    return ferries


def _trains(system: CorridorSystem, draws: Draws) -> Trains:
    return Trains(
        route_indptr=system.route_indptr,
        route_facility=system.route_facility.astype(np.int64),
        train_class=draws.train_class.astype(np.int64),
        feu=system.feu_per_train[draws.train_class],
        entry_h=draws.entry_h,
        step_offset=draws.step_offset,
        leg_offset=draws.leg_offset,
        run_h=draws.run_h,
        service_h=draws.service_h,
    )


def simulate(system: CorridorSystem, draws: Draws, replication: int = 0) -> EventLog:
    """Run the fast engine on one replication's variates; return its event log."""
    offsets = queue_offsets(system, draws)
    log = np.empty(event_capacity(system, draws), _LOG_DTYPE)
    n = _simulate(
        system.facility_kind.astype(np.int64),
        _servers(system, offsets[:-1]),
        _ferries(system, offsets[:-1]),
        np.empty(offsets[-1], _SLOT_DTYPE),
        _trains(system, draws),
        Closures(
            draws.closure_facility.astype(np.int64), draws.closure_start_h, draws.closure_end_h
        ),
        np.empty(agenda_capacity(system, draws), AGENDA_DTYPE),
        log,
        np.zeros(1, _CLOCK_DTYPE),
    )
    log = log[:n]
    train = log["train"].copy()
    return EventLog(
        replication=replication,
        time_h=log["time_h"].copy(),
        train=train,
        train_class=draws.train_class[train].astype(np.int16),
        facility=log["facility"].astype(np.int16),
        event=log["event"].astype(np.int8),
        sailing=log["sailing"].copy(),
    )


def warm_up() -> None:
    """Compile the kernel (or load it from numba's cache) in this process.

    Called before worker processes start, so forked workers inherit the compiled kernel and
    Dask workers find it in the on-disk cache instead of each compiling it at once.
    """
    from landbridge.sim.draws import draw as _draw
    from landbridge.sim.system import FacilitySpec, TrainClassSpec, make_system

    tiny = make_system(
        [
            FacilitySpec(id="yard", kind=FacilityKind.CROSSING, servers=1, daily_quota=1),
            FacilitySpec(id="ferry", kind=FacilityKind.FERRY, capacity_feu=1, fleet=1,
                         max_wait_h=1.0, crossing_h=1.0, round_trip_h=2.0),
        ],
        [TrainClassSpec(id="train", per_day=1, feu=1, route=("yard", "ferry"),
                        legs_p50_h=(1, 1, 1))],
        closures=[("yard", 1.0, 2.0)],
    )  # fmt: skip
    simulate(tiny, _draw(tiny, 1, 0))
