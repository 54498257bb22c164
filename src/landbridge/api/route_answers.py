"""Route answers: keyed by request and date, computed once, searches bounded.

A route answer depends on the request and on the date whose dated values it uses (the departure,
or today when none is given), so the date is part of the key and "today's" answers are not
served after midnight. Concurrent identical requests wait for one search. Beyond
``ROUTE_MAX_WAITING`` searches in progress the server answers 429 at once instead of letting clients
time out. Where a search runs (threads of this process, or worker processes) is the planner's
business (``api/route_workers.py``); this cache sits in front of it, in the serving process.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from landbridge.api.errors import BusyError
from landbridge.api.route_workers import ROUTE_MAX_WAITING, PlannedRoute
from landbridge.api.state import CachedJson
from landbridge.costs import dated
from landbridge.schema.route import RouteRequest

# The most recent answers kept (table + map lines, plain and gzip: tens of kB each).
ROUTE_CACHE_ENTRIES = 512


class RouteAnswer:
    """One answer: the option table as JSON bytes, and the map lines once drawn (most clients
    ask for the table only; drawing and serializing lines costs ~30 ms)."""

    def __init__(self, planned: PlannedRoute) -> None:
        self.table = CachedJson(planned.table_json)
        self.planned = planned
        self.lines: CachedJson | None = None


def answer_key(body: RouteRequest) -> str:
    """The request in canonical JSON with the date its dated values are taken from."""
    return f"{body.depart or dated.today()}|{body.model_dump_json()}"


class RouteAnswers:
    """LRU of answers with one computation per key and a bound on searches in progress.

    Used from the event loop only (no locks): a search is a task of its own, so a client that
    goes away does not cancel it for the others waiting on the same key.
    """

    def __init__(
        self, max_entries: int = ROUTE_CACHE_ENTRIES, max_waiting: int = ROUTE_MAX_WAITING
    ) -> None:
        self.max_entries = max_entries
        self.max_waiting = max_waiting
        self._items: OrderedDict[str, RouteAnswer] = OrderedDict()
        self._in_flight: dict[str, asyncio.Future[RouteAnswer]] = {}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def searching(self) -> int:
        return len(self._in_flight)

    def get(self, key: str) -> RouteAnswer | None:
        """The stored answer, marked as recently used; None if it has to be computed."""
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
        return hit

    async def get_or_compute(
        self, key: str, compute: Callable[[], Awaitable[RouteAnswer]]
    ) -> RouteAnswer:
        """The stored answer, or ``compute()`` run once for all concurrent callers of ``key``.

        Raises ``BusyError`` (429) when ``max_waiting`` searches are already in progress; a
        failed search is not stored, and the next request tries again.
        """
        hit = self.get(key)
        if hit is not None:
            return hit
        flight = self._in_flight.get(key)
        if flight is None:
            if len(self._in_flight) >= self.max_waiting:
                raise BusyError(
                    f"{len(self._in_flight)} new route searches are already waiting; retry in a "
                    "few seconds (answers asked for before are served at once)."
                )
            flight = asyncio.ensure_future(compute())
            self._in_flight[key] = flight
            flight.add_done_callback(lambda done: self._finish(key, done))
        return await asyncio.shield(flight)

    def _finish(self, key: str, done: asyncio.Future[RouteAnswer]) -> None:
        self._in_flight.pop(key, None)
        if done.cancelled() or done.exception() is not None:  # marks the error as retrieved
            return
        self._items[key] = done.result()
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)
