"""Every benchmark of the index engine and of the commands a user runs, in one run, with the machine it ran on.

    python -m benchmarks.run                      # print the report (Markdown)
    python -m benchmarks.run --write docs/benchmarks.md   # …and replace the generated section of that file
    python -m benchmarks.run --quick              # fewer repeats, without the 10,000-run synthetic analysis

(``make bench`` runs the second line.) Whole-process figures start a fresh ``python -m kechuang …`` for every
repeat, as a user's shell does, and report the median and the range of the wall times; in-process figures time
the call alone, inputs already in memory. Inputs: the COINr ASEM example in ``tests/fixtures`` and the seeded
synthetic panel of :mod:`benchmarks.engine` (generated, not timed).

COINr comparisons (:mod:`benchmarks.coinr`): when ``Rscript`` and COINr are installed (``make bench-deps``), the
same ASEM build and the same sensitivity analysis are run by COINr in the same run, alternating with ours (ours,
COINr, ours, …), and the report gives the ratios of the medians; without R or COINr it says which is missing.
``--coinr-sa-n`` sets N of COINr's side of the analysis (default 500, as ours; each COINr run takes minutes), and
the ratio is then taken per regeneration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASEM = REPO / "tests" / "fixtures" / "reference" / "coinr-asem"
EXAMPLES = REPO / "src" / "kechuang" / "index" / "examples"
START, END = "<!-- benchmarks.run: start -->", "<!-- benchmarks.run: end -->"
if str(REPO / "src") not in sys.path:  # the in-process figures measure this repository's code, as the runs do
    sys.path.insert(0, str(REPO / "src"))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: Sequence[str], exe: str | None = None) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, its threads and children included) of ``python ARGS`` (or
    ``exe ARGS``) in a fresh process, and what it printed."""
    cpu = _children_cpu()
    start = time.perf_counter()
    command = [exe or sys.executable, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=REPO, timeout=7200)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds, _children_cpu() - cpu, done.stdout


def _times(args: Sequence[str], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU times of ``repeat`` fresh runs."""
    runs = [_run(args)[:2] for _ in range(repeat)]
    return [w for w, _ in runs], [c for _, c in runs]


def _whole(args: Sequence[str], repeat: int) -> str:
    wall, cpu = _times(args, repeat)
    return f"{_span(wall)} wall; CPU {_span(cpu)}"


def _span(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    """``median (min–max)`` of ``values``."""
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f} {unit}"
    return f"{med:.{digits}f} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f}, {len(values)} runs)"


def machine() -> str:
    """The hardware and software line."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f"{mem / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        memory = "unknown memory"
    import numpy
    import pandas
    import pyarrow

    return (f"{cpu}, {os.cpu_count()} cores, {memory}; {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}, NumPy {numpy.__version__}, pandas {pandas.__version__}, "
            f"pyarrow {pyarrow.__version__}")


def asem_build_in_process(repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per ASEM build (variant A), in batches of 20 builds after 5 warm-up builds."""
    from kechuang.index import build, example_spec, read_idata, read_imeta

    meta = read_imeta(ASEM / "ASEM_iMeta.csv")
    data = read_idata(ASEM / "ASEM_iData.csv", meta)
    spec = example_spec("asem_variant_a")
    for _ in range(5):
        build(data, meta, spec)
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        for _ in range(20):
            build(data, meta, spec)
        wall.append((time.perf_counter() - w) / 20 * 1000)
        cpu.append((time.process_time() - c) / 20 * 1000)
    return wall, cpu


def _large_inputs(folder: Path) -> list[str]:
    """iData, iMeta and spec files of the synthetic 2,844 units × 200 indicators, one year."""
    from benchmarks.engine import bench_spec, synthetic_inputs
    from kechuang.index.spec import dump_spec

    data, meta = synthetic_inputs(2844, 200, years=1, seed=0)
    data.drop(columns="Time").to_csv(folder / "iData.csv", index=False)
    meta.to_csv(folder / "iMeta.csv", index=False)
    (folder / "spec.yaml").write_text(dump_spec(bench_spec()), encoding="utf-8")
    return [str(folder / "iData.csv"), str(folder / "iMeta.csv"), "--spec", str(folder / "spec.yaml")]


WALL = r"wall time: ([\d.]+) s"
TREE_RSS = r"peak RSS of the process tree: ([\d,]+) MiB"


def _figure(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"{pattern!r} not in:\n{text}")
    return float(found.group(1).replace(",", ""))


Runs = list[tuple[float, float, str]]


def _alternate(ours: Sequence[str], theirs: Sequence[str] | None, exe: str, repeat: int,
               their_repeat: int | None = None) -> tuple[Runs, Runs]:
    """Fresh runs of ``python OURS`` and ``exe THEIRS``, alternating (ours first): ``repeat`` of ours and
    ``their_repeat`` (default ``repeat``) of theirs, theirs spread among ours."""
    their_repeat = repeat if their_repeat is None else their_repeat
    mine: Runs = []
    other: Runs = []
    for i in range(max(repeat, their_repeat)):
        if i < repeat:
            mine.append(_run(ours))
        if theirs is not None and i < their_repeat:
            other.append(_run(theirs, exe))
    return mine, other


def _walls(runs: Sequence[tuple[float, float, str]]) -> tuple[list[float], list[float]]:
    return [w for w, _, _ in runs], [c for _, c, _ in runs]


def _ratio(theirs: Sequence[float], ours: Sequence[float]) -> str:
    return f"{statistics.median(theirs) / statistics.median(ours):.1f}×"


def report(quick: bool, coinr_sa_n: int | None = None) -> str:
    """Run everything and return the Markdown section."""
    from benchmarks.coinr import coinr_version, rscript, write_scripts

    repeat = 3 if quick else 7
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows: list[tuple[str, str, str]] = []
    coinr_rows: list[tuple[str, str, str]] = []
    version, missing = coinr_version()
    exe = rscript() or "Rscript"
    ua = EXAMPLES / "ua_coinr_vignette.yaml"
    sa_n = 500
    their_sa_n = (50 if quick else sa_n) if coinr_sa_n is None else coinr_sa_n
    asem = [str(ASEM / "ASEM_iData.csv"), str(ASEM / "ASEM_iMeta.csv"), "--spec",
            str(EXAMPLES / "asem_variant_a.yaml")]
    csvs = [str(ASEM / "ASEM_iData.csv"), str(ASEM / "ASEM_iMeta.csv")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build_r, sa_r = write_scripts(out)
        rows.append(("`kechuang --help`", "whole process", _whole(["-m", "kechuang", "--help"], repeat)))
        rows.append(("`kechuang index build --help`", "whole process",
                     _whole(["-m", "kechuang", "index", "build", "--help"], repeat)))
        mine, other = _alternate(["-m", "kechuang", "index", "build", *asem, "--out", str(out / "asem")],
                                 None if version is None else [str(build_r), *csvs, str(out / "asem-coinr")],
                                 exe, repeat)
        wall, cpu = _walls(mine)
        rows.append(("`kechuang index build` ASEM (51 units × 49 indicators, 12 CSV files)", "whole process",
                     f"{_span(wall)} wall; CPU {_span(cpu)}"))
        if other:
            r_wall, r_cpu = _walls(other)
            coinr_rows.append(("ASEM build, whole process: `kechuang index build` vs `Rscript build.R`",
                               f"{_span(wall)} vs {_span(r_wall)} wall; CPU {_span(cpu)} vs {_span(r_cpu)}",
                               f"**{_ratio(r_wall, wall)}** faster (CPU {_ratio(r_cpu, cpu)})"))
        wall, cpu = asem_build_in_process(repeat)
        rows.append(("`build()` ASEM, in process", "per build, wall / CPU",
                     f"{_span(wall, 'ms')} / {_span(cpu, 'ms')}"))
        (out / "large").mkdir()
        large = _large_inputs(out / "large")
        for fmt in ("csv", "parquet"):
            rows.append((f"`kechuang index build` 2,844 units × 200 indicators, `--format {fmt}`", "whole process",
                         _whole(["-m", "kechuang", "index", "build", *large, "--out", str(out / fmt),
                                 "--format", fmt], max(2, repeat // 2))))
        sa = ["-m", "kechuang", "index", "uncertainty", *asem, "--ua", str(ua),
              "--n", str(sa_n), "--sa", "--seed", "1", "--out", str(out / "sa")]
        mine, other = _alternate(sa, None if version is None else [str(sa_r), *csvs, str(their_sa_n)], exe,
                                 max(2, repeat // 2), 1)
        sa_wall, sa_cpu = _walls(mine)
        regenerations = 6 * sa_n
        rows.append((f"`kechuang index uncertainty … --n {sa_n} --sa` ASEM ({regenerations:,} regenerations)",
                     "whole process",
                     f"{_span(sa_wall)} wall, {statistics.median(sa_wall) / regenerations * 1000:.2f} ms per "
                     f"regeneration; CPU {_span(sa_cpu)}"))
        text = _run(["-m", "benchmarks.uncertainty", "asem", "--n", str(sa_n)])[2]
        call = _figure(WALL, text)
        rows.append((f"ASEM SA, {regenerations:,} regenerations, analysis call only", "in process (default backend)",
                     f"{call:.2f} s; peak RSS {_figure(TREE_RSS, text):,.0f} MiB"))
        if other:
            r_wall, r_cpu = _walls(other)
            theirs = 6 * their_sa_n
            ours_per = statistics.median(sa_wall) / regenerations
            their_per = statistics.median(r_wall) / theirs
            coinr_rows.append((
                f"ASEM sensitivity analysis, whole process: `kechuang index uncertainty --n {sa_n} --sa` "
                f"({regenerations:,} regenerations) vs `Rscript sa.R` (`get_sensitivity`, N = {their_sa_n}, "
                f"{theirs:,} regenerations)",
                f"{statistics.median(sa_wall):.2f} s vs {statistics.median(r_wall):.1f} s wall: "
                f"{ours_per * 1000:.2f} vs {their_per * 1000:.1f} ms per regeneration",
                f"**{their_per / ours_per:.0f}×** faster per regeneration"))
            their_call = _figure(r"get_sensitivity: ([\d.]+) s", other[0][2])
            coinr_rows.append((
                "the same, analysis call only: `sensitivity_analysis()` vs `get_sensitivity()`",
                f"{call:.2f} s vs {their_call:.1f} s: {call / regenerations * 1000:.3f} vs "
                f"{their_call / theirs * 1000:.1f} ms per regeneration",
                f"**{their_call / theirs / (call / regenerations):.0f}×** faster per regeneration"))
        text = _run(["-m", "benchmarks.engine"])[2]
        first = _figure(r"pipeline wall time: ([\d.]+) s", text)
        second = _figure(r"second build: ([\d.]+) s", text)
        rss = _figure(r"peak RSS: ([\d,]+) MiB", text)
        rows.append(("`build()` 2,844 units × 200 indicators × 30 years (17 M values)", "in process",
                     f"first build {first:.2f} s, second {second:.2f} s; peak RSS {rss:,.0f} MiB"))
        if not quick:
            text = _run(["-m", "benchmarks.uncertainty", "synthetic"])[2]
            rows.append(("synthetic UA, 10,000 regenerations of 2,844 × 200", "in process call, default backend",
                         f"{_figure(WALL, text):.2f} s; peak RSS of the process tree "
                         f"{_figure(TREE_RSS, text):,.0f} MiB"))
    load_after = os.getloadavg()
    command = "python -m benchmarks.run" + (" --quick" if quick else "") + (
        f" --coinr-sa-n {coinr_sa_n}" if coinr_sa_n is not None else "")
    if version is None:
        coinr = [f"**COINr.** Not measured in this run: {missing}. No COINr ratio is quoted here: a ratio is only "
                 "meaningful when both sides are measured in the same run on the same machine."]
    else:
        coinr = [
            f"**COINr {version}** (R {_r_version(exe)}), measured in the same run, alternating with ours; the R "
            "programs are written by `benchmarks/coinr.py` (the same CSV files, the same steps; the analysis with "
            "the four inputs of COINr's sensitivity vignette). Ratios are COINr's median over ours:",
            "",
            "| comparison | measured (ours vs COINr) | ratio |",
            "|---|---|---|",
            *(f"| {a} | {b} | {c} |" for a, b, c in coinr_rows),
        ]
    lines = [
        START,
        f"Generated by `{command}` on {started}.",
        "",
        f"**Machine.** {machine()}. Load average {load_before[0]:.1f} at the start and {load_after[0]:.1f} at the end "
        "of the run: the machine is shared with other engineers' test suites, so every figure here is slower than "
        "on an idle machine, and wall times vary from run to run (CPU time varies less).",
        "",
        "| what | how | measured |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        *coinr,
        END,
    ]
    return "\n".join(lines)


def _r_version(exe: str) -> str:
    done = subprocess.run([exe, "-e", "cat(paste(R.version$major, R.version$minor, sep = '.'))"],
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip() or "unknown"


def write_section(path: Path, section: str, start: str = START, end: str = END) -> None:
    """Replace the text between the markers in ``path`` (append it when the markers are absent)."""
    text = path.read_text(encoding="utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats, no 10,000-run synthetic analysis")
    parser.add_argument("--write", type=Path, help="Markdown file whose generated section to replace")
    parser.add_argument("--coinr-sa-n", type=int, default=None,
                        help="N of COINr's sensitivity analysis (default 500, 50 with --quick)")
    args = parser.parse_args(argv)
    section = report(args.quick, args.coinr_sa_n)
    print(section)
    if args.write is not None:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
