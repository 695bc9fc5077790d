"""The public page cache: anonymous pages are served from it until the data under them change; private
requests and pages with forms never are."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from kechuang.bootstrap import load_bundled
from kechuang.plan import service as plans
from kechuang.store.db import make_engine, session_factory, transaction, upgrade
from kechuang.web.app import create_app
from kechuang.web.cache import PublicPageCache, cacheable


def _cache(app) -> PublicPageCache:  # type: ignore[no-untyped-def]
    stack = app.middleware_stack or app.build_middleware_stack()
    app.middleware_stack = stack
    node = stack
    while not isinstance(node, PublicPageCache):
        node = node.app
    return node


def test_whitelist() -> None:
    assert cacheable("/") and cacheable("/tasks/T1") and cacheable("/monitoring/indicators/X")
    assert not cacheable("/opinions/task/T1") and not cacheable("/login") and not cacheable("/admin")
    assert not cacheable("/monitoring/indicators/X/history.csv") and not cacheable("/api/v1/plan")


def test_served_from_cache_until_the_plan_changes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with transaction(sessions) as s:
        load_bundled(s, by="test")
    app = create_app(url)
    with TestClient(app) as client:
        cache = _cache(app)
        first = client.get("/tasks/T1").text
        assert client.get("/tasks/T1").text == first
        assert (cache.misses, cache.hits) == (1, 1)
        with transaction(sessions) as s:
            plans.adjust_plan(s, [plans.Change("T1", "title.zh", "持续深化区校融合发展（调整）")], by="t", reason="r")
        changed = client.get("/tasks/T1").text
        assert "持续深化区校融合发展（调整）" in changed and cache.misses == 2
        client.cookies.set("kc_csrf", "token")
        client.get("/tasks/T1")
        assert (cache.misses, cache.hits) == (2, 1), "private requests bypass the cache"
        client.cookies.clear()
        en = client.get("/tasks/T1?lang=en")
        assert "set-cookie" in en.headers and cache.misses == 3
        assert "Task 1." in client.get("/tasks/T1").text, "the language cookie is part of the key"
    engine.dispose()
