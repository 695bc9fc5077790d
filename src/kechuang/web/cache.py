"""A cache of public pages for anonymous visitors, invalidated by any change of the data they show.

Public pages are read far more often than the data change. For an anonymous GET of a whitelisted public
page the rendered HTML is kept, keyed by (path, query, language cookie, today's date, data fingerprint).
The fingerprint is one cheap query over the tables whose changes pages show — the newest plan version,
observation, audit record (every approval, target change, moderation and supervision step writes one),
index run and comment — so a page is never served after the data under it changed.

Never cached: requests carrying a session or CSRF cookie (their pages hold personal tokens), responses
that set a cookie, anything but 200 ``text/html``, and pages outside the whitelist (forms, login, admin).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CACHEABLE_EXACT = frozenset({"/", "/basis", "/goals", "/index", "/places", "/map", "/projects", "/coverage",
                             "/glossary", "/versions", "/opendata"})
CACHEABLE_PREFIXES = ("/tasks/", "/measures/", "/monitoring/indicators/", "/opendata/")
PRIVATE_COOKIES = (b"kc_session", b"kc_csrf")
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


class PublicPageCache:
    """ASGI middleware implementing the cache described in the module docstring (LRU, ``max_entries``)."""

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session], max_entries: int = 512) -> None:
        self.app = app
        self.sessions = sessions
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[Any, ...], tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _fingerprint(self) -> tuple[Any, ...]:
        with self.sessions() as s:
            return data_fingerprint(s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not cacheable(scope["path"]):
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"cookie", b"")
        cookies = dict(part.strip().partition(b"=")[::2] for part in header.split(b";"))
        if any(name in cookies for name in PRIVATE_COOKIES):
            await self.app(scope, receive, send)
            return
        lang = cookies.get(b"lang", b"zh")
        key = (scope["path"], scope["query_string"], lang, dt.date.today(), await anyio.to_thread.run_sync(
            self._fingerprint))
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            self.hits += 1
            await send({"type": "http.response.start", "status": 200, "headers": hit[0]})
            await send({"type": "http.response.body", "body": hit[1]})
            return
        self.misses += 1
        start: Message = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        out_headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", [])]
        names = {k.lower() for k, _ in out_headers}
        content_type = dict((k.lower(), v) for k, v in out_headers).get(b"content-type", b"")
        if start.get("status") == 200 and b"set-cookie" not in names and content_type.startswith(b"text/html"):
            self.entries[key] = (out_headers, bytes(body))
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
