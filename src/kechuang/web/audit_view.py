"""The audit trail for people: stored codes and values in words of the page's language, filters by who, what,
when and department, and the same rows as CSV or XLSX (through :mod:`kechuang.core.spreadsheet`).

A value is written as stored, but readable: none → empty, true/false → 是/否 (yes/no), a mapping →
"key：value；…" with the keys in words (``audit_key_*``), a list → "a、b"; a field ``CODE.part`` (a submitted
value's ``IND_HNTE.final``) → "IND_HNTE · 定稿".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy.orm import Session

from kechuang.accounts import service as accounts
from kechuang.accounts.models import Department
from kechuang.assessment.reminders import DEADLINE_KIND_ZH, deadline_kind_label
from kechuang.audit.models import AuditRecord
from kechuang.audit.service import trail
from kechuang.core import clock
from kechuang.core.access import PLAN_OFFICE, Principal
from kechuang.core.spreadsheet import cell_text, csv_bytes, xlsx_bytes
from kechuang.notifications.ladder import STEP_LABELS, step_label
from kechuang.submissions.service import STATE_LABELS, state_label
from kechuang.web.i18n import STRINGS, label, request_lang, t

LIMIT = 500
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
COLUMNS = ("time", "by", "role", "audit_action", "what", "field", "department", "old_value", "new_value", "reason")


class AuditFilterError(ValueError):
    """A filter of the audit page that cannot be read (named, with why)."""


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""
    entity: str = ""
    action: str = ""
    department_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, who: str = "", entity: str = "", action: str = "", department: str = "", since: str = "",
              until: str = "") -> AuditFilter:
        def day(name: str, text: str) -> dt.date | None:
            if not text.strip():
                return None
            try:
                return dt.date.fromisoformat(text.strip())
            except ValueError:
                raise AuditFilterError(f"{name}: {text!r} is not a date of the form YYYY-MM-DD") from None

        dept = department.strip()
        if dept and not dept.isdigit():
            raise AuditFilterError(f"department: {dept!r} is not a department id")
        found = cls(who.strip(), entity.strip(), action.strip(), int(dept) if dept else None,
                    day("since", since), day("until", until))
        if found.since and found.until and found.since > found.until:
            raise AuditFilterError(f"since {found.since} is after until {found.until}")
        return found

    def records(self, session: Session, actor: Principal, limit: int = 500) -> list[AuditRecord]:
        """The records ``actor`` may see that pass the filter, newest first (days in the plan's zone)."""
        zone = clock.zone()
        after = None if self.since is None else dt.datetime.combine(self.since, dt.time(), zone)
        before = None if self.until is None else dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(),
                                                                     zone)
        return trail(session, actor, entity=self.entity or None, department_id=self.department_id,
                     actor_name=self.who or None, action=self.action or None, after=after, before=before,
                     limit=limit)


def describe(value: Any, lang: str) -> str:
    """A stored old or new value in words (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, dict):
        sep = "; " if lang == "en" else "；"
        colon = ": " if lang == "en" else "："
        return sep.join(f"{label('audit_key', str(k), lang)}{colon}{_keyed(str(k), v, lang)}"
                        for k, v in value.items())
    if isinstance(value, list):
        return (", " if lang == "en" else "、").join(describe(v, lang) for v in value)
    return cell_text(value)


def field_value(field: str, value: Any, lang: str) -> str:
    """A stored value of ``field`` in words: a submission's state in words (draft → 草稿), else :func:`describe`."""
    if field == "state" and isinstance(value, str) and value in STATE_LABELS:
        return state_label(value, lang)
    return describe(value, lang)


def reason_text(reason: str, lang: str) -> str:
    """A record's reason: the reasons the system writes (form, history import, demo setup) in words; a reason
    a person typed as typed."""
    return label("audit_reason", reason, lang) if reason else ""


def _keyed(key: str, value: Any, lang: str) -> str:
    if key in ("role", "stage") and isinstance(value, str):
        return label(key, value, lang)
    if key == "step" and value in STEP_LABELS:
        return step_label(value, lang)
    if key == "kind" and value in DEADLINE_KIND_ZH:
        return deadline_kind_label(value, lang)
    return describe(value, lang)


def field_text(field: str, lang: str) -> str:
    """A record's field in words: ``CODE.part`` → "CODE · part in words", ``milestone:title`` kept."""
    if not field:
        return ""
    head, dot, tail = field.partition(".")
    if dot:
        return f"{head} · {label('audit_key', tail, lang)}"
    return label("audit_key", field, lang)


def rows(records: list[AuditRecord], departments: dict[int, Department], lang: str) -> list[list[str]]:
    """The records as table rows of :data:`COLUMNS`, in words."""
    out = []
    for r in records:
        dept = departments.get(r.department_id) if r.department_id is not None else None
        out.append([clock.time_text(r.at, seconds=True), r.actor, label("role", r.role, lang) if r.role else "",
                    label("audit_action", r.action, lang), f"{label('audit_entity', r.entity, lang)} {r.entity_id}",
                    field_text(r.field, lang), dept.name(lang) if dept else "", field_value(r.field, r.old, lang),
                    field_value(r.field, r.new, lang), reason_text(r.reason, lang)])
    return out


def header(lang: str) -> list[str]:
    return [t(c, lang) for c in COLUMNS]


def export(records: list[AuditRecord], departments: dict[int, Department], lang: str, fmt: str) -> bytes:
    """The filtered trail as CSV or XLSX bytes (``fmt``: ``csv`` or ``xlsx``)."""
    table = rows(records, departments, lang)
    if fmt == "csv":
        return csv_bytes(header(lang), table)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "audit"
    ws.append(header(lang))
    for row in table:
        ws.append(row)
    ws.freeze_panes = "A2"
    return xlsx_bytes(wb)


def _codes(prefix: str) -> list[str]:
    return sorted(k[len(prefix):] for k in STRINGS if k.startswith(prefix))


def respond(request: Request, who: Principal, s: Session) -> Response:
    """The /audit page, or its rows as a file (``format=csv|xlsx``), for the filters in the query."""
    from kechuang.web.pages import render

    q = request.query_params
    lang = request_lang(request)
    fmt = q.get("format", "")
    departments = {d.id: d for d in accounts.departments(s)}
    context: dict[str, Any] = {
        "who": who, "q": q, "entities": _codes("audit_entity_"), "actions": _codes("audit_action_"),
        "departments": list(departments.values()) if who.role in PLAN_OFFICE else [], "limit": LIMIT,
        "columns": COLUMNS}
    try:
        if fmt not in ("", *MEDIA):
            raise AuditFilterError(f"format: {fmt!r} is not csv or xlsx")
        found = AuditFilter.parse(q.get("who", ""), q.get("entity", ""), q.get("action", ""),
                                  q.get("department", ""), q.get("since", ""), q.get("until", ""))
    except AuditFilterError as exc:
        return render(request, "monitoring/audit.html", status_code=400, error=str(exc), trail=[], rows=[],
                      **context)
    records = found.records(s, who, LIMIT if not fmt else 100_000)
    if fmt:
        name = f"audit-{clock.today().isoformat()}.{fmt}"
        return Response(export(records, departments, lang, fmt), media_type=MEDIA[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return render(request, "monitoring/audit.html", error="", trail=records,
                  rows=list(zip(records, rows(records, departments, lang), strict=True)), **context)
