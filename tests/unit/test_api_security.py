"""Guards of the REST face: loopback, token on work endpoints, size limits, static folder."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from landbridge.api.app import create_app
from landbridge.api.security import SizeLimitMiddleware, require_token
from landbridge.api.settings import DEFAULT_HOST, DEFAULT_PORT, ApiSettings, is_loopback
from landbridge.cli.serve import serve
from landbridge.errors import InvalidInputError

STRONG = "Zq8-vN3kLp0sT7wXy2bR5mC9dF1gH4jK6"


class Echo(BaseModel):
    text: str


def guarded_app(settings: ApiSettings) -> FastAPI:
    """The real app plus one token-guarded echo endpoint that reads its body."""
    app = create_app(settings)

    @app.post("/api/test-echo", dependencies=[Depends(require_token)])
    def echo(body: Echo) -> Echo:
        return body

    return app


def test_default_settings_listen_on_loopback_only() -> None:
    settings = ApiSettings()
    assert settings.host == DEFAULT_HOST == "127.0.0.1"
    assert is_loopback(settings.host)
    assert is_loopback("::1") and is_loopback("localhost")
    assert (
        not is_loopback("0.0.0.0")
        and not is_loopback("192.168.1.4")
        and not is_loopback("example.org")
    )


def test_cli_serve_defaults_match_the_api_settings() -> None:
    import inspect

    params = inspect.signature(serve).parameters
    assert params["host"].default.default == DEFAULT_HOST
    assert params["port"].default.default == DEFAULT_PORT


def test_refuses_to_listen_beyond_loopback_without_a_token() -> None:
    with pytest.raises(InvalidInputError, match="LANDBRIDGE_TOKEN"):
        create_app(ApiSettings(host="0.0.0.0"))
    create_app(ApiSettings(host="0.0.0.0", token=STRONG))  # allowed with a token


def test_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANDBRIDGE_TOKEN", "abc")
    assert ApiSettings.from_env(host="0.0.0.0").token == "abc"
    monkeypatch.setenv("LANDBRIDGE_TOKEN", "")
    assert ApiSettings.from_env().token is None


def test_work_endpoint_needs_the_token_when_one_is_set() -> None:
    client = TestClient(guarded_app(ApiSettings(host="0.0.0.0", token=STRONG)))
    body = {"text": "hi"}
    missing = client.post("/api/test-echo", json=body)
    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["detail"]
    assert missing.json()["error"] == "UnauthorizedError"
    assert (
        client.post(
            "/api/test-echo", json=body, headers={"Authorization": "Bearer wrong"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/test-echo", json=body, headers={"Authorization": f"Bearer {STRONG}"}
        ).json()
        == body
    )
    assert (
        client.post("/api/test-echo", json=body, headers={"X-Landbridge-Token": STRONG}).status_code
        == 200
    )
    # with a token every endpoint but the page and its files needs it
    assert client.get("/api/info").status_code == 401
    auth = {"Authorization": f"Bearer {STRONG}"}
    assert client.get("/api/info", headers=auth).json()["token_required"] is True
    assert client.get("/static/style.css").status_code == 200


def test_api_docs_pages_load_without_the_token_and_read_the_document_with_it() -> None:
    from landbridge.api.web import STATIC_DIR

    client = TestClient(create_app(ApiSettings(token=STRONG)))
    for page in ("/docs", "/redoc"):
        assert client.get(page).status_code == 200  # a file with no data in it
    assert client.get("/openapi.json").status_code == 401
    document = client.get("/openapi.json", headers={"Authorization": f"Bearer {STRONG}"})
    assert document.status_code == 200 and document.json()["info"]["title"] == "landbridge"
    # both pages read the document through the helper that asks for and sends the token
    for script in ("docs.js", "redoc.js"):
        assert "fetchSpec" in (STATIC_DIR / "js" / script).read_text()
    helper = (STATIC_DIR / "js" / "docs-auth.js").read_text()
    assert '"Authorization"' in helper and "/openapi.json" in helper


def test_loopback_without_token_lets_local_clients_run_work() -> None:
    client = TestClient(guarded_app(ApiSettings()))
    assert client.post("/api/test-echo", json={"text": "x"}).status_code == 200


def test_body_over_the_limit_is_refused_with_413() -> None:
    client = TestClient(guarded_app(ApiSettings(max_body_bytes=100)))
    assert client.post("/api/test-echo", json={"text": "x" * 50}).status_code == 200
    response = client.post("/api/test-echo", json={"text": "x" * 200})
    assert response.status_code == 413
    assert "100 bytes" in response.json()["detail"]


def test_streamed_body_without_length_is_counted() -> None:
    app = FastAPI()

    @app.post("/echo")
    def echo(body: Echo) -> Echo:
        return body

    client = TestClient(SizeLimitMiddleware(app, max_body_bytes=64, max_query_bytes=64))

    def chunks():
        yield b'{"text": "'
        for _ in range(20):
            yield b"xxxxxxxxxx"
        yield b'"}'

    response = client.post("/echo", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_long_query_string_is_refused_with_414() -> None:
    client = TestClient(create_app(ApiSettings(max_query_bytes=32)))
    assert client.get("/api/info", params={"q": "a" * 10}).status_code == 200
    assert client.get("/api/info", params={"q": "a" * 64}).status_code == 414


@pytest.mark.parametrize(
    "path",
    [
        "/static/../api/app.py",
        "/static/%2e%2e/%2e%2e/paths.py",
        "/static/..%2f..%2fpaths.py",
        "/static/../../../../etc/passwd",
        "/static//etc/passwd",
    ],
)
def test_static_files_cannot_escape_their_folder(path: str) -> None:
    client = TestClient(create_app(ApiSettings()))
    response = client.get(path)
    assert response.status_code == 404
    assert "PACKAGE_DIR" not in response.text and "root:" not in response.text


def test_page_and_its_assets_are_served() -> None:
    client = TestClient(create_app(ApiSettings()))
    page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert '<div id="map"' in page.text
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/js/main.js").status_code == 200


def test_page_fetches_nothing_from_the_internet() -> None:
    """Offline: every URL in the page and its scripts is same-origin (no CDN, no tiles)."""
    import re

    from landbridge.api.web import STATIC_DIR, WEB_DIR

    texts = [(WEB_DIR / "index.html").read_text()] + [
        p.read_text() for p in (STATIC_DIR / "js").glob("*.js")
    ]
    texts.append((STATIC_DIR / "style.css").read_text())
    external = [
        m
        for t in texts
        for m in re.findall(r"https?://[^\s\"'`)]+", t)
        if "www.w3.org/2000/svg" not in m
    ]
    assert external == []


def test_serve_refuses_a_public_address_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from landbridge.cli import app

    monkeypatch.delenv("LANDBRIDGE_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == InvalidInputError.exit_code
    assert "Refusing to listen on 0.0.0.0 without a token" in result.output
