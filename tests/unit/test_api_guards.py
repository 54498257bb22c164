"""The API safe by default: Host checked (DNS rebinding), no cross-site state changes (CSRF),
only JSON/YAML bodies, security headers, a strong token beyond loopback, no server paths in
answers, the same scenario check as the CLI, heavy parsing bounded and off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.errors import without_paths
from landbridge.api.heavy import HeavyWork
from landbridge.api.settings import ApiSettings
from landbridge.errors import InvalidInputError, LandbridgeError

LOCAL = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(ApiSettings()), base_url=LOCAL) as c:
        yield c


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8765", "10.0.0.7"])
def test_a_host_that_is_not_this_server_is_refused(client: TestClient, host: str) -> None:
    response = client.get("/api/info", headers={"Host": host})
    assert response.status_code == 421
    assert response.json()["error"] == "HostNotAllowed" and "DNS rebinding" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"])
def test_loopback_names_are_this_server(client: TestClient, host: str) -> None:
    assert client.get("/api/info", headers={"Host": host}).status_code == 200


def test_a_configured_name_is_accepted() -> None:
    app = create_app(ApiSettings(allowed_hosts=("planner.lan",)))
    with TestClient(app, base_url=LOCAL) as c:
        assert c.get("/api/info", headers={"Host": "planner.lan:8765"}).status_code == 200


def test_an_empty_form_post_from_another_site_writes_nothing(client: TestClient) -> None:
    """The CSRF of the report: an HTML form (urlencoded, text/plain or multipart) is refused
    before the endpoint runs."""
    for media in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data"):
        response = client.post(
            "/api/scenarios/baseline-2023/run", content=b"a=1", headers={"Content-Type": media}
        )
        assert response.status_code == 415, media
        assert "application/json" in response.json()["detail"]
    text_yaml = client.post(
        "/api/scenarios/validate", content=b"name: x\n", headers={"Content-Type": "text/plain"}
    )
    assert text_yaml.status_code == 415


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_site_state_change_is_refused(client: TestClient, headers: dict) -> None:
    response = client.post("/api/scenarios/baseline-2023/run", json={}, headers=headers)
    assert response.status_code == 403 and response.json()["error"] == "CrossSiteRequest"
    assert client.delete("/api/jobs/abc", headers=headers).status_code == 403


def test_the_page_itself_may_post(client: TestClient) -> None:
    same = {"Origin": LOCAL, "Sec-Fetch-Site": "same-origin"}
    response = client.post("/api/scenarios/validate", json={"name": "x"}, headers=same)
    assert response.status_code in (200, 422)  # reached the endpoint
    assert response.json().get("error") != "CrossSiteRequest"


def test_every_answer_has_the_security_headers_and_no_server_header(client: TestClient) -> None:
    for path in ("/", "/static/style.css", "/api/info", "/api/nope"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert "server" not in headers


@pytest.mark.parametrize("token", ["s3cret", "a" * 40, "abcabcabcabcabcabcabcabcabcabcabc"])
def test_beyond_loopback_a_weak_token_is_refused(token: str) -> None:
    with pytest.raises(InvalidInputError, match="weak LANDBRIDGE_TOKEN.*token_urlsafe"):
        create_app(ApiSettings(host="0.0.0.0", token=token))


def test_answers_name_files_not_server_paths(client: TestClient) -> None:
    missing = client.get("/api/runs/20261128T052100Z-x-1a2b3c4d")
    assert missing.status_code in (404, 200)
    if missing.status_code == 404:
        assert "/" not in missing.json()["detail"].replace("…/", "")
    assert without_paths("No run in /root/.local/share/landbridge/runs.duckdb") == (
        "No run in …/runs.duckdb"
    )
    assert without_paths("5 trains/day, 15 Mt/yr") == "5 trains/day, 15 Mt/yr"


def test_validate_is_the_cli_check_and_never_reads_a_named_file(client: TestClient) -> None:
    for field, value in (("params", "/etc/shadow"), ("demand", "/etc/passwd")):
        text = f"name: x\nbase: {{year: 2024, {field}: {value}}}\n"
        response = client.post(
            "/api/scenarios/validate", content=text, headers={"Content-Type": "application/yaml"}
        )
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert f"base.{field}" in detail and "bundled sets only" in detail
        assert "/etc" not in detail


def test_validate_parses_and_checks_in_the_worker_process(client: TestClient, monkeypatch) -> None:
    """Neither step runs in the serving process: there they would hold its GIL."""
    from landbridge.app import check
    from landbridge.scenarios import load

    def not_here(*_args, **_kwargs):
        raise AssertionError("ran in the serving process")

    for module, name in ((check, "check_scenario"), (load, "parse_scenario")):
        monkeypatch.setattr(module, name, not_here)  # the spawned worker keeps the real ones
    text = (
        "name: x\nbase: {year: 2024}\n"
        "modifications:\n  - {type: close_crossing, facility: nowhere}\n"
    )
    response = client.post(
        "/api/scenarios/validate", content=text, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 422 and "nowhere" in response.json()["detail"]
    assert response.json()["error"] == "ScenarioError"


def in_own_thread(coroutine_function) -> None:
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright session keeps an
    event loop running in the main thread for the rest of the pytest run."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine_function())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "the coroutine did not finish in 300 s"
    if failure:
        raise failure[0]


def test_heavy_work_runs_in_a_process_with_a_bound_and_a_budget() -> None:
    async def scenario() -> None:
        heavy = HeavyWork(workers=1, max_waiting=1, budget_s=60.0)
        try:
            assert await heavy.run(abs, -3) == 3  # the worker is spawned (imports included)
            heavy.budget_s = 1.5
            first = asyncio.ensure_future(heavy.run(time.sleep, 30.0))
            second = asyncio.ensure_future(heavy.run(abs, -1))
            await asyncio.sleep(0.05)
            with pytest.raises(LandbridgeError) as busy:
                await heavy.run(abs, -2)
            assert busy.value.http_status == 429
            started = time.monotonic()
            with pytest.raises(InvalidInputError, match="more than its 1.5 s"):
                await first
            assert time.monotonic() - started < 10  # the budget, not the 30 s of work
            await asyncio.gather(second, return_exceptions=True)
            heavy.budget_s = 60.0
            assert await heavy.run(abs, -4) == 4  # a fresh pool after the kill
        finally:
            heavy.shutdown()

    in_own_thread(scenario)
