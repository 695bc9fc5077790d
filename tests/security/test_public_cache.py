"""The public page cache cannot be poisoned: a request the app logs in (even with ``Cookie: kc_session =<token>``,
a space before ``=``) never produces a cached personalised page; unknown query parameters neither bypass the
cache nor reach a cached page; ETag / If-None-Match follow the data fingerprint."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kechuang.plan import service as plans
from kechuang.store.db import transaction
from kechuang.web.cache import PublicPageCache
from tests.monitoring.web import login

PAGES = ["/", "/goals", "/glossary", "/projects"]


def cache_of(app: FastAPI) -> PublicPageCache:
    node = app.middleware_stack or app.build_middleware_stack()
    app.middleware_stack = node
    while not isinstance(node, PublicPageCache):
        node = node.app
    return node


@pytest.fixture
def session_token(web_app: FastAPI) -> tuple[str, str]:
    """A logged-in session of the demo admin: (session token, CSRF token)."""
    with TestClient(web_app) as client:
        csrf = login(client, "demo-admin")
        return client.cookies["kc_session"], csrf


@pytest.mark.parametrize("cookie", ["kc_session ={token}", "kc_session= {token}", " kc_session={token}",
                                    "lang=zh; kc_session ={token}", "kc_session={token}"])
def test_a_logged_in_request_never_fills_the_cache(web_app: FastAPI, session_token: tuple[str, str],
                                                  cookie: str) -> None:
    token, csrf = session_token
    with TestClient(web_app) as anonymous, TestClient(web_app) as victim:
        cache = cache_of(web_app)
        for page in PAGES:
            personal = victim.get(page, headers={"Cookie": cookie.format(token=token)})
            assert personal.status_code == 200
            assert 'id="whoami"' in personal.text and csrf in personal.text, "control: the app logged it in"
            for _ in range(2):
                shown = anonymous.get(page)
                assert shown.status_code == 200 and 'id="whoami"' not in shown.text and csrf not in shown.text
        assert cache.hits == len(PAGES), "the anonymous pages are cached (and only they)"
        for page in PAGES:
            again = victim.get(page, headers={"Cookie": cookie.format(token=token)})
            assert 'id="whoami"' in again.text, "a logged-in request is never answered from the cache"


def test_an_anonymous_page_with_a_csrf_cookie_is_not_stored(web_app: FastAPI) -> None:
    with TestClient(web_app) as client:
        cache = cache_of(web_app)
        client.get("/goals", headers={"Cookie": "kc_csrf =abc123token"})
        client.get("/goals", headers={"Cookie": "kc_csrf =abc123token"})
        assert (cache.hits, len(cache.entries)) == (0, 0)


def test_unknown_query_parameters_are_ignored(web_app: FastAPI) -> None:
    with TestClient(web_app) as client:
        cache = cache_of(web_app)
        first = client.get("/?utm=1")
        assert first.status_code == 200 and "utm" not in first.text
        for query in ("?x=2", "?a=b&c=d", "?lang=xx", "", "?utm=1&x=%3Cscript%3E"):
            r = client.get("/" + query)
            assert r.status_code == 200 and r.text == first.text
        assert (cache.misses, cache.hits) == (1, 5)
        client.get("/versions?a=1&b=1")
        client.get("/versions?b=1&zz=9&a=1")
        assert cache.hits == 6, "declared parameters are part of the key, in any order"
        client.get("/versions?a=1&b=2")
        assert cache.misses == 3, "a different value of a declared parameter is another page"


def test_etag_follows_the_data_fingerprint(web_app: FastAPI) -> None:
    with TestClient(web_app) as client:
        first = client.get("/")
        etag = first.headers["etag"]
        assert first.headers["vary"] == "Cookie"
        unchanged = client.get("/", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == etag
        assert client.get("/glossary", headers={"If-None-Match": etag}).status_code == 200, "another page"
        with transaction(web_app.state.sessions) as s:
            plans.adjust_plan(s, [plans.Change("T1", "title.zh", "持续深化区校融合发展（调整）")], by="t", reason="r")
        changed = client.get("/", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert "持续深化区校融合发展（调整）" in changed.text
        private = client.get("/", headers={"Cookie": "kc_session=x"})
        assert "etag" not in private.headers, "only pages the cache serves carry the ETag"
