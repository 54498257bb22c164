"""Route answers over HTTP: one search per question, dated keys, a bounded search queue."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.errors import BusyError
from landbridge.api.route_answers import RouteAnswers, answer_key
from landbridge.api.settings import ApiSettings
from landbridge.api.state import CachedJson
from landbridge.costs import dated
from landbridge.network import load_network
from landbridge.schema.route import RouteRequest

# Generous bound on waits between threads; a slow machine only waits longer, never fails early.
WAIT_S = 30.0


def answer(text: str) -> CachedJson:
    """A stand-in for a ``RouteAnswer``: the store keeps whatever ``compute`` returns."""
    return CachedJson(text.encode())


def test_concurrent_identical_questions_are_searched_once() -> None:
    answers = RouteAnswers(slots=4)
    calls = []
    release = threading.Event()

    def compute():
        calls.append(1)
        assert release.wait(WAIT_S)
        return answer("a")

    got = []
    threads = [
        threading.Thread(target=lambda: got.append(answers.get_or_compute("k", compute)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    time.sleep(0.2)  # let every thread reach the key's lock
    release.set()
    for t in threads:
        t.join(WAIT_S)
    assert len(calls) == 1
    assert len(got) == 8 and all(g is got[0] for g in got)


def test_searches_beyond_the_waiting_bound_get_429_and_the_queue_recovers() -> None:
    answers = RouteAnswers(slots=1, max_waiting=2)
    release = threading.Event()
    started = threading.Event()

    def slow(name):
        def compute():
            started.set()
            assert release.wait(WAIT_S)
            return answer(name)

        return compute

    threads = [
        threading.Thread(target=answers.get_or_compute, args=(k, slow(k))) for k in ("a", "b")
    ]
    for t in threads:
        t.start()
    assert started.wait(WAIT_S)
    deadline = time.monotonic() + WAIT_S
    while answers._waiting < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(BusyError, match="2 new route searches are already waiting"):
        answers.get_or_compute("c", slow("c"))
    assert answers.get("a") is None  # still being searched: nothing half-stored
    release.set()
    for t in threads:
        t.join(WAIT_S)
    assert answers.get_or_compute("c", lambda: answer("c")).body == b"c"
    assert {answers.get(k).body for k in "abc"} == {b"a", b"b", b"c"}


def test_a_failed_search_is_not_stored_and_is_tried_again() -> None:
    answers = RouteAnswers()

    def broken():
        raise ValueError("no route")

    with pytest.raises(ValueError):
        answers.get_or_compute("k", broken)
    assert answers.get("k") is None
    assert answers.get_or_compute("k", lambda: answer("ok")).body == b"ok"


def test_least_recently_used_answers_are_dropped_first() -> None:
    answers = RouteAnswers(max_entries=2)
    for k in ("a", "b"):
        answers.get_or_compute(k, lambda k=k: answer(k))
    assert answers.get("a") is not None  # a is now the most recent
    answers.get_or_compute("c", lambda: answer("c"))
    assert answers.get("b") is None and answers.get("a") is not None and len(answers) == 2


def test_key_holds_the_date_the_dated_values_come_from(monkeypatch) -> None:
    request = RouteRequest(origin="Xi'an", destination="Duisburg")
    monkeypatch.setattr(dated, "today", lambda: dt.date(2026, 1, 15))
    january = answer_key(request)
    monkeypatch.setattr(dated, "today", lambda: dt.date(2026, 7, 15))
    assert answer_key(request) != january
    fixed = request.model_copy(update={"depart": dt.date(2026, 3, 1)})
    assert answer_key(fixed) == answer_key(fixed.model_copy())
    monkeypatch.setattr(dated, "today", lambda: dt.date(2026, 1, 15))
    assert "2026-03-01|" in answer_key(fixed)


def test_answers_for_today_are_not_served_after_the_date_changes(monkeypatch) -> None:
    client = TestClient(create_app(ApiSettings(), network_loader=load_network))
    body = {"origin": "Xi'an", "destination": "Duisburg"}
    monkeypatch.setattr(dated, "today", lambda: dt.date(2026, 1, 15))
    first = client.post("/api/routes", json=body).json()
    assert client.post("/api/routes", json=body).json() == first
    monkeypatch.setattr(dated, "today", lambda: dt.date(2026, 7, 15))
    second = client.post("/api/routes", json=body).json()
    assert (first["as_of"], second["as_of"]) == ("2026-01-15", "2026-07-15")
    winter = {v["parameter"] for v in first["dated_values"]}
    assert "weather_wait_h" in winter and "weather_wait_h" not in {
        v["parameter"] for v in second["dated_values"]
    }


def test_map_lines_are_drawn_only_when_asked_for_and_once(monkeypatch) -> None:
    from landbridge.api import route_answers

    drawn = []

    def counting(*args):
        drawn.append(1)
        return option_lines(*args)

    option_lines = route_answers.option_lines
    monkeypatch.setattr(route_answers, "option_lines", counting)
    client = TestClient(create_app(ApiSettings(), network_loader=load_network))
    body = {"origin": "Chengdu", "destination": "Lodz", "feu": 3}
    table = client.post("/api/routes", json=body).json()
    assert drawn == []
    first = client.post("/api/routes/geojson", json=body)
    again = client.post("/api/routes/geojson", json=body, headers={"Accept-Encoding": "gzip"})
    assert drawn == [1]
    assert first.json() == again.json()
    assert len(first.json()["features"]) == len(table["options"])
