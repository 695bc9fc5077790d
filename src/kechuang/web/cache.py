"""A cache of public pages for anonymous visitors, invalidated by any change of the data they show.

Public pages are read far more often than the data change. For an anonymous GET of a whitelisted public
page the rendered HTML is kept, keyed by (path, the page's own query parameters, language, today's date,
data fingerprint). The fingerprint is one cheap query over the tables whose changes pages show — the
newest plan version, observation, audit record (every approval, target change, moderation and
supervision step writes one), index run and comment — so a page is never served after the data under it
changed. The key is also the page's ``ETag``; a request whose ``If-None-Match`` names it gets 304.

Safe by construction:

- A response is stored only when the app itself marked it public: ``security_context`` sets
  ``request.state.public`` when the request resolved to no session and carries no CSRF token, so the
  page holds nothing personal. The cache never parses the Cookie header by hand: it reads the cookies
  with the same parser the app uses (Starlette's ``Request.cookies``), and requests carrying a session
  or CSRF cookie are never answered from the cache.
- Query parameters the page does not declare (its route's query parameters, and ``lang``) are removed
  from the request before the app sees it, so random query strings neither bypass the cache nor appear
  in a cached page; ``lang`` is kept only when it names a language.
- Responses that set a cookie, anything but 200 ``text/html`` and pages outside the whitelist (forms,
  login, admin) are never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from kechuang.web.i18n import LANGS, request_lang

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CACHEABLE_EXACT = frozenset({"/", "/basis", "/goals", "/index", "/places", "/map", "/projects", "/coverage",
                             "/glossary", "/versions", "/opendata"})
CACHEABLE_PREFIXES = ("/tasks/", "/measures/", "/monitoring/indicators/", "/opendata/")
PRIVATE_COOKIES = ("kc_session", "kc_csrf")
FINGERPRINT_SQL = text(
    "SELECT (SELECT MAX(id) FROM plan_version), (SELECT MAX(id) FROM observation),"
    " (SELECT COUNT(*) FROM observation), (SELECT MAX(id) FROM audit_record), (SELECT MAX(id) FROM index_run),"
    " (SELECT MAX(id) FROM public_comment)"
)


def data_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever data shown on public pages change (see the module docstring)."""
    return tuple(session.execute(FINGERPRINT_SQL).one())


def cacheable(path: str) -> bool:
    """Whether ``path`` is a public page whose HTML may be shared between anonymous visitors."""
    return path in CACHEABLE_EXACT or (path.startswith(CACHEABLE_PREFIXES) and "." not in path.rsplit("/", 1)[-1])


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def page_parameters(app: Any) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(path pattern, query parameter names) of every GET page route, ``lang`` included."""
    out = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and "GET" in (route.methods or set()):
            names = frozenset(_query_names(route.dependant) | {"lang"})
            out.append((route.path_regex, names))
    return out


def normalised_query(query_string: bytes, names: frozenset[str]) -> bytes:
    """The query with only the parameters in ``names`` (sorted by name; ``lang`` only when it is a language)."""
    pairs = [(k, v) for k, v in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
             if k in names and (k != "lang" or v in LANGS)]
    return urlencode(sorted(pairs, key=lambda kv: kv[0])).encode("latin-1")


class PublicPageCache:
    """ASGI middleware implementing the cache described in the module docstring (LRU, ``max_entries``)."""

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session], max_entries: int = 512) -> None:
        self.app = app
        self.sessions = sessions
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[Any, ...], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self._parameters: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def _fingerprint(self) -> tuple[Any, ...]:
        with self.sessions() as s:
            return data_fingerprint(s)

    def _names(self, scope: Scope) -> frozenset[str]:
        if self._parameters is None:
            self._parameters = page_parameters(scope["app"])
        return next((names for pattern, names in self._parameters if pattern.match(scope["path"])),
                    frozenset({"lang"}))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not cacheable(scope["path"]):
            await self.app(scope, receive, send)
            return
        if any(name in Request(scope).cookies for name in PRIVATE_COOKIES):
            await self.app(scope, receive, send)
            return
        scope["query_string"] = normalised_query(scope["query_string"], self._names(scope))
        request = Request(scope)
        key = (scope["path"], scope["query_string"], request_lang(request), dt.date.today(),
               await anyio.to_thread.run_sync(self._fingerprint))
        etag = b'W/"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32].encode() + b'"'
        validators = [(b"etag", etag), (b"vary", b"Cookie"), (b"cache-control", b"no-cache")]
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").encode().split(b",")]:
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            self.hits += 1
            await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
            await send({"type": "http.response.body", "body": hit[1]})
            return
        self.misses += 1
        state = scope.setdefault("state", {})
        start: Message = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
                names = {k.lower() for k, _ in headers}
                content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if (message.get("status") == 200 and state.get("public") is True and b"set-cookie" not in names
                        and content_type.startswith(b"text/html")):
                    message = {**message, "headers": headers + validators}
                    start.update(message)
            elif message["type"] == "http.response.body" and start:
                body.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if start:
            self.entries[key] = (list(start["headers"]), bytes(body))
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
