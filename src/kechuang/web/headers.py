"""Security headers on every response the app sends (pages, API, static files, errors it handles, 304s
and cached pages alike):

- ``Content-Security-Policy``: scripts, styles, images, fonts and connections only from the app itself;
  no inline script (the pages' scripts are static files and their data ``application/json`` blocks), no
  plugins (``object-src 'none'``), forms post only to the app, and no framing (``frame-ancestors 'none'``,
  with ``X-Frame-Options: DENY`` for older browsers). Inline *styles* stay allowed: ECharts and htmx set
  them, and they cannot run code.
- ``X-Content-Type-Options: nosniff``: a browser never runs an upload or a CSV as script or HTML.
- ``Referrer-Policy: same-origin``: links to other sites do not carry the page's address and query.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "same-origin",
           "x-frame-options": "DENY"}
_RAW = [(k.encode(), v.encode()) for k, v in HEADERS.items()]


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` to every response (replacing any the app set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if bytes(k).lower().decode() not in HEADERS]
                message = {**message, "headers": kept + _RAW}
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI) -> None:
    """Add the headers as the outermost middleware (call after every other ``add_middleware``)."""
    app.add_middleware(SecurityHeaders)
