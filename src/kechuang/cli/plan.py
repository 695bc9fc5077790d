"""`kechuang plan …`: start, check, show, load, version, adjust and compare a plan (or a district bundle)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kechuang.cli.common import DbOption, console, fail, sessions

plan_app = typer.Typer(no_args_is_help=True)

LangOption = Annotated[str, typer.Option("--lang", help="zh or en")]


@plan_app.command("new")
def plan_new(folder: Path) -> None:
    """Write a documented skeleton bundle into FOLDER (new or empty): bundle.yaml, plan.yaml and a map outline,
    valid as written; edit them, then `kechuang plan check FOLDER`."""
    import shutil

    from kechuang.plan.bundle import DATA_DIR

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        fail(f"{folder}: exists and is not an empty folder; nothing written")
    shutil.copytree(DATA_DIR / "skeleton", folder, dirs_exist_ok=True)
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    console.print(f"{folder}: wrote {', '.join(written)}; next: kechuang plan check {folder}", soft_wrap=True)


@plan_app.command("check")
def plan_check(folder: Path) -> None:
    """Validate the bundle in FOLDER without a database: every problem at once, each naming file, YAML path and
    reason (exit status 2 when there is any)."""
    from kechuang.bootstrap import check_bundle

    bundle, problems = check_bundle(folder)
    if problems:
        for file, path, reason in problems:
            console.print(": ".join(part for part in (file, path, reason) if part), highlight=False, soft_wrap=True)
        fail(f"{folder}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
    assert bundle is not None
    parts = ["plan"] + (["index framework"] if bundle.index_folder else []) + (["map"] if bundle.manifest.map else [])
    console.print(f"{folder}: a valid bundle ({', '.join(parts)})")


@plan_app.command("load")
def plan_load(file: Path, db: DbOption = None,
              by: str = typer.Option("cli", help="who loads it (recorded in the version)"),
              reason: str = typer.Option("", help="why (recorded in the version)"),
              yes: bool = typer.Option(False, "--yes", help="replace the current version without asking")) -> None:
    """Validate FILE (a plan file, or a bundle folder: then checked as `plan check` does and loaded with its index
    framework, published and found figures, as `kechuang init` loads the configured bundle) and load it. When
    the plan is stored already, show what would change against its current version and ask (or take --yes)
    before the file becomes the new current version."""
    from kechuang.bootstrap import check_bundle, load_bundled
    from kechuang.cli.account import stdin_is_terminal
    from kechuang.plan import service as plans
    from kechuang.plan.loader import PlanFileError, read_plan_file
    from kechuang.store.db import transaction

    bundle = None
    if file.is_dir():
        bundle, problems = check_bundle(file)
        if problems:
            fail("\n".join(": ".join(part for part in p if part) for p in problems))
        assert bundle is not None
    try:
        doc = read_plan_file(bundle.plan_file if bundle else file)
    except PlanFileError as exc:
        fail(str(exc))
    factory = sessions(db)
    with factory() as s:
        exists = plans.has_plan(s, doc.plan.code)
        changes = plans.diff_document(s, doc) if exists else []
        current = plans.latest_version(s, doc.plan.code).number if exists else None
    if exists and not changes and bundle is None:
        console.print(f"plan {doc.plan.code}: unchanged, still version {current}")
        return
    if exists and changes:
        counts = {k: sum(1 for c in changes if c.status == k) for k in ("added", "changed", "removed")}
        console.print(f"plan {doc.plan.code}: {file} differs from the current version {current}: "
                      f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed")
        for c in changes[:20]:
            console.print(f"  {c.status} {c.kind} {c.code}" + (f": {', '.join(c.fields)}" if c.fields else ""))
        if len(changes) > 20:
            console.print(f"  … and {len(changes) - 20} more")
        if not yes:
            if not stdin_is_terminal():
                fail("not loaded: pass --yes to make this file the current version (or run on a terminal)")
            if not typer.confirm(f"make {file} version {(current or 0) + 1}, the current version?"):
                fail("not loaded")
    with transaction(factory) as s:
        res = plans.load_plan(s, doc, source=bundle.source if bundle else str(file), by=by, reason=reason or None)
        summary = load_bundled(s, by=by, bundle=bundle) if bundle else None
    state = "loaded as version" if res.created else "unchanged, still version"
    console.print(f"plan {res.plan_code}: {state} {res.version} ({res.elements} elements, {res.facts} facts)")
    if summary is not None and summary.framework is not None:
        console.print(f"index framework {summary.framework}: {summary.published_figures} published figures")


@plan_app.command("show")
def plan_show(plan: str | None = typer.Option(None, help="plan code (default: the first plan)"),
              version: int | None = typer.Option(None, help="version number (default: newest)"),
              lang: LangOption = "zh", db: DbOption = None) -> None:
    """Print the plan tree: areas → tasks → measures (with projects and targets)."""
    from rich.tree import Tree

    from kechuang.plan import service as plans

    with sessions(db)() as s:
        try:
            v = plans.get_version(s, plan, version)
        except plans.PlanNotFound as exc:
            fail(str(exc))
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
    from rich.table import Table

    from kechuang.plan import service as plans

    with sessions(db)() as s:
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
    from kechuang.plan import service as plans
    from kechuang.plan.loader import PlanFileError
    from kechuang.store.db import transaction

    changes = []
    for item in set_:
        lhs, sep, raw = item.partition("=")
        code, dot, fld = lhs.partition(":")
        if not sep or not dot:
            fail(f"--set {item!r}: expected CODE:FIELD=VALUE, e.g. T7.M1.TG1:value_max=4")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        changes.append(plans.Change(code, fld, value))
    factory = sessions(db)
    try:
        with transaction(factory) as s:
            v = plans.adjust_plan(s, changes, by=by, reason=reason, plan_code=plan)
            number = v.number
    except (plans.AdjustmentError, PlanFileError, plans.PlanNotFound) as exc:
        fail(str(exc))
    console.print(f"adjusted: new version {number}")


@plan_app.command("diff")
def plan_diff(a: int, b: int, plan: str | None = None, db: DbOption = None) -> None:
    """Compare two versions of a plan element by element."""
    from kechuang.plan import service as plans

    with sessions(db)() as s:
        try:
            diffs = plans.diff_versions(s, a, b, plan)
        except plans.PlanNotFound as exc:
            fail(str(exc))
        if not diffs:
            console.print("no differences")
        for d in diffs:
            console.print(f"[bold]{d.status}[/] {d.kind} {d.code}")
            for f, (old, new) in d.fields.items():
                console.print(f"    {f}: {old!r} → {new!r}", highlight=False)
