"""The app serves only a database whose schema is at this version's newest migration.

Migrations are an explicit step (``kechuang db upgrade``, run by ``kechuang init`` and by a deployment before
the workers start), so the app never races other workers to migrate. On a database that is behind (or empty, or
newer than this version) every request is answered ``503 Service Unavailable`` with a page (or, under
``/api/``, a problem+json body) saying what to run, instead of failing later on a missing column. The state is
read once at start; while the database is not ready it is read again on each request (one query), so the app
serves as soon as the upgrade has run, without a restart.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from sqlalchemy import Engine

from kechuang.store.db import SchemaState, schema_state

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>数据库需要升级 · Database upgrade needed</title></head>
<body><main>
<h1>数据库需要升级</h1>
<p>本系统的数据库结构与当前版本不一致，暂时无法提供服务。请管理员运行 <code>kechuang db upgrade</code>
（或 <code>kechuang init</code>），完成后刷新本页即可。</p>
<h2 lang="en">Database upgrade needed</h2>
<p lang="en" id="schema-problem">{problem}.</p>
</main></body></html>
"""


class SchemaGate:
    """ASGI middleware answering 503 while the database's schema is not at head (see the module docstring)."""

    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        self.engine = engine
        self.state: SchemaState = schema_state(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.state.up_to_date:
            await self.app(scope, receive, send)
            return
        self.state = await anyio.to_thread.run_sync(schema_state, self.engine)
        problem = self.state.problem()
        if problem is None:
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            body = json.dumps({"type": "about:blank", "title": "Service Unavailable", "status": 503,
                               "detail": problem}).encode()
            content_type = b"application/problem+json"
        else:
            body = PAGE.format(problem=html.escape(problem)).encode()
            content_type = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", content_type), (b"retry-after", b"30"),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
