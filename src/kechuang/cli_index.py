"""`kechuang index …`: build an index from COINr-style inputs, and (re)build the bundled Yangpu index."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from kechuang.index.errors import IndexInputError, SpecError
from kechuang.index.io import read_idata, read_imeta
from kechuang.index.pipeline import Result, build
from kechuang.index.spec import dump_spec, load_spec

index_app = typer.Typer(help="The composite index: build from iData/iMeta/spec, rebuild the Yangpu index.",
                        no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def write_result(result: Result, out: Path) -> list[Path]:
    """Write every stage (uCode [+ Time] + one column per iCode, full precision), scores, ranks, weights,
    the treatment log and the resolved spec into ``out``. Returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for n, (name, frame) in enumerate(result.stages.items(), start=1):
        path = out / f"{n:02d}_{name}.csv"
        frame.to_csv(path, index=False, float_format="%.17g")
        written.append(path)
    extras = {"results_scores.csv": result.scores, "results_ranks.csv": result.ranks,
              "weights_effective.csv": result.weights}
    if result.treatment is not None:
        extras["treat_details.csv"] = result.treatment.details
    for name, frame in extras.items():
        frame.to_csv(out / name, index=False, float_format="%.17g")
        written.append(out / name)
    (out / "spec.yaml").write_text(dump_spec(result.spec), encoding="utf-8")
    written.append(out / "spec.yaml")
    return written


@index_app.command("build")
def index_build(
    data: Path = typer.Argument(..., help="iData (CSV or XLSX): uCode, [uName], [Time], groups, indicators"),
    meta: Path = typer.Argument(..., help="iMeta (CSV or XLSX): iCode, Level, Parent, Direction, Weight, Type …"),
    spec: Path = typer.Option(..., "--spec", help="pipeline spec (YAML), see docs/index-spec.md"),
    out: Path = typer.Option(..., "--out", help="output folder for the stage and result CSVs"),
) -> None:
    """Build an index and write every stage (Raw … Aggregated) and the results as CSV."""
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
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    files = write_result(result, out)
    units = result.scores["uCode"].nunique()
    console.print(f"built {result.structure.codes[-1]}: {units} units, {len(result.structure.indicators)} indicators;"
                  f" {len(files)} files in {out}")
