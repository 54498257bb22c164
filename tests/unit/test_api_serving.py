"""Connection limits of ``landbridge serve`` (``api.serving``), on uvicorn's protocol objects
with stand-in transports: no sockets, no clock."""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.server import ServerState

from landbridge.api.serving import GuardedHttpProtocol, connection_cap


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8765)}.get(
            name, default
        )

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def write(self, data) -> None:
        pass


async def app(scope, receive, send) -> None:  # never called: no request is sent
    raise AssertionError(scope)


def connect(config, state, loop) -> tuple[GuardedHttpProtocol, Transport]:
    protocol = GuardedHttpProtocol(config=config, server_state=state, app_state={}, _loop=loop)
    transport = Transport()
    protocol.connection_made(transport)
    return protocol, transport


def test_beyond_the_cap_the_oldest_waiting_connection_is_closed_and_no_longer_counted() -> None:
    loop = asyncio.new_event_loop()
    config = uvicorn.Config(app=app, limit_concurrency=3 + 1, log_level="warning")
    config.load()
    state = ServerState()
    GuardedHttpProtocol.max_connections = 3
    try:
        first, first_t = connect(config, state, loop)
        others = [connect(config, state, loop) for _ in range(3)]
        assert first_t.closed and first not in state.connections
        assert not any(t.closed for _, t in others)
        # the count is back at the cap at once, so a normal request is not refused with 503
        assert len(state.connections) == 3 < config.limit_concurrency
    finally:
        GuardedHttpProtocol.max_connections = connection_cap(1 << 16)
        for protocol in list(state.connections):
            protocol._headers_done()
        loop.close()


def test_the_cap_leaves_descriptors_for_the_server_itself() -> None:
    assert connection_cap(1024) == 1024 - 256
    assert connection_cap(100) == 16  # never fewer than a handful
