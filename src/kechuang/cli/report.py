"""`kechuang report …`: build the evaluation packs and the index report (Word, PDF, Excel annex, HTML), and
accept the proposed plan adjustments of an evaluation as a new plan version."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kechuang.cli.common import DbOption, console, fail, sessions

if TYPE_CHECKING:
    from kechuang.reports.service import Pack

# The report builders (matplotlib, WeasyPrint) and the services are imported inside the commands, so that
# the other `kechuang` commands start without loading them.

report_app = typer.Typer(no_args_is_help=True)

OutOption = Annotated[Path, typer.Option("--out", help="folder for the report packs (one sub-folder per report)")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="date the supervision statuses are judged on "
                                                              "(YYYY-MM-DD, default today)")]
FormatOption = Annotated[list[str] | None, typer.Option("--format", help="docx, pdf, xlsx or html "
                                                                        "(repeatable; default all four)")]
PlanOption = Annotated[str | None, typer.Option("--plan", help="plan code (default: the first plan)")]
LangOption = Annotated[str, typer.Option("--lang", help="zh (default) or en: the English pack, from the same data")]


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r}: expected a date YYYY-MM-DD")


def _run(kind: str, year: int | None, out: Path, db: str | None, as_of: str | None, formats: list[str] | None,
         plan: str | None, lang: str = "zh") -> None:
    from kechuang.plan import service as plans
    from kechuang.reports.model import FORMATS, ReportError
    from kechuang.reports.service import generate

    chosen = tuple(formats or FORMATS)
    factory = sessions(db)
    try:
        with factory() as s:
            pack = generate(s, kind, year, out, as_of=_date(as_of), formats=chosen, plan_code=plan, lang=lang)
    except (ReportError, plans.PlanNotFound) as exc:
        fail(str(exc))
    _print(pack)


def _print(pack: Pack) -> None:
    console.print(f"[bold]{pack.title}[/bold]" + (" [red](含演示数据)[/red]" if pack.demo else ""))
    console.print(f"content SHA-256 {pack.content_sha256}  generated {pack.generated_at}", highlight=False)
    for fmt, path in pack.files.items():
        console.print(f"  {fmt:5} {path}", highlight=False)
    if pack.proposals:
        console.print(f"{len(pack.proposals)} proposed adjustment(s): "
                      + ", ".join(f"{p['id']} {p['element_code']}" for p in pack.proposals)
                      + " — accept with `kechuang report accept`")


@report_app.command("midterm")
def midterm(year: Annotated[int | None, typer.Option("--year", help="evaluation year (default: mid-period)")] = None,
            out: OutOption = Path("reports"), db: DbOption = None, as_of: AsOfOption = None,
            format: FormatOption = None, plan: PlanOption = None, lang: LangOption = "zh") -> None:
    """The mid-term evaluation pack (中期评估) as of YEAR."""
    _run("midterm", year, out, db, as_of, format, plan, lang)


@report_app.command("final")
def final(year: Annotated[int | None, typer.Option("--year", help="evaluation year (default: the plan's end)")] = None,
          out: OutOption = Path("reports"), db: DbOption = None, as_of: AsOfOption = None,
          format: FormatOption = None, plan: PlanOption = None, lang: LangOption = "zh") -> None:
    """The final evaluation pack (终期评估), by default as of the plan's end year."""
    _run("final", year, out, db, as_of, format, plan, lang)


@report_app.command("index")
def index(year: Annotated[int | None, typer.Option("--year", help="data year (default: the latest)")] = None,
          out: OutOption = Path("reports"), db: DbOption = None, as_of: AsOfOption = None,
          format: FormatOption = None, plan: PlanOption = None, lang: LangOption = "zh") -> None:
    """The annual innovation index report for the data year YEAR (Chinese)."""
    _run("index", year, out, db, as_of, format, plan, lang)


@report_app.command("accept")
def accept(
    kind: Annotated[str, typer.Option("--kind", help="midterm or final")] = "midterm",
    year: Annotated[int | None, typer.Option("--year", help="evaluation year")] = None,
    proposal: Annotated[list[str] | None, typer.Option("--proposal", help="proposal id, e.g. P1 "
                                                                          "(repeatable; default all)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="ID:FIELD=VALUE, accept another value than "
                                                                 "proposed, e.g. P1:value_max=2.5")] = None,
    by: Annotated[str, typer.Option("--by", help="who accepts (recorded in the new plan version)")] = "",
    reason: Annotated[str, typer.Option("--reason", help="why (e.g. the meeting that decided)")] = "",
    expect: Annotated[str | None, typer.Option("--expect", help="content SHA-256 (or its start) of the report the "
                                                                "decision was taken on; refused if the data "
                                                                "have changed since")] = None,
    as_of: AsOfOption = None, db: DbOption = None, plan: PlanOption = None,
) -> None:
    """Accept proposed plan adjustments of an evaluation: writes a new plan version (规划调整)."""
    from kechuang.plan import service as plans
    from kechuang.reports.adjustments import accept_adjustments
    from kechuang.reports.model import ReportError, content_hash
    from kechuang.reports.service import build_report
    from kechuang.store.db import transaction

    values: dict[str, dict[str, float]] = {}
    for item in set_ or []:
        lhs, sep, raw = item.partition("=")
        pid, colon, field = lhs.partition(":")
        try:
            if not sep or not colon:
                raise ValueError(item)
            values.setdefault(pid, {})[field] = float(raw)
        except ValueError:
            fail(f"--set {item!r}: expected ID:FIELD=NUMBER, e.g. P1:value_max=2")
    factory = sessions(db)
    try:
        with transaction(factory) as s:
            report = build_report(s, kind, year, as_of=_date(as_of), plan_code=plan)
            digest = content_hash(report)
            if expect and not digest.startswith(expect.lower()):
                fail(f"the {kind} report now has content SHA-256 {digest[:12]}…, not {expect}: the data changed "
                      "since; rebuild the report and review the proposals again")
            if not report.proposals:
                fail(f"the {kind} evaluation of {report.year} proposes no adjustment")
            version = accept_adjustments(s, report.proposals, by=by, reason=reason, accepted=proposal,
                                         values=values, source=f"{report.title}（内容 SHA-256 {digest[:12]}）",
                                         plan_code=plan)
            number, why = version.number, version.reason
    except (ReportError, plans.AdjustmentError, plans.PlanNotFound) as exc:
        fail(str(exc))
    console.print(f"adjusted: new plan version {number} — {why}", highlight=False)


@report_app.command("proposals")
def proposals(kind: Annotated[str, typer.Option("--kind", help="midterm or final")] = "midterm",
              year: Annotated[int | None, typer.Option("--year", help="evaluation year")] = None,
              as_of: AsOfOption = None, db: DbOption = None, plan: PlanOption = None,
              as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """List the plan adjustments an evaluation proposes (without writing files)."""
    from rich.table import Table

    from kechuang.plan import service as plans
    from kechuang.reports.model import ReportError, content_hash
    from kechuang.reports.service import build_report

    factory = sessions(db)
    try:
        with factory() as s:
            report = build_report(s, kind, year, as_of=_date(as_of), plan_code=plan)
    except (ReportError, plans.PlanNotFound) as exc:
        fail(str(exc))
    if as_json:
        console.print_json(json.dumps({"content_sha256": content_hash(report), "proposals": report.proposals},
                                      ensure_ascii=False))
        return
    table = Table("id", "element", "change", "basis")
    for p in report.proposals:
        table.add_row(p["id"], p["element_code"],
                      "; ".join(f"{c['field']} {c['current']} → {c['proposed']}" for c in p["changes"]), p["basis_zh"])
    console.print(table)
    console.print(f"content SHA-256 {content_hash(report)}", highlight=False)


# ---------------------------------------------------------------- narratives (judgement written by people)

narrative_app = typer.Typer(no_args_is_help=True, help="The narrative sections of an evaluation: list, show, draft "
                                                       "from the data, write (a new version), review, mark final.")
report_app.add_typer(narrative_app, name="narrative")
KindOption = Annotated[str, typer.Option("--kind", help="midterm or final")]
EvalYearOption = Annotated[int | None, typer.Option("--year", help="evaluation year (default: mid-period for "
                                                                    "midterm, the plan's end for final)")]
AsOption = Annotated[str, typer.Option("--as", help="the account that writes, reviews or marks final "
                                                    "(recorded with the version)")]


def _eval_year(s: object, kind: str, year: int | None) -> int:
    from kechuang.plan import service as plans

    if year is not None:
        return year
    meta = plans.latest_version(s).document["plan"]  # type: ignore[arg-type]
    start, end = int(meta["period_start"]), int(meta["period_end"])
    return end if kind == "final" else start + (end - start) // 2


def _actor(s: object, username: str) -> object:
    from sqlalchemy import select

    from kechuang.accounts.models import Account
    from kechuang.accounts.service import principal_of

    account = s.scalar(select(Account).where(Account.username == username))  # type: ignore[attr-defined]
    if account is None or not account.active:
        fail(f"--as {username!r}: no active account of that name")
    return principal_of(account)


@narrative_app.command("list")
def narrative_list(kind: KindOption = "midterm", year: EvalYearOption = None, db: DbOption = None) -> None:
    """Each narrative section: required or not, its newest version, who wrote it when, who reviewed it."""
    from rich.table import Table

    from kechuang.core import clock
    from kechuang.plan import service as plans
    from kechuang.reports import narratives

    with sessions(db)() as s:
        chosen = _eval_year(s, kind, year)
        plan_id = plans.latest_version(s).plan_id
        current = narratives.current(s, plan_id, kind, chosen)
        table = Table("section", "required", "version", "written", "reviewed")
        for sec, required in narratives.NARRATIVE_SECTIONS.items():
            n = current.get(sec)
            table.add_row(sec, "yes" if required else "", str(n.version) if n else "—",
                          f"{n.author} {clock.time_text(n.created_at)}" if n else "",
                          (n.reviewed_by or "not reviewed") if n else "")
        console.print(table)
        blockers = narratives.missing(s, plan_id, kind, chosen) + narratives.unreviewed(s, plan_id, kind, chosen)
        console.print(f"{kind} {chosen}: " + (f"not ready to be final ({', '.join(blockers)})" if blockers
                                              else "ready to be marked final"), highlight=False)


@narrative_app.command("show")
def narrative_show(section: Annotated[str, typer.Argument(help="summary, tasks, projects, safeguards, external, "
                                                               "problems or next_steps")],
                   kind: KindOption = "midterm", year: EvalYearOption = None, db: DbOption = None) -> None:
    """Every version of a section's narrative, oldest first: version, who wrote it and when, review, text."""
    from kechuang.core import clock
    from kechuang.plan import service as plans
    from kechuang.reports import narratives
    from kechuang.reports.model import ReportError

    with sessions(db)() as s:
        chosen = _eval_year(s, kind, year)
        if section not in narratives.NARRATIVE_SECTIONS:
            fail(f"section {section!r} takes no narrative; expected one of {', '.join(narratives.NARRATIVE_SECTIONS)}")
        try:
            rows = narratives.history(s, plans.latest_version(s).plan_id, kind, chosen, section)
        except ReportError as exc:
            fail(str(exc))
        if not rows:
            console.print(f"{section}: not written yet", highlight=False)
        for n in rows:
            reviewed = f", reviewed by {n.reviewed_by}" if n.reviewed_by else ""
            console.print(f"[bold]version {n.version}[/bold] — {n.author}, {clock.time_text(n.created_at)}{reviewed}",
                          highlight=False)
            console.print(n.text, highlight=False, markup=False, soft_wrap=True)


@narrative_app.command("draft")
def narrative_draft(section: Annotated[str, typer.Argument(help="the section to draft")],
                    kind: KindOption = "midterm", year: EvalYearOption = None, as_of: AsOfOption = None,
                    lang: LangOption = "zh", db: DbOption = None) -> None:
    """Print a draft of a section's narrative generated from the data (numbers from the database, rule sentences
    labelled 【系统按规则生成】); nothing is saved — edit it and save it with `kechuang report narrative write`."""
    from kechuang.reports import narratives
    from kechuang.reports.model import ReportError

    with sessions(db)() as s:
        try:
            text = narratives.draft(s, kind, _eval_year(s, kind, year), section, _date(as_of) or _today(),
                                    lang=lang)
        except ReportError as exc:
            fail(str(exc))
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _today() -> dt.date:
    from kechuang.core import clock

    return clock.today()


@narrative_app.command("write")
def narrative_write(section: Annotated[str, typer.Argument(help="the section to write")],
                    as_user: AsOption,
                    file: Annotated[Path | None, typer.Option("--file", help="the text, from a UTF-8 file")] = None,
                    text: Annotated[str | None, typer.Option("--text", help="the text itself")] = None,
                    kind: KindOption = "midterm", year: EvalYearOption = None, db: DbOption = None) -> None:
    """Save a new version of a section's narrative (from --file or --text), written by the account --as."""
    from kechuang.core.access import Forbidden
    from kechuang.reports import narratives
    from kechuang.reports.model import ReportError
    from kechuang.store.db import transaction

    if (file is None) == (text is None):
        fail("give the text with exactly one of --file or --text")
    if file is not None:
        try:
            body = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"--file {file}: {exc}")
    else:
        body = text or ""
    try:
        with transaction(sessions(db)) as s:
            row = narratives.write(s, _actor(s, as_user), kind, _eval_year(s, kind, year), section,  # type: ignore[arg-type]
                                   body)
            version, author = row.version, row.author
    except (ReportError, Forbidden) as exc:
        fail(str(exc))
    console.print(f"{section}: saved version {version} by {author}", highlight=False)


@narrative_app.command("review")
def narrative_review(section: Annotated[str, typer.Argument(help="the section reviewed")], as_user: AsOption,
                     version: Annotated[int, typer.Option("--version", help="the version reviewed (the newest)")],
                     kind: KindOption = "midterm", year: EvalYearOption = None, db: DbOption = None) -> None:
    """Record that the plan office (--as) reviewed the newest version of a section's narrative."""
    from kechuang.core.access import Forbidden
    from kechuang.reports import narratives
    from kechuang.reports.model import ReportError
    from kechuang.store.db import transaction

    try:
        with transaction(sessions(db)) as s:
            narratives.review(s, _actor(s, as_user), kind, _eval_year(s, kind, year), section,  # type: ignore[arg-type]
                              version)
    except (ReportError, Forbidden) as exc:
        fail(str(exc))
    console.print(f"{section}: version {version} reviewed by {as_user}", highlight=False)


@narrative_app.command("final")
def narrative_final(as_user: AsOption, kind: KindOption = "midterm", year: EvalYearOption = None,
                    as_of: AsOfOption = None, db: DbOption = None) -> None:
    """Mark the evaluation final (定稿, admin): refused, naming them, while a required section is empty or a
    section's newest text is not reviewed; records the pack's content hash."""
    from kechuang.core.access import Forbidden
    from kechuang.reports import narratives
    from kechuang.reports.model import ReportError
    from kechuang.store.db import transaction

    try:
        with transaction(sessions(db)) as s:
            row = narratives.mark_final(s, _actor(s, as_user), kind, _eval_year(s, kind, year),  # type: ignore[arg-type]
                                        _date(as_of) or _today())
            digest = row.content_sha256
    except (ReportError, Forbidden) as exc:
        fail(str(exc))
    console.print(f"{kind}: marked final, content SHA-256 {digest}", highlight=False, soft_wrap=True)
