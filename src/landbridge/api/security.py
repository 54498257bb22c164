"""Request guards: body and query size limits (ASGI middleware) and the access token dependency."""

from __future__ import annotations

import hmac
import json

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landbridge.api.errors import UnauthorizedError
from landbridge.api.settings import TOKEN_ENV


async def _send_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message, "error": "RequestTooLarge"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
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


def _supplied_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.headers.get("x-landbridge-token", "")


def require_token(request: Request) -> None:
    """Dependency for endpoints that run work or change stored runs.

    Without a configured token (loopback only, see ``ApiSettings.check_exposure``) everyone local
    may call them; with one, the request must carry it. The compare takes constant time.
    """
    expected = request.app.state.settings.token
    if not expected:
        return
    supplied = _supplied_token(request)
    if not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise UnauthorizedError(
            f"This endpoint needs the server token: send 'Authorization: Bearer <token>' "
            f"(the value of {TOKEN_ENV} where the server runs)."
        )
