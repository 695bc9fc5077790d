"""`kechuang index import|rebuild|runs|compare|export`: the annual cycle's index commands on the database — a
history of approved values in, a stored run out, runs compared and exported for `kechuang index build`.

Imports of the database and the engine happen inside the commands, so that `kechuang index build --help` stays
light."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kechuang.cli.common import DbOption, fail, open_database
from kechuang.cli.index import index_app

console = Console()
err = Console(stderr=True)
_fail = fail


@index_app.command("import")
def index_import(
    file: Path = typer.Argument(..., help="a history in COINr's iData layout (CSV or XLSX): uCode, uName, Time and "
                                          "one column per framework iCode or plan indicator code"),
    as_user: str = typer.Option(..., "--as", help="the reporter account whose department reports these indicators"),
    framework: str | None = typer.Option(None, help="framework code (default: the plan's first)"),
    note: str = typer.Option("history import", help="note stored with every value"),
    db: DbOption = None,
) -> None:
    """Import a multi-year history of a framework's indicators as the reporter's department: every cell checked
    (all problems listed with their cell), saved and submitted for each year, or nothing saved."""
    from sqlalchemy import select

    from kechuang.accounts.models import Account
    from kechuang.accounts.service import principal_of
    from kechuang.index.errors import IndexInputError
    from kechuang.index.io import read_table
    from kechuang.index_results import frameworks
    from kechuang.indicators.models import Indicator
    from kechuang.plan import service as plans
    from kechuang.store.db import transaction
    from kechuang.submissions.history import import_history, read_history
    from kechuang.submissions.service import SubmissionError, ValidationFailed

    try:
        table = read_table(file)
    except (IndexInputError, OSError, ValueError) as exc:
        _fail(f"{file}: {exc}")
    factory, _ = open_database(db)
    try:
        with transaction(factory) as s:
            account = s.scalar(select(Account).where(Account.username == as_user))
            if account is None or not account.active:
                _fail(f"no active account {as_user!r}")
            assert account is not None
            plan_id = plans.get_plan(s).id
            fw = frameworks.get_framework(s, plan_id, framework)
            codes = {str(r["iCode"]): frameworks.indicator_code(fw, str(r["iCode"])) for r in frameworks.leaves(fw)}
            codes.update({v: v for v in list(codes.values())})
            units = dict(s.execute(select(Indicator.code, Indicator.unit_zh).where(Indicator.plan_id == plan_id)).all())
            cells = read_history(table, codes, unit=fw.unit_code, units=units)
            ids = import_history(s, principal_of(account), plan_id, cells, note=note)
    except ValidationFailed as exc:
        for p in exc.problems:
            err.print(f"{file}: {p.where}: {p.reason_en}", highlight=False, soft_wrap=True)
        _fail(f"{len(exc.problems)} problem(s); nothing was saved")
    except (SubmissionError, frameworks.FrameworkError, PermissionError) as exc:
        _fail(str(exc))
    console.print(f"imported {len(cells)} values for {len(ids)} years; submitted {len(ids)} submissions for "
                  "review (the department's reviewer and the plan office approve them)")


@index_app.command("rebuild")
def index_rebuild(
    framework: str | None = typer.Option(None, help="framework code (default: the plan's first)"),
    until: int | None = typer.Option(None, help="use approved values of years up to this one only"),
    allow_gaps: bool = typer.Option(False, "--allow-gaps", help="leave out indicators without a base-year value "
                                                                "(recorded as a warning) instead of refusing"),
    by: str = typer.Option("cli", help="who runs it (recorded with the run)"),
    db: DbOption = None,
) -> None:
    """Build the index from exactly the approved values and store the run beside the earlier ones."""
    from kechuang.index.errors import ComputationError, IndexInputError
    from kechuang.index_results import frameworks
    from kechuang.index_results.rebuild import CoverageError, rebuild
    from kechuang.plan import service as plans
    from kechuang.store.db import transaction

    factory, _ = open_database(db)
    try:
        with transaction(factory) as s:
            fw = frameworks.get_framework(s, plans.get_plan(s).id, framework)
            result = rebuild(s, fw, by=by, until=until, allow_gaps=allow_gaps)
            run = result.run
            line = (f"index run {run.id} ({'built' if result.built else 'unchanged: same approved values as'}) "
                    f"from {run.data_source}" + (" — 演示数据 (demo data)" if run.is_demo else ""))
            warnings = list(run.warnings or [])
    except (CoverageError, frameworks.FrameworkError, IndexInputError, ComputationError) as exc:
        _fail(str(exc))
    console.print(line, highlight=False, soft_wrap=True)
    for w in warnings:
        console.print(f"[yellow]warning:[/yellow] {w}", highlight=False, soft_wrap=True)


@index_app.command("runs")
def index_runs(db: DbOption = None) -> None:
    """List the stored index runs, newest first."""
    from kechuang.index_results.rebuild import runs

    factory, _ = open_database(db)
    table = Table("run", "framework", "created", "by", "demo", "data")
    with factory() as s:
        for r in runs(s):
            table.add_row(str(r.id), r.framework, r.created_at.strftime("%Y-%m-%d %H:%M"), r.created_by,
                          "演示数据" if r.is_demo else "", r.data_source)
    console.print(table)


@index_app.command("compare")
def index_compare(a: int = typer.Argument(..., help="the earlier run"), b: int = typer.Argument(..., help="the later"),
                  db: DbOption = None) -> None:
    """What changed from run A to run B: the approved values that differ and the scores they moved."""
    from kechuang.index_results.rebuild import compare, get_run

    factory, _ = open_database(db)
    with factory() as s:
        try:
            c = compare(s, get_run(s, a), get_run(s, b))
        except LookupError as exc:
            _fail(str(exc))
        console.print(f"runs {a} → {b}: {len(c.values)} value(s) changed"
                      + ("; the spec changed too" if c.spec_changed else ""))
        for v in c.values:
            console.print(f"  value {v.code} {v.year}: {v.old} → {v.new} ({v.source})", highlight=False)
        for sc in c.scores:
            delta = "" if sc.delta is None else f" ({sc.delta:+.6g})"
            console.print(f"  score {sc.code} {sc.year}: {sc.old} → {sc.new}{delta}", highlight=False)


@index_app.command("export")
def index_export(run_id: int = typer.Argument(..., help="the stored run"),
                 out: Path = typer.Option(..., "--out", help="folder for iData.csv, iMeta.csv and spec.yaml"),
                 db: DbOption = None) -> None:
    """Write what a stored run was built from (its snapshot as iData, its iMeta, its spec), so that
    `kechuang index build` reproduces it."""
    from kechuang.index.spec import dump_spec
    from kechuang.index_results.rebuild import get_run, inputs_of

    factory, _ = open_database(db)
    with factory() as s:
        try:
            data, meta, spec = inputs_of(s, get_run(s, run_id))
        except LookupError as exc:
            _fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    data.to_csv(out / "iData.csv", index=False, float_format="%.17g")
    meta.to_csv(out / "iMeta.csv", index=False, float_format="%.17g")
    (out / "spec.yaml").write_text(dump_spec(spec), encoding="utf-8")
    console.print(f"run {run_id}: wrote {out / 'iData.csv'}, {out / 'iMeta.csv'}, {out / 'spec.yaml'}")
