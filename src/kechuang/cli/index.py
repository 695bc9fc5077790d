"""`kechuang index …`: build an index from COINr-style inputs, and its uncertainty and sensitivity analysis.

The engine (numpy, pandas, SciPy) is imported inside the commands: ``kechuang index build --help`` loads only
Typer and Rich.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import typer

from kechuang.cli.common import console, err, fail

if TYPE_CHECKING:
    from kechuang.index.uncertainty import UncertaintyResult

index_app = typer.Typer(no_args_is_help=True)


@index_app.command("build")
def index_build(
    data: Path = typer.Argument(..., help="iData (CSV or XLSX): uCode, [uName], [Time], groups, indicators"),
    meta: Path = typer.Argument(..., help="iMeta (CSV or XLSX): iCode, Level, Parent, Direction, Weight, Type …"),
    spec: Path = typer.Option(..., "--spec", help="pipeline spec (YAML), see docs/index-spec.md"),
    out: Path = typer.Option(..., "--out", help="output folder for the stage and result tables"),
    fmt: str = typer.Option("csv", "--format", help="csv (every bit of each number kept) or parquet"),
) -> None:
    """Build an index and write every stage (Raw … Aggregated) and the results as CSV (or Parquet)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kechuang.index.errors import IndexInputError, SpecError
    from kechuang.index.io import read_idata, read_imeta
    from kechuang.index.output import FORMATS, Format, write_result
    from kechuang.index.pipeline import build
    from kechuang.index.spec import load_spec

    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            progress.add_task("reading and validating inputs", total=None)
            m = read_imeta(meta)
            d = read_idata(data, m)
            s = load_spec(spec)
            progress.add_task("building", total=None)
            result = build(d, m, s)
    except (IndexInputError, SpecError) as exc:
        fail(str(exc))
    files = write_result(result, out, cast("Format", fmt))
    units = result.scores["uCode"].nunique()
    console.print(f"built {result.structure.codes[-1]}: {units} units, {len(result.structure.indicators)} indicators;"
                  f" {len(files)} files in {out}")


@index_app.command("uncertainty")
def index_uncertainty(
    data: Path = typer.Argument(..., help="iData (CSV or XLSX)"),
    meta: Path = typer.Argument(..., help="iMeta (CSV or XLSX)"),
    spec: Path = typer.Option(..., "--spec", help="pipeline spec (YAML): the nominal build"),
    ua: Path = typer.Option(..., "--ua", help="uncertainty spec (YAML), see docs/uncertainty.md"),
    n: int = typer.Option(..., "--n", min=2, help="Monte Carlo samples, or Saltelli base points with --sa"),
    sa: bool = typer.Option(False, "--sa", help="sensitivity analysis: Sobol indices from n·(G + 2) runs"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same numbers on every backend)"),
    scheduler: str | None = typer.Option(None, "--scheduler",
                                         help="Dask scheduler address (tcp://host:8786), or 'local' (LocalCluster)"),
    workers: int | None = typer.Option(None, "--workers", help="worker processes (default: one per core)"),
    backend: str | None = typer.Option(None, "--backend",
                                       help="serial, processes or dask (default: processes; in process when small)"),
    out: Path = typer.Option(..., "--out", help="output folder for the CSVs"),
    raw_scores: bool = typer.Option(False, "--raw-scores", help="with --sa: Sobol indices of each unit's raw "
                                    "score instead of its score standardised within each run (scale-free)"),
) -> None:
    """Uncertainty (and with --sa sensitivity) analysis: rank statistics, pairwise probabilities, Sobol indices
    and per-run parameters as CSV."""
    if raw_scores and not sa:
        raise typer.BadParameter("only used with --sa", param_hint="--raw-scores")
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from kechuang.index.errors import ComputationError, IndexInputError, MissingDependency, SpecError
    from kechuang.index.io import read_idata, read_imeta
    from kechuang.index.spec import load_spec
    from kechuang.index.uncertainty import (
        load_ua_spec,
        sensitivity_analysis,
        uncertainty_analysis,
        write_uncertainty,
    )

    try:
        m = read_imeta(meta)
        d = read_idata(data, m)
        s = load_spec(spec)
        u = load_ua_spec(ua)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True) as progress:
            task = progress.add_task("regenerating the index", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            if sa:
                result = sensitivity_analysis(d, m, s, u, n, seed=seed, backend=backend, scheduler=scheduler,
                                              workers=workers, progress=tick, raw_scores=raw_scores)
            else:
                result = uncertainty_analysis(d, m, s, u, n, seed=seed, backend=backend, scheduler=scheduler,
                                              workers=workers, progress=tick)
    except (IndexInputError, SpecError, ComputationError, MissingDependency) as exc:
        fail(str(exc))
    files = write_uncertainty(result, out)
    _report(result)
    console.print(f"{len(files)} files in {out}")


def _report(result: UncertaintyResult) -> None:
    """Print the run's figures, the sensitivity of the mean rank shift and the failures."""
    from rich.table import Table

    console.print(f"{result.kind} analysis: {result.n_runs:,} regenerations ({result.n_failed:,} failed) in "
                  f"{result.seconds:.2f} s on {result.backend}; target {result.design.target}")
    if result.sensitivity is not None and not result.sensitivity.empty:
        shift = result.sensitivity[result.sensitivity["target"] == "mean_abs_rank_shift"]
        table = Table(title=f"Sobol indices of the mean absolute rank shift of {result.design.target}")
        for col in ("parameter", "S1", "S1 95% CI", "ST", "ST 95% CI"):
            table.add_column(col, justify="left" if col == "parameter" else "right")
        for row in shift.itertuples():
            table.add_row(str(row.parameter), f"{row.S1:.3f}", f"[{row.S1_lo:.3f}, {row.S1_hi:.3f}]",
                          f"{row.ST:.3f}", f"[{row.ST_lo:.3f}, {row.ST_hi:.3f}]")
        console.print(table)
        if result.dropped_base_points:
            console.print(f"[yellow]{result.dropped_base_points} base points dropped (a run failed)[/yellow]")
    if not result.failures.empty:
        err.print(f"[yellow]{result.n_failed:,} runs could not be computed (failures.csv):[/yellow]")
        for row in result.failures.head(10).to_dict("records"):
            params = ", ".join(f"{k}={row[k]}" for k in result.failures.columns[:-3])
            err.print(f"  {row['runs']} runs ({params}): {row['error']}", highlight=False, soft_wrap=True)


def _efficiency(text: str | None) -> tuple[list[str], list[str]] | None:
    """``"Out1,Out2:In1"`` → (["Out1", "Out2"], ["In1"])."""
    if text is None:
        return None
    num, sep, den = text.partition(":")
    groups = ([c.strip() for c in num.split(",") if c.strip()], [c.strip() for c in den.split(",") if c.strip()])
    if not sep or not groups[0] or not groups[1]:
        raise typer.BadParameter(f"expected NUMERATOR:DENOMINATOR codes such as Output:Input, got {text!r}",
                                 param_hint="--efficiency")
    return groups


@index_app.command("audit")
def index_audit(
    data: Path = typer.Argument(..., help="iData (CSV or XLSX)"),
    meta: Path = typer.Argument(..., help="iMeta (CSV or XLSX)"),
    spec: Path = typer.Option(..., "--spec", help="pipeline spec (YAML): the build to audit"),
    ua: Path | None = typer.Option(None, "--ua", help="uncertainty spec (YAML): adds rank intervals and, for a "
                                   "panel, the year-on-year audit"),
    out: Path = typer.Option(..., "--out", help="output folder for audit.html, audit.pdf, audit.xlsx"),
    n: int = typer.Option(1000, "--n", min=2, help="Monte Carlo runs of the uncertainty analysis"),
    seed: int = typer.Option(0, "--seed", help="random seed"),
    external: Path | None = typer.Option(None, "--external", help="external measures (CSV/XLSX: uCode [, Time], "
                                         "one column per measure) to correlate with the index"),
    efficiency: str | None = typer.Option(None, "--efficiency", help="efficiency ratio NUM:DEN of two groups of "
                                          "codes, e.g. Output:Input or A,B:C"),
    unit: str | None = typer.Option(None, "--unit", help="unit shown in the year-on-year audit (default: the first)"),
    survey_se: float | None = typer.Option(None, "--survey-se", min=0.0, max=0.49,
                                           help="relative standard error of the survey-based indicators: adds the "
                                           "year-on-year audit under their sampling error (with --ua)"),
    survey_codes: str | None = typer.Option(None, "--survey-codes", help="survey-based indicators, comma-separated "
                                            "(default: iMeta rows with DataType S)"),
) -> None:
    """Statistical audit of an index (JRC style): coherence, weights vs importance, optimised weights, added
    value, uncertainty, year-on-year probabilities; HTML, PDF and XLSX with every table."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kechuang.index.errors import ComputationError, IndexInputError, SpecError
    from kechuang.reports.index_audit import write_audit_report

    groups = _efficiency(efficiency)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            progress.add_task("auditing the index", total=None)
            files = write_audit_report(data, meta, spec, ua, out, n=n, seed=seed, external_path=external,
                                       efficiency=groups, unit=unit, survey_se=survey_se,
                                       survey=None if survey_codes is None else
                                       [c.strip() for c in survey_codes.split(",") if c.strip()])
    except (IndexInputError, SpecError, ComputationError, ValueError) as exc:
        fail(str(exc))
    console.print(f"audit written: {', '.join(p.name for p in files)} in {out}")


from kechuang.cli import cycle as _cycle  # noqa: E402,F401  (registers `index import|rebuild|runs|compare|export`)
