"""Browser fixtures: ``landbridge serve`` on a free loopback port, and headless Debian chromium.

Playwright drives the system chromium (``/usr/bin/chromium``); nothing is downloaded. Outside CI a
missing chromium skips these tests with the reason; with ``CI=true`` it is an error.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous bounds for a cold start on a busy 2-core machine (network load, page, map render);
# they only decide when to give up, nothing is asserted about speed.
SERVER_START_S = 120.0
PAGE_READY_MS = 90_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _require_chromium() -> None:
    if CHROMIUM.is_file():
        return
    message = f"{CHROMIUM} is missing: install Debian chromium (make install does it as root)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``landbridge serve`` in a child process on a free loopback port; its own empty store."""
    port = _free_port()
    env = {**os.environ, "LANDBRIDGE_HOME": str(tmp_path_factory.mktemp("home"))}
    env.pop("LANDBRIDGE_TOKEN", None)
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "landbridge.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"landbridge serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/api/info", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"landbridge serve gave no answer in {SERVER_START_S:g} s:\n{log.read_text()}"
                )
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page(browser, server_url: str):
    """The planner page, after the map and its layers have loaded; shared by a module's tests
    (a page load renders the whole map in software, seconds each); fails on JS errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    page = context.new_page()
    page.set_default_timeout(PAGE_READY_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(server_url + "/")
    wait_until(page, "window.landbridge && window.landbridge.ready")
    wait_until(page, "window.landbridge.map.loaded() && window.landbridge.map.areTilesLoaded()")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def wait_until(page, expression: str, timeout_ms: float = PAGE_READY_MS) -> None:
    """Poll ``expression`` until it is truthy. Playwright's ``wait_for_function`` evaluates its
    predicate with ``eval`` inside the page, which the server's Content-Security-Policy (no
    'unsafe-eval') refuses; ``evaluate`` goes through the debugger protocol and is not bound."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(f"Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms:g} ms: {expression}")
        page.wait_for_timeout(100)
