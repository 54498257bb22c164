"""The simulated corridor as arrays: facilities, train classes, their routes and arrival rates.

Times are hours. A train class is a block-train service (origin → ordered facilities →
destination) with its own arrival rate and size in FEU; ``route_facility`` holds every class's
facilities back to back (CSR, sliced by ``route_indptr``), and ``leg_*`` holds the running
legs, one more per class than it has facilities (origin → first, ..., last → destination),
sliced by ``leg_indptr`` (``leg_indptr[k] == route_indptr[k] + k``).

Facilities are of two behaviours:
- servers (gauge-change yards, border crossings, ports): ``servers`` parallel tracks or cranes,
  FIFO queue, service time per train from ``service_dist``, optional ``daily_quota_trains``
  (at most that many service starts per calendar day, as at the China–Kazakhstan crossings).
- ferries (Caspian lines): a fleet of ``fleet`` vessels of ``vessel_capacity_feu``; one vessel
  loads at a time and sails when full (or the next train does not fit) or ``max_wait_h`` after
  its first train boarded; it lands ``crossing_h`` later and is back in port ``round_trip_h``
  after sailing. Weather closes the line ``closures_per_yr`` times a year for
  ``closure_mean_h`` on average; nothing sails while closed.

Scheduled closures (``closure_*``, from scenarios) apply to any facility: no service starts
and no sailing inside the window; trains already in service finish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TypeVar

import numpy as np

from landbridge.errors import InvalidInputError

E = TypeVar("E", bound=IntEnum)


class FacilityKind(IntEnum):
    GAUGE_CHANGE = 0
    CROSSING = 1
    PORT = 2
    FERRY = 3


FACILITY_KIND_NAMES = {k: k.name.lower() for k in FacilityKind}


class ServiceDist(IntEnum):
    """Service-time law, parameterised by its median ``p50`` and, for lognormal, ``p90``."""

    DETERMINISTIC = 0
    EXPONENTIAL = 1
    LOGNORMAL = 2


class ArrivalProcess(IntEnum):
    POISSON = 0
    UNIFORM = 1  # evenly spaced, first train at t = 0 (deterministic reference cases)


@dataclass(frozen=True)
class CorridorSystem:
    """Everything an engine needs, as numpy arrays (see the module docstring for the layout)."""

    # --- facilities (F) ---
    facility_id: tuple[str, ...]
    facility_name: tuple[str, ...]
    facility_kind: np.ndarray  # int8 [F], FacilityKind
    servers: np.ndarray  # int32 [F], parallel tracks/cranes (servers); 0 for ferries
    service_dist: np.ndarray  # int8 [F], ServiceDist
    service_p50_h: np.ndarray  # float64 [F], median service time per train
    service_p90_h: np.ndarray  # float64 [F], 90th percentile (lognormal only)
    daily_quota_trains: np.ndarray  # int32 [F], max service starts per day; 0 = no quota
    vessel_capacity_feu: np.ndarray  # float64 [F], ferries
    fleet: np.ndarray  # int32 [F], ferries: vessels on the line
    max_wait_h: np.ndarray  # float64 [F], ferries: sail at latest this long after first boarding
    crossing_h: np.ndarray  # float64 [F], ferries: sailing time to the far port
    round_trip_h: np.ndarray  # float64 [F], ferries: sailing until back in port, ready to load
    closures_per_yr: np.ndarray  # float64 [F], ferries: weather closures per year
    closure_mean_h: np.ndarray  # float64 [F], ferries: mean length of a closure
    # --- train classes (K) ---
    class_id: tuple[str, ...]
    class_corridor: tuple[str, ...]  # corridor each class is reported under
    arrivals_per_day: np.ndarray  # float64 [K], trains per day entering the system
    arrival_process: np.ndarray  # int8 [K], ArrivalProcess
    feu_per_train: np.ndarray  # float64 [K]
    route_indptr: np.ndarray  # int64 [K+1]
    route_facility: np.ndarray  # int32 [R]
    leg_indptr: np.ndarray  # int64 [K+1]
    leg_run_p50_h: np.ndarray  # float64 [R+K], median running time of each leg
    leg_run_p90_h: np.ndarray  # float64 [R+K], lognormal 90th percentile (== p50: fixed)
    # --- scheduled closures (scenarios), any facility: no service start and no sailing inside ---
    closure_facility: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    closure_start_h: np.ndarray = field(default_factory=lambda: np.zeros(0))
    closure_end_h: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_facilities(self) -> int:
        return len(self.facility_id)

    @property
    def n_classes(self) -> int:
        return len(self.class_id)

    @property
    def corridors(self) -> tuple[str, ...]:
        """Corridor names in first-seen order."""
        return tuple(dict.fromkeys(self.class_corridor))

    def is_ferry(self) -> np.ndarray:
        return self.facility_kind == FacilityKind.FERRY

    def route(self, k: int) -> np.ndarray:
        """Facility indices visited by class ``k``, in order."""
        return self.route_facility[self.route_indptr[k] : self.route_indptr[k + 1]]

    def validate(self) -> CorridorSystem:
        """Check shapes and ranges; raise ``InvalidInputError`` naming the bad entry."""
        n_fac, n_cls = self.n_facilities, self.n_classes
        if n_cls == 0:
            raise InvalidInputError("the corridor system has no train classes")
        for name in (
            "facility_kind",
            "servers",
            "service_dist",
            "service_p50_h",
            "service_p90_h",
            "daily_quota_trains",
            "vessel_capacity_feu",
            "fleet",
            "max_wait_h",
            "crossing_h",
            "round_trip_h",
            "closures_per_yr",
            "closure_mean_h",
        ):
            if getattr(self, name).shape != (n_fac,):
                raise InvalidInputError(f"facility array '{name}' must have {n_fac} entries")
        for name in ("arrivals_per_day", "arrival_process", "feu_per_train"):
            if getattr(self, name).shape != (n_cls,):
                raise InvalidInputError(f"class array '{name}' must have {n_cls} entries")
        if len(self.class_corridor) != n_cls or self.route_indptr.shape != (n_cls + 1,):
            raise InvalidInputError("class_corridor and route_indptr must match the classes")
        if not np.array_equal(self.leg_indptr, self.route_indptr + np.arange(n_cls + 1)):
            raise InvalidInputError("each class needs one running leg more than it has facilities")
        if self.route_facility.size and (
            self.route_facility.min() < 0 or self.route_facility.max() >= n_fac
        ):
            raise InvalidInputError("a route names a facility index outside the facility table")
        ferry = self.is_ferry()
        for i in range(n_fac):
            fid = self.facility_id[i]
            if ferry[i]:
                if self.fleet[i] < 1 or self.vessel_capacity_feu[i] <= 0:
                    raise InvalidInputError(
                        f"ferry '{fid}' needs fleet >= 1 and vessel capacity > 0"
                    )
                if not (self.max_wait_h[i] > 0 and self.crossing_h[i] >= 0):
                    raise InvalidInputError(
                        f"ferry '{fid}' needs max_wait_h > 0 and crossing_h >= 0"
                    )
                if self.round_trip_h[i] < self.crossing_h[i]:
                    raise InvalidInputError(f"ferry '{fid}': round_trip_h must be >= crossing_h")
                if self.closures_per_yr[i] < 0 or (
                    self.closures_per_yr[i] > 0 and self.closure_mean_h[i] <= 0
                ):
                    raise InvalidInputError(f"ferry '{fid}': closures need a positive mean length")
            else:
                if self.servers[i] < 1:
                    raise InvalidInputError(f"facility '{fid}' needs at least one server")
                if not self.service_p50_h[i] > 0 or self.service_p90_h[i] < self.service_p50_h[i]:
                    raise InvalidInputError(
                        f"facility '{fid}': service times need 0 < p50 <= p90 (hours)"
                    )
                if self.daily_quota_trains[i] < 0:
                    raise InvalidInputError(f"facility '{fid}': daily quota must be >= 0")
        if np.any(~np.isfinite(self.arrivals_per_day)) or np.any(self.arrivals_per_day < 0):
            raise InvalidInputError("arrival rates must be finite and >= 0 trains/day")
        if np.any(self.feu_per_train <= 0):
            raise InvalidInputError("every train class needs a positive size in FEU")
        if np.any(self.leg_run_p50_h < 0) or np.any(self.leg_run_p90_h < self.leg_run_p50_h):
            raise InvalidInputError("running times need 0 <= p50 <= p90 (hours)")
        if np.any(self.closure_end_h <= self.closure_start_h) or (
            self.closure_facility.size
            and (self.closure_facility.min() < 0 or self.closure_facility.max() >= n_fac)
        ):
            raise InvalidInputError("a scheduled closure needs a known facility and end > start")
        if np.any((self.leg_run_p50_h == 0) & (self.leg_run_p90_h > 0)):
            raise InvalidInputError("a running leg with p50 = 0 must have p90 = 0")
        for k in range(n_cls):
            route = self.route(k)
            big = route[ferry[route] & (self.vessel_capacity_feu[route] < self.feu_per_train[k])]
            if big.size:
                raise InvalidInputError(
                    f"class '{self.class_id[k]}' trains ({self.feu_per_train[k]:g} FEU) do not fit "
                    f"a vessel of ferry '{self.facility_id[int(big[0])]}'"
                )
        return self


@dataclass(frozen=True)
class FacilitySpec:
    """One facility in engine terms (hours, FEU); the fields of its ``kind`` apply.

    Servers (gauge changes, crossings, ports): ``servers``, ``service`` law with ``p50_h`` and
    ``p90_h`` (``None``: equal to ``p50_h``), ``daily_quota`` (0: none). Ferries: vessel
    ``capacity_feu``, ``fleet``, ``max_wait_h``, ``crossing_h``, ``round_trip_h``, weather
    ``closures_per_yr`` of ``closure_mean_h``. ``kind``, ``service`` may be given by name (a
    scenario or test file) and are kept as the enums.
    """

    id: str
    kind: FacilityKind
    name: str = ""  # "": the id
    servers: int = 0
    service: ServiceDist = ServiceDist.LOGNORMAL
    p50_h: float = 1.0
    p90_h: float | None = None
    daily_quota: int = 0
    capacity_feu: float = 0.0
    fleet: int = 0
    max_wait_h: float = 0.0
    crossing_h: float = 0.0
    round_trip_h: float = 0.0
    closures_per_yr: float = 0.0
    closure_mean_h: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _member(FacilityKind, self.kind, "kind", self.id))
        object.__setattr__(
            self, "service", _member(ServiceDist, self.service, "service law", self.id)
        )

    @property
    def service_p90_h(self) -> float:
        return self.p50_h if self.p90_h is None else self.p90_h


@dataclass(frozen=True)
class TrainClassSpec:
    """A block-train service: ``per_day`` trains of ``feu`` FEU through ``route`` (facility
    ids), with one running leg more than stops (``legs_p50_h``; ``legs_p90_h`` ``None``: fixed
    times). Reported under ``corridor`` ("": the id)."""

    id: str
    per_day: float
    feu: float
    route: tuple[str, ...]
    legs_p50_h: tuple[float, ...]
    legs_p90_h: tuple[float, ...] | None = None
    corridor: str = ""
    arrivals: ArrivalProcess = ArrivalProcess.POISSON

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", tuple(self.route))
        object.__setattr__(self, "legs_p50_h", tuple(self.legs_p50_h))
        if self.legs_p90_h is not None:
            object.__setattr__(self, "legs_p90_h", tuple(self.legs_p90_h))
        object.__setattr__(
            self, "arrivals", _member(ArrivalProcess, self.arrivals, "arrival process", self.id)
        )


def _member(enum: type[E], value: int | str, what: str, owner: str) -> E:
    """``value`` as a member of ``enum``: itself, its number or its name (any case)."""
    try:
        if isinstance(value, str):
            return enum[value.upper()]
        return enum(value)
    except (KeyError, ValueError):
        known = ", ".join(m.name.lower() for m in enum)
        raise InvalidInputError(f"'{owner}': unknown {what} {value!r}; known: {known}") from None


def make_system(
    facilities: Sequence[FacilitySpec],
    classes: Sequence[TrainClassSpec],
    closures: Sequence[tuple[str, float, float]] = (),
) -> CorridorSystem:
    """Build a validated ``CorridorSystem`` from typed specs (tests, the bundled corridors).

    ``closures`` are scheduled (facility id, start h, end h) windows.
    """
    index = {f.id: i for i, f in enumerate(facilities)}
    if len(index) != len(facilities):
        raise InvalidInputError("facility ids must be unique")

    def col(values: list[float], dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    route_indptr = [0]
    route_facility: list[int] = []
    legs_p50: list[float] = []
    legs_p90: list[float] = []
    for c in classes:
        try:
            route = [index[fid] for fid in c.route]
        except KeyError as exc:
            raise InvalidInputError(
                f"class '{c.id}' routes through unknown facility {exc}"
            ) from None
        lp50 = list(c.legs_p50_h)
        lp90 = list(c.legs_p90_h if c.legs_p90_h is not None else lp50)
        if len(lp50) != len(route) + 1 or len(lp90) != len(lp50):
            raise InvalidInputError(
                f"class '{c.id}' needs {len(route) + 1} running legs for {len(route)} facilities"
            )
        route_facility += route
        route_indptr.append(len(route_facility))
        legs_p50 += lp50
        legs_p90 += lp90
    route_indptr_arr = np.array(route_indptr, dtype=np.int64)
    system = CorridorSystem(
        facility_id=tuple(f.id for f in facilities),
        facility_name=tuple(f.name or f.id for f in facilities),
        facility_kind=col([f.kind for f in facilities], np.int8),
        servers=col([f.servers for f in facilities], np.int32),
        service_dist=col([f.service for f in facilities], np.int8),
        service_p50_h=col([f.p50_h for f in facilities], np.float64),
        service_p90_h=col([f.service_p90_h for f in facilities], np.float64),
        daily_quota_trains=col([f.daily_quota for f in facilities], np.int32),
        vessel_capacity_feu=col([f.capacity_feu for f in facilities], np.float64),
        fleet=col([f.fleet for f in facilities], np.int32),
        max_wait_h=col([f.max_wait_h for f in facilities], np.float64),
        crossing_h=col([f.crossing_h for f in facilities], np.float64),
        round_trip_h=col([f.round_trip_h for f in facilities], np.float64),
        closures_per_yr=col([f.closures_per_yr for f in facilities], np.float64),
        closure_mean_h=col([f.closure_mean_h for f in facilities], np.float64),
        class_id=tuple(c.id for c in classes),
        class_corridor=tuple(c.corridor or c.id for c in classes),
        arrivals_per_day=col([c.per_day for c in classes], np.float64),
        arrival_process=col([c.arrivals for c in classes], np.int8),
        feu_per_train=col([c.feu for c in classes], np.float64),
        route_indptr=route_indptr_arr,
        route_facility=np.array(route_facility, dtype=np.int32),
        leg_indptr=route_indptr_arr + np.arange(len(classes) + 1),
        leg_run_p50_h=np.array(legs_p50, dtype=np.float64),
        leg_run_p90_h=np.array(legs_p90, dtype=np.float64),
        closure_facility=np.array([index.get(c[0], -1) for c in closures], dtype=np.int32),
        closure_start_h=np.array([c[1] for c in closures], dtype=np.float64),
        closure_end_h=np.array([c[2] for c in closures], dtype=np.float64),
    )
    return system.validate()
