"""Route answers planned in worker processes: the same bytes as planned in-process (the JSON
contract), the same errors, workers forked after the network was loaded, a dead worker replaced."""

from __future__ import annotations

import os
import signal

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.settings import ApiSettings

REQUESTS = (
    {"origin": "Xi'an", "destination": "Duisburg", "feu": 2},
    {"origin": "Chengdu", "destination": "Lodz", "teu": 7, "avoid": ["RU", "BY"]},
    {"origin": "Urumqi", "destination": "Istanbul", "depart": "2026-02-10", "scope": "door to door"},
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


def test_workers_are_forked_with_the_network_loaded(workers) -> None:
    pool = workers.app.state.planner.pool
    assert pool.worker_pids() and os.getpid() not in pool.worker_pids()
    assert workers.portal.call(pool.run, preloaded)


def test_a_killed_worker_fails_its_request_only_and_is_replaced(workers) -> None:
    pool = workers.app.state.planner.pool
    (pid,) = pool.worker_pids()
    os.kill(pid, signal.SIGKILL)
    body = {"origin": "Zhengzhou", "destination": "Hamburg", "feu": 3}
    lost = workers.post("/api/routes", json=body)
    assert lost.status_code == 503 and lost.json()["error"] == "WorkerLostError"
    again = workers.post("/api/routes", json=body)
    assert again.status_code == 200 and again.json()["shipment"]["feu"] == 3
    assert pool.worker_pids() != [pid]
