"""The SimPy reference model: the same rules as the fast engine, written as plain processes.

Trains are processes; a server facility is a ``simpy.Resource`` (FIFO) plus, where a daily
quota exists, a ``simpy.Container`` of start permits refilled at every midnight; a ferry line
is a loading process with a ``Container`` of vessels in port. It reads the same ``Draws`` and
writes the same event log, so the two engines can be compared event by event and
statistically. It is slow by design (clarity first) and used for tests and the benchmark.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator

import numpy as np
import simpy

from landbridge.sim.draws import Draws
from landbridge.sim.eventlog import NO_FACILITY, Event, EventLog
from landbridge.sim.system import CorridorSystem, FacilityKind
from landbridge.units import HOURS_PER_DAY


class _Recorder:
    def __init__(self) -> None:
        self.rows: list[tuple[float, int, int, int, int]] = []

    def __call__(
        self, t: float, train: int, facility: int, event: Event, sailing: int = -1
    ) -> None:
        self.rows.append((t, train, facility, int(event), sailing))


class _Gate:
    """Open/closed state of a server facility under scheduled closures."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.closed = False
        self.reopened = env.event()

    def window(self, start_h: float, end_h: float) -> Generator:
        yield self.env.timeout(start_h - self.env.now)
        self.closed = True
        yield self.env.timeout(end_h - self.env.now)
        self.closed = False
        self.reopened.succeed()
        self.reopened = self.env.event()


class _FerryLine:
    """One ferry line: a queue at the port, one vessel loading at a time, weather closures."""

    def __init__(
        self, env: simpy.Environment, system: CorridorSystem, f: int, log: _Recorder
    ) -> None:
        self.env, self.f, self.log = env, f, log
        self.capacity_feu = float(system.vessel_capacity_feu[f])
        self.max_wait_h = float(system.max_wait_h[f])
        self.crossing_h = float(system.crossing_h[f])
        self.round_trip_h = float(system.round_trip_h[f])
        fleet = int(system.fleet[f])
        self.in_port = simpy.Container(env, init=fleet, capacity=fleet)
        self.queue: deque[tuple[int, float, simpy.Event]] = deque()
        self.arrival = env.event()
        self.closed = False
        self.reopened = env.event()
        self.sailings = 0
        env.process(self.load())

    def join(self, train: int, feu: float) -> simpy.Event:
        landed = self.env.event()
        self.queue.append((train, feu, landed))
        if not self.arrival.triggered:
            self.arrival.succeed()
        return landed

    def weather(self, start_h: float, end_h: float) -> Generator:
        yield self.env.timeout(start_h - self.env.now)
        self.closed = True
        yield self.env.timeout(end_h - self.env.now)
        self.closed = False
        self.reopened.succeed()
        self.reopened = self.env.event()

    def load(self) -> Generator:
        env = self.env
        while True:
            yield self.in_port.get(1)
            aboard: list[tuple[int, simpy.Event]] = []
            load_feu = 0.0
            deadline = None
            while True:
                while self.queue and load_feu + self.queue[0][1] <= self.capacity_feu:
                    train, feu, landed = self.queue.popleft()
                    if deadline is None:
                        deadline = env.now + self.max_wait_h
                    load_feu += feu
                    aboard.append((train, landed))
                    self.log(env.now, train, self.f, Event.START, self.sailings)
                if load_feu >= self.capacity_feu or self.queue:
                    break
                if self.arrival.triggered:
                    self.arrival = env.event()
                if deadline is None:
                    yield self.arrival
                else:
                    timer = env.timeout(deadline - env.now)
                    yield self.arrival | timer
                    if timer.processed or env.now >= deadline:
                        break
            if self.closed:
                yield self.reopened
            for train, _landed in aboard:
                self.log(env.now, train, self.f, Event.SAIL, self.sailings)
            env.process(self.voyage(aboard, self.sailings))
            self.sailings += 1

    def voyage(self, aboard: list[tuple[int, simpy.Event]], sailing: int) -> Generator:
        yield self.env.timeout(self.crossing_h)
        for train, landed in aboard:
            self.log(self.env.now, train, self.f, Event.END, sailing)
            landed.succeed()
        yield self.env.timeout(self.round_trip_h - self.crossing_h)
        yield self.in_port.put(1)


def _refill(env: simpy.Environment, permits: simpy.Container, quota: int) -> Generator:
    while True:
        day = np.floor(env.now / HOURS_PER_DAY)
        yield env.timeout((day + 1) * HOURS_PER_DAY - env.now)
        if permits.level < quota:
            yield permits.put(quota - permits.level)


def simulate(system: CorridorSystem, draws: Draws, replication: int = 0) -> EventLog:
    """Run the SimPy reference on one replication's variates; return its event log."""
    env = simpy.Environment()
    log = _Recorder()
    servers: dict[int, simpy.Resource] = {}
    permits: dict[int, simpy.Container] = {}
    ferries: dict[int, _FerryLine] = {}
    for f in range(system.n_facilities):
        if system.facility_kind[f] == FacilityKind.FERRY:
            ferries[f] = _FerryLine(env, system, f, log)
        else:
            servers[f] = simpy.Resource(env, capacity=int(system.servers[f]))
            quota = int(system.daily_quota_trains[f])
            if quota > 0:
                permits[f] = simpy.Container(env, init=quota, capacity=quota)
                env.process(_refill(env, permits[f], quota))
    gates: dict[int, _Gate] = {}
    for c in range(draws.closure_facility.shape[0]):
        f = int(draws.closure_facility[c])
        window = (float(draws.closure_start_h[c]), float(draws.closure_end_h[c]))
        if f in ferries:
            env.process(ferries[f].weather(*window))
        else:
            env.process(gates.setdefault(f, _Gate(env)).window(*window))

    def admitted(f: int) -> Generator:
        """Wait, holding a track, until the facility is open and (with a quota) a permit is free."""
        gate = gates.get(f)
        while True:
            if gate is not None and gate.closed:
                yield gate.reopened
                continue
            if f in permits:
                yield permits[f].get(1)
                if gate is not None and gate.closed:
                    yield permits[f].put(1)
                    continue
            return

    def train(i: int) -> Generator:
        k = int(draws.train_class[i])
        route = system.route(k)
        legs = draws.run_h[draws.leg_offset[i] : draws.leg_offset[i + 1]]
        services = draws.service_h[draws.step_offset[i] : draws.step_offset[i + 1]]
        feu = float(system.feu_per_train[k])
        yield env.timeout(float(draws.entry_h[i]))
        log(env.now, i, NO_FACILITY, Event.DEPART)
        for s, f in enumerate(route.tolist()):
            yield env.timeout(float(legs[s]))
            log(env.now, i, f, Event.ARRIVE)
            if f in ferries:
                yield ferries[f].join(i, feu)
                continue
            with servers[f].request() as request:
                yield request
                yield from admitted(f)
                log(env.now, i, f, Event.START)
                yield env.timeout(float(services[s]))
            log(env.now, i, f, Event.END)
        yield env.timeout(float(legs[-1]))
        log(env.now, i, NO_FACILITY, Event.ARRIVE)

    trains = [env.process(train(i)) for i in range(draws.n_trains)]
    env.run(until=simpy.AllOf(env, trains))

    rows = np.array(log.rows, dtype=np.float64).reshape(-1, 5)
    train_ids = rows[:, 1].astype(np.int32)
    return EventLog(
        replication=replication,
        time_h=rows[:, 0].copy(),
        train=train_ids,
        train_class=draws.train_class[train_ids].astype(np.int16),
        facility=rows[:, 2].astype(np.int16),
        event=rows[:, 3].astype(np.int8),
        sailing=rows[:, 4].astype(np.int32),
    )
