"""One clock: every "today" and every shown time in the plan's time zone (KECHUANG_TIMEZONE, default
Asia/Shanghai), labelled with its zone, through one formatter (kechuang.core.clock) used by the pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from kechuang.core import clock
from kechuang.core.settings import Settings, get_settings
from kechuang.plan.models import PlanVersion
from kechuang.web.app import create_app
from tests.conftest import REPO

MOMENT = dt.datetime(2026, 12, 3, 8, 6, 18, tzinfo=dt.UTC)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set KECHUANG_TIMEZONE for one test: ``zone("Europe/Berlin")``."""
    def set_zone(name: str) -> None:
        monkeypatch.setenv("KECHUANG_TIMEZONE", name)
        get_settings.cache_clear()
    yield set_zone
    monkeypatch.delenv("KECHUANG_TIMEZONE", raising=False)
    get_settings.cache_clear()


def test_times_are_local_and_labelled(zone) -> None:  # type: ignore[no-untyped-def]
    zone("Asia/Shanghai")
    assert clock.time_text(MOMENT) == "2026-12-03 16:06 (UTC+8)"
    assert clock.time_text(MOMENT, seconds=True) == "2026-12-03 16:06:18 (UTC+8)"
    assert clock.time_text(MOMENT.replace(tzinfo=None)) == "2026-12-03 16:06 (UTC+8)"  # SQLite: naive is UTC
    assert clock.time_text("2026-12-03T08:06:18+00:00") == "2026-12-03 16:06 (UTC+8)"  # a stored ISO string
    assert clock.iso(MOMENT) == "2026-12-03T16:06:18+08:00"
    assert clock.clock_text(MOMENT) == "16:06 (UTC+8)"
    late = dt.datetime(2026, 12, 3, 17, 0, tzinfo=dt.UTC)
    assert clock.today(late) == dt.date(2026, 12, 4) and late.date() == dt.date(2026, 12, 3)  # control: UTC's date
    zone("Asia/Kolkata")
    assert clock.time_text(MOMENT) == "2026-12-03 13:36 (UTC+5:30)"
    zone("America/St_Johns")
    assert clock.zone_label(MOMENT) == "UTC−3:30"
    zone("UTC")
    assert clock.time_text(MOMENT) == "2026-12-03 08:06 (UTC)"


def test_an_unknown_zone_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ValidationError, match=r"KECHUANG_TIMEZONE: unknown time zone 'Asia/Shang'"):
        Settings(timezone="Asia/Shang")


def test_the_setting_is_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| `KECHUANG_TIMEZONE` | `Asia/Shanghai` |" in readme


def test_pages_show_times_in_the_plan_zone_with_the_zone(yangpu_db: str, demo_db: str,  # type: ignore[no-untyped-def]
                                                         zone) -> None:
    zone("Asia/Shanghai")
    with TestClient(create_app(yangpu_db)) as client:
        with client.app.state.sessions() as s:
            created = s.scalars(select(PlanVersion.created_at)).first()
        assert created is not None
        shown = clock.local(created).strftime("%Y-%m-%d %H:%M")
        page = client.get("/versions", params={"lang": "zh"}).text
        assert f">{shown} (UTC+8)</time>" in page
    with TestClient(create_app(demo_db)) as demo:  # the index page shows a stored run's time
        index = demo.get("/index", params={"lang": "zh"}).text
        assert re.search(r"<time datetime=\"[^\"]+\+08:00\">\d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)</time>", index)
    zone("Europe/London")  # control: another plan zone shows another clock
    with TestClient(create_app(yangpu_db)) as client:
        page = client.get("/versions", params={"lang": "zh"}).text
        london = clock.local(created).strftime("%Y-%m-%d %H:%M")
        assert f">{london} (UTC)</time>" in page and "(UTC+8)" not in page
