"""Route answers planned in worker processes: the same bytes as planned in-process (the JSON
contract), the same errors, workers forked after the network was loaded, a dead worker or one
over its budget replaced without failing the other requests."""

from __future__ import annotations

import asyncio
import os
import signal
import struct
import threading
import time

import pytest
import uvloop
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.errors import BusyError, WorkerLostError
from landbridge.api.settings import ApiSettings
from landbridge.api.worker_processes import WorkerProcesses
from landbridge.errors import InvalidInputError

REQUESTS = (
    {"origin": "Xi'an", "destination": "Duisburg", "feu": 2},
    {"origin": "Chengdu", "destination": "Lodz", "teu": 7, "avoid": ["RU", "BY"]},
    {
        "origin": "Urumqi",
        "destination": "Istanbul",
        "depart": "2026-02-10",
        "scope": "door to door",
    },
)
BAD_REQUESTS = (
    {"origin": "Xiann", "destination": "Duisburg"},  # unknown place, with suggestions
    {"origin": "Xi'an", "destination": "Xi'an"},  # the same point
    {"origin": "Xi'an", "destination": "Duisburg", "corridor": "sea", "avoid": ["CN"]},
)


@pytest.fixture(scope="module")
def in_process():
    with TestClient(create_app(ApiSettings())) as client:
        yield client


@pytest.fixture(scope="module")
def workers():
    with TestClient(create_app(ApiSettings(route_workers=1))) as client:
        yield client


def preloaded() -> bool:
    """Run in a worker: whether it inherited a loaded network from the forkserver."""
    from landbridge.api import route_preload

    return route_preload._NETWORK is not None


@pytest.mark.parametrize("body", REQUESTS)
def test_answers_from_workers_are_the_same_bytes(in_process, workers, body) -> None:
    ours = workers.post("/api/routes", json=body)
    theirs = in_process.post("/api/routes", json=body)
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.content
    lines = workers.post("/api/routes/geojson", json=body)
    assert lines.status_code == 200
    assert lines.content == in_process.post("/api/routes/geojson", json=body).content


@pytest.mark.parametrize("body", BAD_REQUESTS)
def test_errors_from_workers_keep_status_class_and_message(in_process, workers, body) -> None:
    ours = workers.post("/api/routes", json=body)
    theirs = in_process.post("/api/routes", json=body)
    assert ours.status_code == theirs.status_code >= 400
    assert ours.json() == theirs.json()


@pytest.mark.parametrize("path", ["/api/layers/sea", "/api/layers/rail", "/api/basemap"])
def test_layers_are_made_by_the_workers_not_the_serving_process(
    in_process, workers, monkeypatch, path
) -> None:
    from landbridge.api import layers

    def not_here(*_args, **_kwargs):
        raise AssertionError("made in the serving process")

    key = "basemap" if path.endswith("basemap") else "layer-" + path.rsplit("/", 1)[1]
    workers.app.state.server._cache.pop(key, None)  # as before the start-up warm-up made it
    monkeypatch.setattr(layers, "network_layer", not_here)  # workers keep the real one
    monkeypatch.setattr(layers, "basemap_countries", not_here)
    ours = workers.get(path, headers={"Accept-Encoding": "gzip"})
    assert ours.status_code == 200
    monkeypatch.undo()
    assert ours.content == in_process.get(path).content  # httpx undoes the gzip


def test_workers_are_forked_with_the_network_loaded(workers) -> None:
    pool = workers.app.state.planner.pool
    assert pool.worker_pids() and os.getpid() not in pool.worker_pids()
    assert workers.portal.call(pool.run, preloaded)


def test_a_task_that_kills_its_worker_fails_alone_and_dead_workers_are_replaced(workers) -> None:
    pool = workers.app.state.planner.pool
    (pid,) = pool.worker_pids()
    with pytest.raises(WorkerLostError):
        workers.portal.call(pool.run, os._exit, 1)  # kills its worker, and the next one
    (fresh,) = pool.worker_pids()
    assert fresh != pid
    os.kill(fresh, signal.SIGKILL)  # an idle worker killed from outside
    body = {"origin": "Zhengzhou", "destination": "Hamburg", "feu": 3}
    again = workers.post("/api/routes", json=body)
    assert again.status_code == 200 and again.json()["shipment"]["feu"] == 3
    assert fresh not in pool.worker_pids()


def test_a_task_over_its_budget_is_stopped_and_its_worker_replaced() -> None:
    async def scenario() -> None:
        pool = WorkerProcesses(workers=2, max_waiting=1, budget_s=60.0)
        try:
            await pool.start()
            assert await pool.run(abs, -3) == 3
            pool.budget_s = 1.0
            stuck = asyncio.ensure_future(pool.run(time.sleep, 30.0))
            other = asyncio.ensure_future(pool.run(time.sleep, 0.0))
            waiting = asyncio.ensure_future(pool.run(abs, -1))
            await asyncio.sleep(0)
            with pytest.raises(BusyError):
                await pool.run(abs, -2)  # two running, one waiting: full
            before = pool.worker_pids()
            with pytest.raises(InvalidInputError, match="more than its 1 s"):
                await stuck
            assert await other is None and await waiting == 1  # not affected by the kill
            assert len(pool.worker_pids()) == 2 and pool.worker_pids() != before
            pool.budget_s = 60.0
            assert await pool.run(abs, -4) == 4
        finally:
            pool.shutdown()

    in_own_thread(scenario)


def test_large_answers_arrive_whole_under_uvloop() -> None:
    """The served event loop is uvloop's, which makes the pipes it watches non-blocking."""

    async def scenario() -> None:
        pool = WorkerProcesses(workers=1, max_waiting=1, budget_s=60.0)
        try:
            await pool.start()
            assert await pool.run(bytes, 3_000_000) == bytes(3_000_000)  # many pipe buffers
        finally:
            pool.shutdown()

    in_own_thread(scenario, uvloop.run)


def test_answers_are_framed_as_multiprocessing_sends_them_and_read_in_pieces() -> None:
    import multiprocessing as mp

    from landbridge.api.worker_processes import _frames

    reader, writer = mp.Pipe(duplex=False)

    def send() -> None:  # the worker's side
        for message in (b"", b"x" * 70_000, b"end"):
            writer.send_bytes(message)
        writer.close()

    sender = threading.Thread(target=send)
    sender.start()
    stream = b""
    while chunk := os.read(reader.fileno(), 1 << 16):
        stream += chunk
    sender.join()
    buffer, got = bytearray(), []
    for i in range(0, len(stream), 1000):  # as if the bytes arrived 1,000 at a time
        buffer += stream[i : i + 1000]
        got += _frames(buffer)
    assert got == [b"", b"x" * 70_000, b"end"] and not buffer
    big = bytearray(struct.pack("!i", -1) + struct.pack("!Q", 3) + b"abc")  # the > 2 GiB form
    assert _frames(big[:-1]) == [] and _frames(big) == [b"abc"]


def in_own_thread(coroutine_function, run=asyncio.run) -> None:
    """``asyncio.run`` in a thread of its own (the browser tests keep a loop in the main one)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            run(coroutine_function())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the coroutine did not finish in 300 s"
    if failure:
        raise failure[0]
