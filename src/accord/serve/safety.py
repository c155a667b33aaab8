"""Request safety of the workbench: CSRF tokens, a body size limit and safe links.

State-changing requests are POSTs carrying the page's token in ``X-CSRF-Token`` (and, when
the browser sends one, an ``Origin`` of this server); bodies above the limit are refused
with a clear message before they are read; links from articles or scenario files keep
only ``http``/``https`` addresses.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

MAX_BODY = 64 * 1024
"""Largest request body accepted, in bytes (an edit is under 200)."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LINK_SCHEMES = frozenset({"http", "https"})

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_token() -> str:
    """A fresh CSRF token for one server process."""
    return secrets.token_urlsafe(32)


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) address, else None (so ``javascript:`` and ``data:`` never become links)."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    return text if scheme in LINK_SCHEMES else None


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: CSRF and origin checks on state changes, and the body size limit on every request."""

    def __init__(self, app: ASGIApp, token: str, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        problem = self._check(scope["method"], headers)
        if problem is not None:
            await _refuse(send, *problem)
            return
        await self.app(scope, self._limited(receive), send)

    def _check(self, method: str, headers: dict[str, str]) -> tuple[int, str] | None:
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return 413, f"request body too large: {length} bytes; the limit is {self.max_body} bytes"
        if method in SAFE_METHODS:
            return None
        if method != "POST":
            return 405, f"method {method} not allowed; state changes are POST requests"
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != headers.get("host"):
            return 403, "refused: the request comes from another site"
        if not secrets.compare_digest(headers.get("x-csrf-token", ""), self.token):
            return 403, "refused: missing or wrong CSRF token; reload the page"
        return None

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise BodyTooLarge(self.max_body)
            return message

        return counted


class BodyTooLarge(Exception):
    """A body sent without a length grew past the limit while being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body too large; the limit is {limit} bytes")
