"""Request guards (ASGI middleware): body and query size limits, and ``RequestGuard``: the Host
header (DNS rebinding), the access token, cross-site state changes (CSRF) and the security
headers of every response."""

from __future__ import annotations

import hmac
import json
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landbridge.api.errors import UnauthorizedError
from landbridge.api.settings import TOKEN_ENV, ApiSettings, is_loopback

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
"""Bodies a state-changing request may carry. None of them is a type a cross-site HTML form or
a "simple" cross-origin fetch may send (those are form encodings and text/plain), so a browser
must ask first (CORS preflight), and this server never says yes."""
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_SITE_FETCH = ("same-origin", "none")
"""``Sec-Fetch-Site`` values of the page itself or a user typing the URL."""
STATIC_PATHS = ("/", "/favicon.ico", "/docs", "/redoc")
"""Pages served as files (the planner, Swagger UI, ReDoc): they hold no data; what they read
from the API (``/openapi.json`` included) needs the token like any other request."""
STATIC_PREFIX = "/static/"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)  # MapLibre draws in a blob: worker and reads images from data:/blob: URLs
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
_OWN_HEADER_NAMES = {name for name, _ in SECURITY_HEADERS} | {b"server"}


async def _send_error(
    send: Send, status: int, message: str, error: str = "RequestTooLarge"
) -> None:
    body = json.dumps({"detail": message, "error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(HTTPException):
    """Raised while the body streams in; FastAPI passes HTTPExceptions through its body parser."""


class SizeLimitMiddleware:
    """Refuse bodies over ``max_body_bytes`` (413) and query strings over ``max_query_bytes`` (414).

    The body is counted as it streams in, so a missing or false ``Content-Length`` does not help.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_query_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_bytes = max_query_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query_bytes:
            await _send_error(send, 414, f"Query string longer than {self.max_query_bytes} bytes.")
            return
        too_large = f"Request body larger than {self.max_body_bytes} bytes."
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                await _send_error(send, 413, too_large)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge(413, too_large)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _send_error(send, 413, too_large)


def _supplied_token(headers: Headers) -> str:
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return headers.get("x-landbridge-token", "")


def token_matches(headers: Headers, expected: str) -> bool:
    """Whether the request carries ``expected`` (compared in constant time)."""
    return hmac.compare_digest(_supplied_token(headers).encode(), expected.encode())


UNAUTHORIZED = (
    f"This server needs its token: send 'Authorization: Bearer <token>' (the value of "
    f"{TOKEN_ENV} where the server runs)."
)


def require_token(request: Request) -> None:
    """Dependency kept for endpoints mounted outside ``RequestGuard`` (tests, embedding): with a
    configured token the request must carry it."""
    expected = request.app.state.settings.token
    if expected and not token_matches(request.headers, expected):
        raise UnauthorizedError(UNAUTHORIZED)


def _host_name(value: str) -> str:
    """The name part of a ``Host`` value or an origin's netloc (``[::1]:8765`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class RequestGuard:
    """Every request: a ``Host`` naming this server (a rebound DNS name is refused), the token
    when one is set (all but the page and its static files), and for state-changing methods no
    cross-site origin and only JSON/YAML bodies. Every response: the security headers, no
    ``server`` header."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.settings = settings
        names = {settings.host.lower(), *(h.lower() for h in settings.allowed_hosts)}
        if is_loopback(settings.host):
            names |= {"localhost", "127.0.0.1", "::1"}
        self.names = names

    def _host_allowed(self, name: str, scope: Scope) -> bool:
        """The listening name, a configured name, or the very address the connection came in
        on (an IP literal: a rebound DNS name can never equal it)."""
        server = scope.get("server")
        return name in self.names or (server is not None and name == str(server[0]).lower())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope, Headers(scope=scope))
        if refusal is not None:
            await _send_error(send, *refusal)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0] not in _OWN_HEADER_NAMES]
                message = {**message, "headers": [*kept, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str, str] | None:
        host = _host_name(headers.get("host", ""))
        if not self._host_allowed(host, scope):
            return (
                421 if host else 400,
                f"Host '{host[:100]}' is not this server's name; open the planner at the address "
                "'landbridge serve' printed (other names are refused against DNS rebinding; "
                "add a name with LANDBRIDGE_ALLOWED_HOSTS).",
                "HostNotAllowed",
            )
        path = scope.get("path", "")
        static = path in STATIC_PATHS or path.startswith(STATIC_PREFIX)
        token = self.settings.token
        if token and not static and not token_matches(headers, token):
            return 401, UNAUTHORIZED, "UnauthorizedError"
        if scope.get("method", "GET") not in STATE_CHANGING:
            return None
        return self._cross_site(headers) or self._body_type(headers)

    def _cross_site(self, headers: Headers) -> tuple[int, str, str] | None:
        site = headers.get("sec-fetch-site")
        origin = headers.get("origin")
        foreign = site is not None and site not in SAME_SITE_FETCH
        if origin is not None:
            netloc = urlsplit(origin).netloc if origin != "null" else ""
            foreign = foreign or _host_name(netloc) != _host_name(headers.get("host", ""))
        if foreign:
            return (
                403,
                "Cross-site requests may not change anything on this server (the request came "
                f"from origin '{(origin or site or '')[:100]}').",
                "CrossSiteRequest",
            )
        return None

    @staticmethod
    def _body_type(headers: Headers) -> tuple[int, str, str] | None:
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media in JSON_TYPES or media in YAML_TYPES:
            return None
        empty = headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers
        if not media and empty:
            return None
        return (
            415,
            f"Content-Type '{media[:100] or 'none'}' is not accepted here: send JSON "
            "(application/json) or, for scenarios, YAML (application/yaml).",
            "UnsupportedMediaType",
        )
