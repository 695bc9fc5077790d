"""Importing a history: many indicators over many years in one file, through the same checks and approvals as a
period's submission.

The file is COINr's iData layout (``uCode``, ``uName``, ``Time`` and one column per indicator; the codes are
plan indicator codes or a framework's iCodes, see ``column_codes``) as CSV or XLSX. Each year becomes the annual
reporting period of that year (opened without other departments' submissions when it does not exist: a history
period); the reporter's department gets its submission for it, the values are validated like a form save and
submitted. Problems of every cell are collected first and reported at once with the cell (``iData!D5``); nothing
is saved unless every cell passes. The department's reviewer and the plan office then approve the submissions in
bulk (:func:`bulk_transition`), and approved values become observations like any other.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang.audit.service import record
from kechuang.core.access import Principal, Role
from kechuang.core.numbers import NumberError, parse_number
from kechuang.indicators.models import Indicator
from kechuang.indicators.profiles import IndicatorProfile
from kechuang.submissions import service as submissions
from kechuang.submissions.models import ReportingPeriod, Submission, SubmissionValue
from kechuang.submissions.service import SubmissionError, ValidationFailed, ValueChange
from kechuang.submissions.validation import Problem

SHEET = "iData"
KEY_COLUMNS = ("uCode", "uName", "Time")


@dataclass(frozen=True)
class HistoryCell:
    code: str
    year: int
    value: float
    cell: str


def read_history(table: pd.DataFrame, codes: Mapping[str, str], unit: str | None = None,
                 units: Mapping[str, str] | None = None) -> list[HistoryCell]:
    """The cells of an iData table as (indicator code, year, value, cell). ``codes`` maps a column name to the
    plan indicator it holds; ``unit`` keeps only that uCode's rows (every row when None); ``units`` (indicator
    code → unit) is what values are read in, by the one parser of typed numbers (``kechuang.core.numbers``:
    "1,320", full-width digits, 13.2% where the unit is %). Refuses, naming the cell: a missing Time, a year that
    is not a whole number, a value that is not a finite number, a column that is no known indicator, two rows
    for one year."""
    problems: list[Problem] = []
    if "Time" not in table.columns:
        raise ValidationFailed([Problem("Time", "column", "缺少 Time 列（年份）。", "the column Time (year) is missing",
                                        SHEET, "1")])
    letter = {c: get_column_letter(pos + 1) for pos, c in enumerate(table.columns)}  # spreadsheet column of each
    columns = [c for c in table.columns if c not in KEY_COLUMNS]
    for c in columns:
        if c not in codes:
            problems.append(Problem(str(c), "column", f"列 {c} 不是本指标体系的指标。",
                                    f"column {c} is not an indicator of this framework", SHEET, f"{letter[c]}1"))
    rows = table if unit is None or "uCode" not in table.columns else table[table["uCode"].astype(str) == unit]
    seen: dict[int, str] = {}
    out: list[HistoryCell] = []
    for pos, (index, row) in enumerate(rows.iterrows()):
        line = int(index) + 2 if isinstance(index, int) else pos + 2
        raw_year = row["Time"]
        try:
            year = int(str(raw_year).strip())
        except ValueError:
            problems.append(Problem("Time", "year", f"“{raw_year}”不是年份。", f"{raw_year!r} is not a year", SHEET,
                                    f"{letter['Time']}{line}"))
            continue
        if year in seen:
            problems.append(Problem("Time", "year", f"{year} 年出现两次（另见 {seen[year]}）。",
                                    f"the year {year} appears twice (see also {seen[year]})", SHEET,
                                    f"{letter['Time']}{line}"))
            continue
        seen[year] = f"{letter['Time']}{line}"
        for c in columns:
            if c not in codes:
                continue
            raw = row[c]
            where = f"{letter[c]}{line}"
            if isinstance(raw, float) and math.isnan(raw):
                continue  # an empty cell (pandas reads it as NaN)
            try:
                value = parse_number(raw, (units or {}).get(codes[c], ""))
            except NumberError as exc:
                problems.append(Problem(codes[c], "value", exc.reason_zh, exc.reason_en, SHEET, where))
                continue
            if value is not None:
                out.append(HistoryCell(codes[c], year, value, where))
    if problems:
        raise ValidationFailed(problems)
    return out


def _history_period(session: Session, plan_id: int, year: int) -> ReportingPeriod:
    """The annual period of ``year``; opened as a history period (no other department's submission, due at the
    end of the following year) when there is none."""
    period = session.scalar(select(ReportingPeriod).where(ReportingPeriod.plan_id == plan_id,
                                                          ReportingPeriod.code == str(year)))
    if period is None:
        period = ReportingPeriod(plan_id=plan_id, code=str(year), year=year, label_zh=f"{year}年度（历史数据）",
                                 label_en=f"{year} (history)", due_on=dt.date(year + 1, 12, 31))
        session.add(period)
        session.flush()
    return period


def _submission(session: Session, actor: Principal, period: ReportingPeriod, indicators: list[Indicator]
                ) -> Submission:
    """The department's submission of ``period``, created or given rows for ``indicators`` it lacks."""
    dept = actor.department_id
    assert dept is not None
    sub = session.scalar(select(Submission).where(Submission.period_id == period.id,
                                                  Submission.department_id == dept))
    if sub is None:
        sub = Submission(period_id=period.id, department_id=dept, state="draft", values=[])
        session.add(sub)
        session.flush()
        record(session, actor, "create", "submission", sub.id, department_id=dept, field="state", new="draft",
               reason="history import")
    have = {v.indicator_id for v in sub.values}
    start = len(sub.values)
    for n, ind in enumerate(i for i in indicators if i.id not in have):
        sub.values.append(SubmissionValue(indicator_id=ind.id, position=start + n))
    session.flush()
    return sub


def import_history(session: Session, actor: Principal, plan_id: int, cells: list[HistoryCell], *,
                   note: str = "", final: bool = True) -> list[int]:
    """Save and submit ``cells`` as the reporter's department (see the module docstring); returns the ids of
    the submissions, by year. Every problem of every cell is raised at once (ValidationFailed); nothing is
    written then (the caller's transaction rolls back)."""
    actor.require_role(Role.REPORTER, action="importing a history")
    if not cells:
        raise SubmissionError("the file holds no values")
    codes = sorted({c.code for c in cells})
    found = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id,
                                                                          Indicator.code.in_(codes)))}
    owners = dict(session.execute(select(IndicatorProfile.indicator_id, IndicatorProfile.owner_department_id)
                                  .where(IndicatorProfile.indicator_id.in_([i.id for i in found.values()]))).all())
    problems: list[Problem] = []
    for code in codes:
        ind = found.get(code)
        if ind is None:
            problems.append(Problem(code, "indicator", f"没有指标 {code}。", f"no indicator {code}"))
        elif owners.get(ind.id) != actor.department_id:
            problems.append(Problem(code, "owner", f"指标 {code} 不由本部门填报（请规划办先设置责任部门）。",
                                    f"indicator {code} is not reported by your department (the plan office sets "
                                    "the owner department first)"))
    if problems:
        raise ValidationFailed(problems)
    by_year: dict[int, list[HistoryCell]] = {}
    for c in cells:
        by_year.setdefault(c.year, []).append(c)
    prepared: list[tuple[submissions.Prepared, list[HistoryCell]]] = []
    for year in sorted(by_year):
        period = _history_period(session, plan_id, year)
        year_cells = by_year[year]
        sub = _submission(session, actor, period, [found[c.code] for c in year_cells])
        if not sub.editable:
            problems.append(Problem(year_cells[0].code, "state",
                                    f"{year} 年的填报已{submissions.state_label(sub.state, 'zh')}，请先申请修订。",
                                    f"the {year} submission is {submissions.state_label(sub.state, 'en')}; ask for "
                                    "a revision first", SHEET, year_cells[0].cell))
            continue
        versions = {v.indicator.code: v.version for v in sub.values}
        changes = [ValueChange(c.code, c.value, final, note, versions[c.code]) for c in year_cells]
        try:
            prepared.append((submissions.prepare_changes(session, actor, sub.id, changes), year_cells))
        except ValidationFailed as exc:
            where = {c.code: c.cell for c in year_cells}
            problems += [p.at(SHEET, where[p.code]) if p.code in where else p for p in exc.problems]
    if problems:
        raise ValidationFailed(problems)
    ids = []
    for prep, _ in prepared:
        submissions.apply_changes(session, actor, prep, via="history import", reason=note or "history import")
        submissions.transition(session, actor, prep.submission.id, "submit")
        ids.append(prep.submission.id)
    return ids


def bulk_transition(session: Session, actor: Principal, submission_ids: list[int], action: str, *,
                    comment: str = "") -> int:
    """Apply one approval action to many submissions (each checked and audited as on its own); returns how
    many moved."""
    for sid in submission_ids:
        submissions.transition(session, actor, sid, action, comment=comment)
    return len(submission_ids)
