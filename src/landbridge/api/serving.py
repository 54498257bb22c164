"""Run the app under uvicorn with limits that keep slow or idle clients from starving others.

uvicorn times out idle keep-alive connections but not a request whose headers never finish
(slowloris), and every open connection holds a file descriptor: 1,100 such clients exhausted a
1,024 descriptor limit and normal requests failed. Here:
- a request's headers must arrive within ``HEADER_TIMEOUT_S`` of its first byte (or of the
  connection opening), else the connection is closed;
- at most ``max_connections`` connections are kept; a new one beyond that closes the oldest
  connection still waiting for its headers (the slow clients go first, served clients stay);
- the descriptor limit is raised to the hard limit, and ``max_connections`` kept below it;
- no ``server`` header is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT_S = 10.0
"""Time a client has to send a request's headers (browsers and curl need milliseconds)."""
KEEP_ALIVE_S = 5.0
"""Idle time after a response before a keep-alive connection is closed (uvicorn's default)."""
MAX_CONNECTIONS = 4096
"""Open connections kept at most (policy: far above a planner's needs, far below the fd limit)."""
RESERVED_FDS = 256
"""Descriptors left for files, the store, pipes to job processes and the event loop."""
MAX_FDS = 65536
"""Soft descriptor limit asked for (when the hard limit allows)."""
MAX_HEADER_BYTES = 16 * 1024
"""Largest request head for the h11 parser (uvicorn's default, stated)."""


def raise_fd_limit() -> int:
    """Raise the soft descriptor limit towards the hard one; returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_FDS if hard == resource.RLIM_INFINITY else min(hard, MAX_FDS)
    if wanted > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return soft


def connection_cap(fd_limit: int) -> int:
    return max(16, min(MAX_CONNECTIONS, fd_limit - RESERVED_FDS))


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline and shedding of slow connections."""

    max_connections = MAX_CONNECTIONS
    header_timeout_s = HEADER_TIMEOUT_S

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._waiting_since: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()
        if len(self.connections) > self.max_connections:
            self._shed_slowest()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._waiting_since is None:  # the next request on a kept-alive connection
            self._await_headers()

    def on_headers_complete(self) -> None:
        self._headers_done()
        super().on_headers_complete()

    def _await_headers(self) -> None:
        self._headers_done()
        self._waiting_since = self.loop.time()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _headers_done(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._waiting_since = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()
        # no longer counted from now on: uvicorn answers 503 to every request while the count
        # is at its limit, and the closed connection only leaves it in a later loop iteration
        self._headers_done()
        self.connections.discard(self)

    def _shed_slowest(self) -> None:
        waiting = [
            c
            for c in self.connections
            if c is not self and isinstance(c, GuardedHttpProtocol) and c._waiting_since is not None
        ]
        if waiting:
            oldest = min(waiting, key=lambda c: c._waiting_since or 0.0)
            oldest._too_slow()


def serve(app: Any, host: str, port: int) -> None:
    """Serve ``app`` on ``host:port`` with the limits above (blocks until stopped)."""
    cap = connection_cap(raise_fd_limit())
    GuardedHttpProtocol.max_connections = cap
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=GuardedHttpProtocol,
        log_level="warning",
        server_header=False,
        timeout_keep_alive=int(KEEP_ALIVE_S),
        # uvicorn answers 503 beyond this many connections or tasks; the shedding above keeps
        # connections under it, so it bounds concurrent requests only
        limit_concurrency=cap + 1,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        backlog=min(cap, 2048),
    )
    uvicorn.Server(config).run()
