"""Where new route answers and map layers are made: threads of the serving process, or worker
processes.

A search and its pricing are CPU-bound Python: in threads they share one core (the GIL), so
``landbridge serve`` plans in worker processes instead (``ProcessPlanner``). The workers are
forked from a forkserver that loaded the network, the gazetteer and the planner's caches once
(``api/route_preload.py``), so they share those read-only pages copy-on-write instead of each
building its own; a worker plans a request and serializes the answer to JSON bytes, and the
serving process only keeps and sends bytes (its answer cache sits in front of the workers).

``ThreadPlanner`` (the default of ``create_app``: tests, embedding, any network) plans in at
most ``SEARCH_SLOTS`` threads: more would only slow every request down, cached ones included.

Map layers (``basemap``, ``layer-<name>``: the rail layer takes seconds of CPU to simplify, once
per network, then lives in the user cache) are made the same way, with their gzip form.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from landbridge.api.errors import RelayedError
from landbridge.api.route_geometry import option_lines
from landbridge.api.state import CachedJson, ServerState
from landbridge.api.worker_processes import WorkerProcesses
from landbridge.errors import LandbridgeError
from landbridge.network.model import Network
from landbridge.schema.route import RouteRequest

SEARCH_SLOTS = 2
"""Threads planning at once in one process (two cores on the reference machine)."""
MAX_ROUTE_WORKERS = 4
"""Most worker processes ``landbridge serve`` starts by default (one per core up to this)."""
ROUTE_BUDGET_S = 30.0
"""Wall-clock budget of one new route answer, waiting for a worker included (a never-seen pair
takes well under a second of CPU); past it the workers are restarted and the request gets 422."""
ROUTE_MAX_WAITING = 256
"""New route answers in progress at most (the answer cache's bound; the worker pool's queue has
the same): beyond it 429 at once. Policy: 100 clients each asking a new question must all be
queued (64 refused a third of them), and 256 new answers at ~20 ms of CPU each on two cores are
~2.6 s of waiting, far inside every client's timeout and the 30 s budget."""


@dataclass(frozen=True)
class PlannedRoute:
    """A planned answer as plain data: the response as JSON bytes (``RouteResponse`` by alias,
    exactly what ``landbridge route --json`` prints) and each option's (label, corridor) and
    edge ids, in the order of the options (for drawing them)."""

    table_json: bytes
    options: tuple[tuple[str, str], ...]
    paths: tuple[np.ndarray, ...]


def plan_answer(request: RouteRequest, net: Network) -> PlannedRoute:
    from landbridge.routing.plan import plan_routes_with_paths

    response, paths = plan_routes_with_paths(request, network=net)
    return PlannedRoute(
        response.model_dump_json(by_alias=True).encode(),
        tuple((o.label, o.corridor) for o in response.options),
        tuple(paths),
    )


def build_layer(state: ServerState, key: str) -> CachedJson:
    """``basemap`` or ``layer-<name>`` from ``state`` (memory, user cache, or built), with its
    gzip form made now: off the event loop, where the caller runs this."""
    from landbridge.api.layers import basemap_countries, network_layer

    if key == "basemap":
        value = state.cached(key, basemap_countries)
    else:
        name = key.removeprefix("layer-")
        value = state.cached(key, lambda: network_layer(state.network, name), per_network=True)
    _ = value.gzipped
    return value


def default_workers() -> int:
    return max(1, min(MAX_ROUTE_WORKERS, os.cpu_count() or 1))


class Planner(Protocol):
    async def plan(self, request: RouteRequest) -> PlannedRoute: ...

    async def lines(self, planned: PlannedRoute) -> CachedJson: ...

    async def layer(self, key: str) -> CachedJson: ...

    async def start(self) -> None: ...

    def shutdown(self) -> None: ...


class ThreadPlanner:
    """Plans in this process, in at most ``slots`` threads, on the app's own network."""

    def __init__(self, state: ServerState, slots: int = SEARCH_SLOTS) -> None:
        self._state = state
        self._slots = slots
        self._pool: ThreadPoolExecutor | None = None

    @property
    def _threads(self) -> ThreadPoolExecutor:
        if self._pool is None:  # again after a shutdown: an app's lifespan may run again
            self._pool = ThreadPoolExecutor(max_workers=self._slots, thread_name_prefix="route")
        return self._pool

    async def plan(self, request: RouteRequest) -> PlannedRoute:
        def work() -> PlannedRoute:
            return plan_answer(request, self._state.network)

        return await asyncio.get_running_loop().run_in_executor(self._threads, work)

    async def lines(self, planned: PlannedRoute) -> CachedJson:
        def work() -> CachedJson:
            return CachedJson.of(option_lines(self._state.network, planned.options, planned.paths))

        return await asyncio.get_running_loop().run_in_executor(self._threads, work)

    async def layer(self, key: str) -> CachedJson:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, build_layer, self._state, key)

    async def start(self) -> None:
        return None

    def shutdown(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _relayed(exc: LandbridgeError) -> RelayedError:
    return exc if isinstance(exc, RelayedError) else RelayedError.of(exc)


def plan_in_worker(request: RouteRequest) -> PlannedRoute:
    """``plan_answer`` on the worker's network; library errors relayed as ``RelayedError``."""
    from landbridge.api import route_preload

    try:
        return plan_answer(request, route_preload.network())
    except LandbridgeError as exc:
        raise _relayed(exc) from None


def lines_in_worker(planned: PlannedRoute) -> bytes:
    from landbridge.api import route_preload

    lines = option_lines(route_preload.network(), planned.options, planned.paths)
    return CachedJson.of(lines).body


_WORKER_STATE: ServerState | None = None


def layer_in_worker(key: str) -> tuple[bytes, bytes]:
    """``build_layer`` on the worker's network (its user cache shared with the server's)."""
    global _WORKER_STATE
    from landbridge.api import route_preload

    if _WORKER_STATE is None:
        _WORKER_STATE = ServerState(route_preload.network)
    value = build_layer(_WORKER_STATE, key)
    return value.body, value.gzipped


class ProcessPlanner:
    """Plans in ``workers`` processes forked from a forkserver that loaded the bundled network
    (``api/route_preload.py``), with a bounded queue and a per-request budget."""

    def __init__(
        self,
        workers: int | None = None,
        budget_s: float = ROUTE_BUDGET_S,
        max_waiting: int = ROUTE_MAX_WAITING,
    ) -> None:
        self.pool = WorkerProcesses(
            workers or default_workers(),
            max_waiting,
            budget_s,
            preload=("landbridge.api.route_preload",),
            over_budget_advice="retry; if it happens again, ask for fewer constraints.",
        )

    async def plan(self, request: RouteRequest) -> PlannedRoute:
        return await self.pool.run(plan_in_worker, request)

    async def lines(self, planned: PlannedRoute) -> CachedJson:
        return CachedJson(await self.pool.run(lines_in_worker, planned))

    async def layer(self, key: str) -> CachedJson:
        body, gzipped = await self.pool.run(layer_in_worker, key)
        return CachedJson(body, gzipped)

    async def start(self) -> None:
        await self.pool.start()

    def shutdown(self) -> None:
        self.pool.shutdown()
