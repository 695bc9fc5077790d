"""The ``kechuang`` command line (Typer + Rich): thin wrappers around the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from kechuang import cli_cycle  # noqa: F401  (registers `index import|rebuild|runs|compare|export`)
from kechuang.bootstrap import load_bundled
from kechuang.cli_audit import audit_app
from kechuang.cli_index import index_app
from kechuang.cli_monitoring import account_app, digest_command, setup_accounts, stdin_is_terminal
from kechuang.cli_report import report_app
from kechuang.config import get_settings
from kechuang.opendata.cli import export_app
from kechuang.plan import service as plans
from kechuang.plan.loader import BUNDLED_PLAN, PlanFileError, read_plan_file
from kechuang.store.db import make_engine, session_factory, transaction, upgrade

app = typer.Typer(help="kechuang (科创): plan monitoring and evaluation.", no_args_is_help=True)
plan_app = typer.Typer(help="The plan: show, load, version, adjust, compare.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")
app.add_typer(index_app, name="index")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")
app.add_typer(account_app, name="account")
app.add_typer(audit_app, name="audit")
app.command("digest")(digest_command)

console = Console()
err = Console(stderr=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default: KECHUANG_DATABASE_URL "
                                                         "or the SQLite file var/kechuang.db)")]
LangOption = Annotated[str, typer.Option("--lang", help="zh or en")]


def _factory(db: str | None):  # type: ignore[no-untyped-def]
    url = db or get_settings().resolved_database_url()
    engine = make_engine(url)
    upgrade(engine)
    return session_factory(engine), url


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


DemoOption = Annotated[bool, typer.Option("--demo", help="also create the demo setup (演示数据): one account per "
                                                     "role, demo targets, a reporting period, supervision items")]


@app.command()
def init(db: DbOption = None, demo: DemoOption = False,
         admin_password_file: Annotated[Path | None, typer.Option(
             help="file whose first line is the first admin's password (for automation)")] = None,
         admin_username: Annotated[str, typer.Option(help="user name of the first admin")] = "admin",
         ask: Annotated[bool, typer.Option(hidden=True)] = True) -> None:
    """Create or upgrade the database and load the bundled Yangpu plan (idempotent). Without --demo, asks for
    the first admin's password when there is no admin yet."""
    factory, url = _factory(db)
    with transaction(factory) as s:
        summary = load_bundled(s, by="kechuang init")
    res = summary.plan
    state = "loaded as version" if res.created else "kept at its current version"
    console.print(f"database {url}: plan {res.plan_code} {state} {res.version} "
                  f"({res.elements} elements, {res.facts} facts)")
    if summary.bundled_differs:
        console.print(f"the bundled plan file differs from every stored version; to review and load it: "
                      f"kechuang plan load {BUNDLED_PLAN}")
    console.print(f"index framework {summary.framework}: {summary.published_figures} published figures")
    try:
        setup_accounts(factory, demo=demo, admin_username=admin_username, admin_password_file=admin_password_file,
                       interactive=ask and stdin_is_terminal())
    except ValueError as exc:
        _fail(str(exc))


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, db: DbOption = None,
          workers: int = typer.Option(1, help="worker processes"), demo: DemoOption = False) -> None:
    """Serve the web application (initialises the database first)."""
    import os

    import uvicorn

    if db:
        os.environ["KECHUANG_DATABASE_URL"] = db
        get_settings.cache_clear()
    init(db, demo=demo, ask=False)
    console.print(f"kechuang is serving on http://{host}:{port}")
    uvicorn.run("kechuang.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


@plan_app.command("load")
def plan_load(file: Path, db: DbOption = None,
              by: str = typer.Option("cli", help="who loads it (recorded in the version)"),
              reason: str = typer.Option("", help="why (recorded in the version)"),
              yes: bool = typer.Option(False, "--yes", help="replace the current version without asking")) -> None:
    """Validate FILE and load it as a plan. When the plan is stored already, show what would change against its
    current version and ask (or take --yes) before the file becomes the new current version."""
    try:
        doc = read_plan_file(file)
    except PlanFileError as exc:
        _fail(str(exc))
    factory, _ = _factory(db)
    with factory() as s:
        exists = plans.has_plan(s, doc.plan.code)
        changes = plans.diff_document(s, doc) if exists else []
        current = plans.latest_version(s, doc.plan.code).number if exists else None
    if exists and not changes:
        console.print(f"plan {doc.plan.code}: unchanged, still version {current}")
        return
    if exists:
        counts = {k: sum(1 for c in changes if c.status == k) for k in ("added", "changed", "removed")}
        console.print(f"plan {doc.plan.code}: {file} differs from the current version {current}: "
                      f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed")
        for c in changes[:20]:
            console.print(f"  {c.status} {c.kind} {c.code}" + (f": {', '.join(c.fields)}" if c.fields else ""))
        if len(changes) > 20:
            console.print(f"  … and {len(changes) - 20} more")
        if not yes:
            if not stdin_is_terminal():
                _fail("not loaded: pass --yes to make this file the current version (or run on a terminal)")
            if not typer.confirm(f"make {file} version {(current or 0) + 1}, the current version?"):
                _fail("not loaded")
    with transaction(factory) as s:
        res = plans.load_plan(s, doc, source=str(file), by=by, reason=reason or None)
    state = "loaded as version" if res.created else "unchanged, still version"
    console.print(f"plan {res.plan_code}: {state} {res.version} ({res.elements} elements, {res.facts} facts)")


@plan_app.command("show")
def plan_show(plan: str | None = typer.Option(None, help="plan code (default: the first plan)"),
              version: int | None = typer.Option(None, help="version number (default: newest)"),
              lang: LangOption = "zh", db: DbOption = None) -> None:
    """Print the plan tree: areas → tasks → measures (with projects and targets)."""
    factory, _ = _factory(db)
    with factory() as s:
        try:
            v = plans.get_version(s, plan, version)
        except plans.PlanNotFound as exc:
            _fail(str(exc))
        tree = Tree(f"[bold]{v.plan.title_en if lang == 'en' else v.plan.title_zh}[/bold] "
                    f"(version {v.number}, {v.document['plan']['document_number']})")
        for area in plans.elements(s, v, "area"):
            a = tree.add(f"[bold cyan]{area.code}[/] {area.title(lang)}")
            for task in plans.elements(s, v, "task", area.code):
                t = a.add(f"[bold]{task.attrs['number']}.[/] {task.title(lang)}")
                for m in plans.elements(s, v, "measure", task.code):
                    node = t.add(f"{m.code} {m.title(lang)}")
                    for tg in plans.elements(s, v, "target", m.code):
                        node.add(f"[green]target[/] {tg.title(lang)}")
        console.print(tree)


@plan_app.command("versions")
def plan_versions(plan: str | None = None, db: DbOption = None) -> None:
    """List the versions of a plan with who, when and why."""
    factory, _ = _factory(db)
    with factory() as s:
        table = Table("version", "created", "by", "reason", "hash")
        for v in plans.list_versions(s, plan):
            table.add_row(str(v.number), v.created_at.isoformat(timespec="seconds"), v.created_by, v.reason,
                          v.content_hash[:12])
        console.print(table)


@plan_app.command("adjust")
def plan_adjust(
    set_: Annotated[list[str], typer.Option("--set", help="CODE.FIELD=VALUE (VALUE as JSON, else text)")],
    by: str = typer.Option(..., help="who adjusts"),
    reason: str = typer.Option(..., help="why (e.g. the mid-term evaluation finding)"),
    plan: str | None = None, db: DbOption = None,
) -> None:
    """Adjust targets or texts (规划调整): writes a new plan version, keeps the old one."""
    changes = []
    for item in set_:
        lhs, sep, raw = item.partition("=")
        code, dot, fld = lhs.partition(":")
        if not sep or not dot:
            _fail(f"--set {item!r}: expected CODE:FIELD=VALUE, e.g. T7.M1.TG1:value_max=4")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        changes.append(plans.Change(code, fld, value))
    factory, _ = _factory(db)
    try:
        with transaction(factory) as s:
            v = plans.adjust_plan(s, changes, by=by, reason=reason, plan_code=plan)
            number = v.number
    except (plans.AdjustmentError, PlanFileError, plans.PlanNotFound) as exc:
        _fail(str(exc))
    console.print(f"adjusted: new version {number}")


@plan_app.command("diff")
def plan_diff(a: int, b: int, plan: str | None = None, db: DbOption = None) -> None:
    """Compare two versions of a plan element by element."""
    factory, _ = _factory(db)
    with factory() as s:
        try:
            diffs = plans.diff_versions(s, a, b, plan)
        except plans.PlanNotFound as exc:
            _fail(str(exc))
        if not diffs:
            console.print("no differences")
        for d in diffs:
            console.print(f"[bold]{d.status}[/] {d.kind} {d.code}")
            for f, (old, new) in d.fields.items():
                console.print(f"    {f}: {old!r} → {new!r}", highlight=False)


if __name__ == "__main__":
    app()
