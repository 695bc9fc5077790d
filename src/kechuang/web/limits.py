"""Request body limits, enforced while the body is read — before anything parses it (form, JSON, CSRF check).

Every request falls in one class, by its content type and route: **upload** (``multipart/form-data`` to a
route that takes files), **form** (``application/x-www-form-urlencoded``, or multipart to any other
route) and **json** (every other body: the JSON API). The limits are settings
(``KECHUANG_MAX_UPLOAD_BYTES``, ``KECHUANG_MAX_FORM_BYTES``, ``KECHUANG_MAX_JSON_BYTES``; see
``kechuang.core.settings``). A request whose declared ``Content-Length`` is above its class's limit is refused at
the first read without reading anything; otherwise the bytes are counted as they arrive and reading stops
with 413 as soon as the limit is passed (chunked bodies included). Uploaded files are spooled by Starlette
to a temporary file (in memory up to 1 MB only), so an upload within its limit is not held in memory whole.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request, params
from fastapi.responses import Response
from fastapi.routing import APIRoute, iter_route_contexts

from kechuang.core.settings import Settings, get_settings
from kechuang.web.security import error_page, is_api, problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(HTTPException):
    """A request body above the limit of its class (413)."""

    def __init__(self, kind: str, limit: int) -> None:
        self.kind = kind
        self.limit = limit
        super().__init__(413, f"the request body is larger than the {kind} limit of {limit} bytes")

    @property
    def message(self) -> str:
        mb = f"{self.limit / 1024 / 1024:g} MB"
        return f"请求内容超过 {mb} 的上限。 The request body is larger than the limit of {mb}."


def upload_routes(app: Any) -> list[re.Pattern[str]]:
    """The path patterns of the routes that take files (an ``UploadFile`` parameter)."""
    return [route.path_regex for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute)
            and any(isinstance(f.field_info, params.File) for f in route.dependant.body_params)]


class BodyLimit:
    """ASGI middleware implementing the limits of the module docstring (the settings are the app's
    ``state.request_limits``, so a test or a deployment can change them on the app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._uploads: list[re.Pattern[str]] | None = None

    def limit(self, scope: Scope) -> tuple[str, int]:
        """The class of a request and its limit in bytes."""
        settings: Settings = scope["app"].state.request_limits
        ctype = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
        if ctype == b"multipart/form-data":
            if self._uploads is None:
                self._uploads = upload_routes(scope["app"])
            if any(p.match(scope["path"]) for p in self._uploads):
                return "upload", settings.max_upload_bytes
            return "form", settings.max_form_bytes
        if ctype == b"application/x-www-form-urlencoded":
            return "form", settings.max_form_bytes
        return "json", settings.max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, limit = self.limit(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_long = declared.isdigit() and int(declared) > limit
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            if too_long:
                raise BodyTooLarge(kind, limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(kind, limit)
            return message

        await self.app(scope, limited, send)


def install(app: FastAPI, settings: Settings | None = None) -> None:
    """Add the limits (outermost, so they apply before any other middleware) and their 413 answer."""
    app.state.request_limits = settings or get_settings()
    app.add_middleware(BodyLimit)

    @app.exception_handler(BodyTooLarge)
    def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        if is_api(request):
            return problem(413, "Content Too Large", exc.message, limit=exc.limit, kind=exc.kind)
        return error_page(request, 413, "bad_request", exc.message)
