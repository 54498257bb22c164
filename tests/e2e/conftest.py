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


DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


class Tab:
    """A browser page on the planner with what it asked for outside the server, its JS errors,
    and helpers to (re)load it; one per viewport and test module."""

    def __init__(self, browser, server_url: str, viewport: dict[str, int]) -> None:
        self.server_url = server_url
        self.context = browser.new_context(viewport=viewport, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(PAGE_READY_MS)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda msg: self.errors.append(msg.text)
            if "Content Security Policy" in msg.text
            else None,
        )
        self.page.on("request", self._request)

    def _request(self, request) -> None:
        url = request.url
        if not url.startswith((self.server_url + "/", "data:", "blob:")):
            self.outside.append(url)

    def open(self, path: str = "/") -> object:
        """Load ``path`` and wait until the map and its layers are drawn."""
        self.page.goto(self.server_url + path)
        wait_until(self.page, "window.landbridge && window.landbridge.ready")
        wait_until(
            self.page, "window.landbridge.map.loaded() && window.landbridge.map.areTilesLoaded()"
        )
        return self.page

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], f"JavaScript errors on the page: {self.errors}"
        assert self.outside == [], f"requests outside the server: {self.outside}"


@pytest.fixture(scope="session")
def shared() -> dict[str, str]:
    """Values one test module leaves for another (the run ids of the compared scenarios)."""
    return {}


@pytest.fixture(scope="module")
def desktop(browser, server_url: str) -> Iterator[Tab]:
    tab = Tab(browser, server_url, DESKTOP)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def phone(browser, server_url: str) -> Iterator[Tab]:
    tab = Tab(browser, server_url, PHONE)
    yield tab
    tab.close()


def wait_until(page, expression: str, timeout_ms: float = PAGE_READY_MS) -> None:
    """Poll ``expression`` until it is truthy. Playwright's ``wait_for_function`` evaluates its
    predicate with ``eval`` inside the page, which the server's Content-Security-Policy (no
    'unsafe-eval') refuses; ``evaluate`` goes through the debugger protocol and is not bound."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(f"Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms:g} ms: {expression}")
        page.wait_for_timeout(100)
