"""Every benchmark of the index engine and of the commands a user runs, in one run, with the machine it ran on.

    python -m benchmarks.run                      # print the report (Markdown)
    python -m benchmarks.run --write docs/benchmarks.md   # …and replace the generated section of that file
    python -m benchmarks.run --quick              # fewer repeats, without the 10,000-run synthetic analysis

(``make bench`` runs the second line.) Whole-process figures start a fresh ``python -m kechuang …`` for every
repeat, as a user's shell does, and report the median and the range of the wall times; in-process figures time
the call alone, inputs already in memory. Inputs: the COINr ASEM example in ``tests/fixtures`` and the seeded
synthetic panel of :mod:`benchmarks.engine` (generated, not timed).

COINr comparisons need R with COINr 1.1.14, which this machine does not have; the report says so instead of
quoting a ratio that was not measured in the same run.
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


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: Sequence[str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, its threads and children included) of ``python ARGS`` in a fresh
    process, and what it printed."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=_env(), cwd=REPO,
                          timeout=1800)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args)} failed:\n{done.stderr[-3000:]}")
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


def report(quick: bool) -> str:
    """Run everything and return the Markdown section."""
    repeat = 3 if quick else 7
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows: list[tuple[str, str, str]] = []
    asem = [str(ASEM / "ASEM_iData.csv"), str(ASEM / "ASEM_iMeta.csv"), "--spec",
            str(EXAMPLES / "asem_variant_a.yaml")]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows.append(("`kechuang --help`", "whole process", _whole(["-m", "kechuang", "--help"], repeat)))
        rows.append(("`kechuang index build --help`", "whole process",
                     _whole(["-m", "kechuang", "index", "build", "--help"], repeat)))
        rows.append(("`kechuang index build` ASEM (51 units × 49 indicators, 12 CSV files)", "whole process",
                     _whole(["-m", "kechuang", "index", "build", *asem, "--out", str(out / "asem")], repeat)))
        wall, cpu = asem_build_in_process(repeat)
        rows.append(("`build()` ASEM, in process", "per build, wall / CPU",
                     f"{_span(wall, 'ms')} / {_span(cpu, 'ms')}"))
        (out / "large").mkdir()
        large = _large_inputs(out / "large")
        for fmt in ("csv", "parquet"):
            rows.append((f"`kechuang index build` 2,844 units × 200 indicators, `--format {fmt}`", "whole process",
                         _whole(["-m", "kechuang", "index", "build", *large, "--out", str(out / fmt),
                                 "--format", fmt], max(2, repeat // 2))))
        sa = ["-m", "kechuang", "index", "uncertainty", *asem, "--ua", str(EXAMPLES / "ua_coinr_vignette.yaml"),
              "--n", "500", "--sa", "--seed", "1", "--out", str(out / "sa")]
        sa_wall, sa_cpu = _times(sa, max(2, repeat // 2))
        rows.append(("`kechuang index uncertainty … --n 500 --sa` ASEM (3,000 regenerations)", "whole process",
                     f"{_span(sa_wall)} wall, {statistics.median(sa_wall) / 3000 * 1000:.2f} ms per regeneration; "
                     f"CPU {_span(sa_cpu)}"))
        text = _run(["-m", "benchmarks.uncertainty", "asem"])[2]
        rows.append(("ASEM SA, 3,000 regenerations, analysis call only", "in process (default backend)",
                     f"{_figure(WALL, text):.2f} s; peak RSS {_figure(TREE_RSS, text):,.0f} MiB"))
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
    lines = [
        START,
        f"Generated by `python -m benchmarks.run{' --quick' if quick else ''}` on {started}.",
        "",
        f"**Machine.** {machine()}. Load average {load_before[0]:.1f} at the start and {load_after[0]:.1f} at the end "
        "of the run: the machine is shared with other engineers' test suites, so every figure here is slower than "
        "on an idle machine, and wall times vary from run to run (CPU time varies less).",
        "",
        "| what | how | measured |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        "**COINr.** The side-by-side comparisons with COINr 1.1.14 (`Rscript` building the same ASEM index, and "
        "`get_sensitivity()` for the same 3,000-regeneration analysis) need R with COINr, which is not installed "
        "on this machine and cannot be (no CRAN access). No COINr ratio is quoted here: a ratio is only "
        "meaningful when both sides are measured in the same run on the same machine.",
        END,
    ]
    return "\n".join(lines)


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
    args = parser.parse_args(argv)
    section = report(args.quick)
    print(section)
    if args.write is not None:
        write_section(args.write, section)


if __name__ == "__main__":
    main()
