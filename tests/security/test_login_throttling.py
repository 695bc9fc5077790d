"""Login throttling protects the user (issue 13, finding 3): an increasing per-account delay instead of a
lock-out, the owner still logs in after 40 wrong guesses from one address, atomic counting under parallel
guesses, ``X-Forwarded-For`` trusted only from configured proxies; old login attempts are purged."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from kechuang.accounts import service as accounts
from kechuang.accounts.models import LoginAttempt
from kechuang.cli import app as cli
from kechuang.core.settings import Settings
from kechuang.demo.seed import DEMO_PASSWORD
from kechuang.store.db import transaction
from tests.monitoring.web import csrf_of
from tests.support.server import serve_in_thread

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
DEFAULTS = Settings()  # the documented defaults: 5 free, 1 s doubling to 60 s, 30 per address
OWNER = "demo-kw-reporter"


def _try(factory: sessionmaker[Session], password: str, ip: str, at: dt.datetime,
         settings: Settings = DEFAULTS) -> str:
    """One login as the routes do it (the attempt committed); returns ok, failed or throttled."""
    with factory() as s:
        try:
            accounts.authenticate(s, OWNER, password, ip=ip, settings=settings, now=at)
        except accounts.LoginFailed:
            s.commit()
            return "failed"
        except accounts.LoginThrottled:
            s.rollback()
            return "throttled"
        s.commit()
        return "ok"


def test_the_owner_logs_in_from_another_address_after_40_wrong_guesses(seeded: sessionmaker[Session]) -> None:
    guesses = [T0 + dt.timedelta(seconds=0.1 * n) for n in range(40)]  # 40 guesses in 3.9 s
    outcomes = [_try(seeded, f"guess-{n}", "203.0.113.66", at) for n, at in enumerate(guesses)]
    # checked: 5 free, then 1 s and 2 s after the last failure; everything else refused unchecked
    assert outcomes.count("failed") == 7 and outcomes.count("throttled") == 33
    with seeded() as s:
        failed = list(s.scalars(select(LoginAttempt.at).where(LoginAttempt.succeeded.is_(False))
                                .order_by(LoginAttempt.at)))
    assert len(failed) == 7, "a refused attempt is not recorded: it neither counts nor prolongs the wait"
    last = accounts._aware(failed[-1])
    assert last == T0 + dt.timedelta(seconds=3.4)
    # control: the delay is real — right password, new address, too soon
    assert _try(seeded, DEMO_PASSWORD, "198.51.100.20", last + dt.timedelta(seconds=1)) == "throttled"
    # the owner, from another address, within the documented delay (at most KECHUANG_LOGIN_MAX_DELAY_SECONDS)
    assert accounts.login_delay(7, DEFAULTS) == dt.timedelta(seconds=4) <= dt.timedelta(
        seconds=DEFAULTS.login_max_delay_seconds)
    assert _try(seeded, DEMO_PASSWORD, "198.51.100.20", last + dt.timedelta(seconds=4)) == "ok"
    # the guesses go on from the same address: a new address is delayed again, the owner's known one is not
    for n in range(10):
        _try(seeded, f"again-{n}", "203.0.113.66", last + dt.timedelta(seconds=10 + 4 * n))
    assert _try(seeded, DEMO_PASSWORD, "198.51.100.21", last + dt.timedelta(seconds=60)) == "throttled"
    assert _try(seeded, DEMO_PASSWORD, "198.51.100.20", last + dt.timedelta(seconds=60)) == "ok"


def test_the_delay_never_exceeds_the_documented_maximum(seeded: sessionmaker[Session]) -> None:
    spread = Settings(login_max_failures_per_ip=1000)
    at = T0
    for n in range(30):  # 30 checked failures, each waiting out its delay (capped at 60 s)
        at += accounts.login_delay(n, spread)
        assert _try(seeded, f"guess-{n}", f"203.0.113.{n}", at, spread) == "failed"
    assert accounts.login_delay(30, spread) == dt.timedelta(seconds=60)
    assert _try(seeded, DEMO_PASSWORD, "198.51.100.7", at + dt.timedelta(seconds=59)) == "throttled"
    assert _try(seeded, DEMO_PASSWORD, "198.51.100.7", at + dt.timedelta(seconds=60)) == "ok"


def test_parallel_guesses_are_counted_atomically(seeded: sessionmaker[Session]) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(40)

    def guess(n: int) -> None:
        start.wait()
        outcomes.append(_try(seeded, f"guess-{n}", f"203.0.113.{n}", T0))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("failed") == DEFAULTS.login_max_failures == 5, "exactly the free checks, not more"
    assert outcomes.count("throttled") == 35
    with seeded() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 5


def _login_ips(app: FastAPI, url: str, forwarded_for: str, **options: object) -> list[str]:
    with serve_in_thread(app, **options) as base, httpx.Client(base_url=base) as client:
        token = csrf_of(client.get("/login").text)
        refused = client.post("/login", data={"username": OWNER, "password": "wrong-guess", "csrf_token": token},
                              headers={"X-Forwarded-For": forwarded_for})
        assert refused.status_code == 401
    from kechuang.store.db import make_engine, session_factory

    engine = make_engine(url)
    with session_factory(engine)() as s:
        ips = list(s.scalars(select(LoginAttempt.ip).order_by(LoginAttempt.id)))
    engine.dispose()
    return ips


def test_a_spoofed_forwarded_for_from_loopback_is_ignored_by_default(web_app: FastAPI) -> None:
    url = web_app.state.sessions.kw["bind"].url.render_as_string(hide_password=False)
    ips = _login_ips(web_app, url, "198.51.100.99", **Settings().server_options())
    assert ips == ["127.0.0.1"], "the connection's address, not the header's"
    # control: a configured proxy's header names the client
    trusted = Settings(trusted_proxies="127.0.0.1").server_options()
    assert _login_ips(web_app, url, "198.51.100.99", **trusted) == ["127.0.0.1", "198.51.100.99"]


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="KECHUANG_TRUSTED_PROXIES: 'proxy.example' is not an IP address"):
        Settings(trusted_proxies="10.0.0.5, proxy.example")
    assert Settings(trusted_proxies="10.0.0.5, 10.1.0.0/16").proxies() == ["10.0.0.5", "10.1.0.0/16"]


def test_old_login_attempts_are_purged(seeded: sessionmaker[Session], seeded_url: str, tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    with transaction(seeded) as s:
        for days in (200, 91, 89, 1):
            s.add(LoginAttempt(username=OWNER, ip="192.0.2.1", at=now - dt.timedelta(days=days), succeeded=True))
    with transaction(seeded) as s:
        assert accounts.purge_login_attempts(s, DEFAULTS, now) == 2, "older than the 90 days kept"
    with seeded() as s:
        kept = [accounts._aware(at) for at in s.scalars(select(LoginAttempt.at).order_by(LoginAttempt.at))]
    assert kept == [now - dt.timedelta(days=89), now - dt.timedelta(days=1)]
    out = CliRunner().invoke(cli, ["account", "purge-logins", "--days", "30", "--db", seeded_url])
    assert out.exit_code == 0 and "1 login attempts older than 30 days deleted" in out.output, out.output
    refused = CliRunner().invoke(cli, ["account", "purge-logins", "--days", "0", "--db", seeded_url])
    assert refused.exit_code == 2 and "keep at least 1 day" in refused.output
    with seeded() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 1


def test_over_http_the_owner_waits_the_delay_then_logs_in(web_app: FastAPI) -> None:
    import time

    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        token = csrf_of(c.get("/login").text)
        for n in range(DEFAULTS.login_max_failures):
            assert c.post("/login", data={"username": OWNER, "password": f"guess-{n}", "csrf_token": token},
                          follow_redirects=False).status_code == 401
        wait = c.post("/login", data={"username": OWNER, "password": DEMO_PASSWORD, "csrf_token": token},
                      follow_redirects=False)
        assert wait.status_code == 429 and wait.headers["Retry-After"] == "1"
        assert "登录失败次数过多" in wait.text and 'id="login-retry-at"' in wait.text and "(UTC+8)" in wait.text
        time.sleep(1.05)
        ok = c.post("/login", data={"username": OWNER, "password": DEMO_PASSWORD, "csrf_token": token},
                    follow_redirects=False)
        assert ok.status_code == 303, "after the documented delay the owner is in"
