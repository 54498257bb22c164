"""Route answers: keyed by request and date, computed once, searches bounded.

A route answer depends on the request and on the date whose dated values it uses (the departure,
or today when none is given), so the date is part of the key and "today's" answers are not
served after midnight. Concurrent identical requests wait for one search. New searches run at
most ``SEARCH_SLOTS`` at a time: a search is CPU-bound Python that holds the GIL, so more would
only slow every request down, cached answers included; beyond ``MAX_WAITING`` waiting searches
the server answers 429 at once instead of letting clients time out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from landbridge.api.errors import BusyError
from landbridge.api.route_geometry import option_lines
from landbridge.api.state import CachedJson
from landbridge.costs import dated
from landbridge.network.model import Network
from landbridge.schema.route import RouteRequest, RouteResponse

# The most recent answers kept (table + map lines, plain and gzip: tens of kB each).
ROUTE_CACHE_ENTRIES = 512
SEARCH_SLOTS = 2
MAX_WAITING = 64


class RouteAnswer:
    """One answer: the option table as JSON bytes, and the map lines made on first request
    (most clients ask for the table only; drawing and serializing lines costs ~30 ms)."""

    def __init__(self, response: RouteResponse, paths: list[np.ndarray], net: Network) -> None:
        self.table = CachedJson(response.model_dump_json(by_alias=True).encode())
        self._options = [(o.label, o.corridor) for o in response.options]
        self._paths = paths
        self._net = net
        self._lines: CachedJson | None = None
        self._lock = threading.Lock()

    @property
    def lines(self) -> CachedJson:
        with self._lock:
            if self._lines is None:
                self._lines = CachedJson.of(option_lines(self._net, self._options, self._paths))
            return self._lines


def answer_key(body: RouteRequest) -> str:
    """The request in canonical JSON with the date its dated values are taken from."""
    return f"{body.depart or dated.today()}|{body.model_dump_json()}"


class RouteAnswers:
    """Thread-safe LRU of answers with one computation per key and a bounded search queue."""

    def __init__(
        self,
        max_entries: int = ROUTE_CACHE_ENTRIES,
        slots: int = SEARCH_SLOTS,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        self.max_entries = max_entries
        self.max_waiting = max_waiting
        self._items: OrderedDict[str, RouteAnswer] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Lock] = {}
        self._slots = threading.BoundedSemaphore(slots)
        self._waiting = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> RouteAnswer | None:
        """The stored answer, marked as recently used; None if it has to be computed."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def get_or_compute(self, key: str, compute: Callable[[], RouteAnswer]) -> RouteAnswer:
        """The stored answer, or ``compute()`` run once for all concurrent callers of ``key``.

        Raises ``BusyError`` (429) when ``max_waiting`` searches are already waiting.
        """
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                return hit
            if self._waiting >= self.max_waiting:
                raise BusyError(
                    f"{self._waiting} new route searches are already waiting; retry in a few "
                    "seconds (answers asked for before are served at once)."
                )
            self._waiting += 1
            flight = self._in_flight.setdefault(key, threading.Lock())
        try:
            with flight:
                hit = self.get(key)
                if hit is not None:
                    return hit
                with self._slots:
                    value = compute()
                self._store(key, value)
                return value
        finally:
            with self._lock:
                self._waiting -= 1
                if self._in_flight.get(key) is flight and not flight.locked():
                    del self._in_flight[key]

    def _store(self, key: str, value: RouteAnswer) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
