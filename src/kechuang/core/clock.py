"""One clock and one date/time format for the whole application.

Every "today" (overdue 督办, the dashboard's as-of date, open consultations, report dates) and every time
shown on a page is taken in the plan's time zone, the setting ``KECHUANG_TIMEZONE`` (default
``Asia/Shanghai``, see :mod:`kechuang.core.settings`). Moments are stored in UTC (SQLite hands them back naive:
they are UTC); they are shown in that zone with the zone said, e.g. ``2026-12-03 16:06 (UTC+8)``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kechuang.core.settings import get_settings


def zone() -> ZoneInfo:
    """The plan's time zone (``KECHUANG_TIMEZONE``)."""
    return ZoneInfo(get_settings().timezone)


def now() -> dt.datetime:
    """The current moment in the plan's time zone."""
    return dt.datetime.now(zone())


def today(at: dt.datetime | None = None) -> dt.date:
    """The date in the plan's time zone now (or at the moment ``at``): what decides "overdue"."""
    return local(at).date() if at is not None else now().date()


def local(moment: dt.datetime | str) -> dt.datetime:
    """A stored moment (aware, naive UTC, or an ISO 8601 string) in the plan's time zone."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone())


def zone_label(moment: dt.datetime | str) -> str:
    """The UTC offset of the plan's zone at ``moment``: "UTC+8", "UTC−3:30", "UTC"."""
    offset = local(moment).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def date_text(moment: dt.datetime | str) -> str:
    """The local date of a moment: "2026-12-03"."""
    return local(moment).date().isoformat()


def time_text(moment: dt.datetime | str, seconds: bool = False) -> str:
    """A moment as local date and time with its zone: "2026-12-03 16:06 (UTC+8)" (``seconds``: "16:06:18")."""
    shown = local(moment)
    return f"{shown.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} ({zone_label(shown)})"


def clock_text(moment: dt.datetime | str) -> str:
    """The local time of day with its zone: "16:06 (UTC+8)"."""
    shown = local(moment)
    return f"{shown.strftime('%H:%M')} ({zone_label(shown)})"


def iso(moment: dt.datetime | str) -> str:
    """A moment in ISO 8601 with the local offset, for ``<time datetime="…">``: "2026-12-03T16:06:18+08:00"."""
    return local(moment).isoformat(timespec="seconds")
