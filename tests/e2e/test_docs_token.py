"""/docs and /redoc on a server with a token: the pages load without it, ask for it once, read
the API document with it, and Swagger UI sends it with every "Try it out" request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from tests.e2e.conftest import PAGE_READY_MS, SERVER_START_S, _free_port

TOKEN = "e2e-docs-token-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    home = tmp_path_factory.mktemp("home-token")
    env = {**os.environ, "LANDBRIDGE_HOME": str(home), "LANDBRIDGE_TOKEN": TOKEN}
    cmd = [sys.executable, "-m", "landbridge", "serve", "--port", str(port), "--workers", "0"]
    log = home / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"landbridge serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/docs", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer in {SERVER_START_S:g} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("path, ready", [("/docs", ".swagger-ui .info .title"),
                                         ("/redoc", "h1")])  # fmt: skip
def test_docs_ask_for_the_token_and_use_it(browser, token_server, path, ready) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(PAGE_READY_MS)
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept(TOKEN)

    page.on("dialog", answer)
    try:
        page.goto(token_server + path)
        page.locator(ready).first.wait_for()
        assert "landbridge" in page.locator(ready).first.inner_text()
        assert len(asked) == 1 and "LANDBRIDGE_TOKEN" in asked[0]
        if path == "/docs":
            sent = page.evaluate(
                "window.ui.getConfigs().requestInterceptor({headers: {}}).headers.Authorization"
            )
            assert sent == f"Bearer {TOKEN}"
        page.reload()  # the token is kept for the tab: not asked again
        page.locator(ready).first.wait_for()
        assert len(asked) == 1
    finally:
        context.close()
