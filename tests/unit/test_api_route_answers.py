"""Route answers over HTTP: one search per question, dated keys, a bounded search queue."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

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


class Stub:
    """A stand-in for a ``RouteAnswer``: the store keeps whatever ``compute`` returns."""

    def __init__(self, text: str) -> None:
        self.table = CachedJson(text.encode())


def answer(text: str):
    async def compute():
        return Stub(text)

    return compute


def in_own_thread(coroutine_function) -> None:
    """``asyncio.run`` in a thread of its own (the browser tests keep a loop in the main one)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine_function())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=WAIT_S)
    assert not thread.is_alive(), f"the coroutine did not finish in {WAIT_S:g} s"
    if failure:
        raise failure[0]


def test_concurrent_identical_questions_are_searched_once() -> None:
    async def scenario() -> None:
        answers = RouteAnswers()
        calls = []
        release = asyncio.Event()

        async def compute():
            calls.append(1)
            await release.wait()
            return Stub("a")

        waiting = [asyncio.ensure_future(answers.get_or_compute("k", compute)) for _ in range(8)]
        await asyncio.sleep(0)
        waiting[0].cancel()  # a client that goes away does not cancel the search for the others
        release.set()
        got = await asyncio.gather(*waiting[1:])
        assert len(calls) == 1
        assert len(got) == 7 and all(g is got[0] for g in got)
        assert answers.get("k") is got[0]

    in_own_thread(scenario)


def test_searches_beyond_the_waiting_bound_get_429_and_the_queue_recovers() -> None:
    async def scenario() -> None:
        answers = RouteAnswers(max_waiting=2)
        release = asyncio.Event()

        def slow(name):
            async def compute():
                await release.wait()
                return Stub(name)

            return compute

        searches = [asyncio.ensure_future(answers.get_or_compute(k, slow(k))) for k in "ab"]
        await asyncio.sleep(0)
        assert answers.searching == 2
        with pytest.raises(BusyError, match="2 new route searches are already waiting"):
            await answers.get_or_compute("c", slow("c"))
        assert answers.get("a") is None  # still being searched: nothing half-stored
        release.set()
        await asyncio.gather(*searches)
        assert (await answers.get_or_compute("c", answer("c"))).table.body == b"c"
        assert {answers.get(k).table.body for k in "abc"} == {b"a", b"b", b"c"}

    in_own_thread(scenario)


def test_a_failed_search_is_not_stored_and_is_tried_again() -> None:
    async def scenario() -> None:
        answers = RouteAnswers()

        async def broken():
            raise ValueError("no route")

        with pytest.raises(ValueError):
            await answers.get_or_compute("k", broken)
        assert answers.get("k") is None and answers.searching == 0
        assert (await answers.get_or_compute("k", answer("ok"))).table.body == b"ok"

    in_own_thread(scenario)


def test_least_recently_used_answers_are_dropped_first() -> None:
    async def scenario() -> None:
        answers = RouteAnswers(max_entries=2)
        for k in ("a", "b"):
            await answers.get_or_compute(k, answer(k))
        assert answers.get("a") is not None  # a is now the most recent
        await answers.get_or_compute("c", answer("c"))
        assert answers.get("b") is None and answers.get("a") is not None and len(answers) == 2

    in_own_thread(scenario)


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
    from landbridge.api import route_workers

    drawn = []

    def counting(*args):
        drawn.append(1)
        return option_lines(*args)

    option_lines = route_workers.option_lines
    monkeypatch.setattr(route_workers, "option_lines", counting)
    client = TestClient(create_app(ApiSettings(), network_loader=load_network))
    body = {"origin": "Chengdu", "destination": "Lodz", "feu": 3}
    table = client.post("/api/routes", json=body).json()
    assert drawn == []
    first = client.post("/api/routes/geojson", json=body)
    again = client.post("/api/routes/geojson", json=body, headers={"Accept-Encoding": "gzip"})
    assert drawn == [1]
    assert first.json() == again.json()
    assert len(first.json()["features"]) == len(table["options"])
