"""Benchmark: build the full mid-term evaluation pack (Word, PDF, Excel annex, HTML) from the demonstration
database and report the time, with a breakdown by stage.

Run from the repository root::

    .venv/bin/python -m tests.reports.bench [--repeat 5] [--keep DIR]

The demonstration database (tests/reports/demo_data.py) is built first in a temporary folder and is not
timed. The first build of the process includes the one-off costs (font registration, template
compilation); the following builds are the steady state.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from kechuang.reports import charts
from kechuang.reports.model import Snapshot, content_hash
from kechuang.reports.render.docx import render_docx
from kechuang.reports.render.html import render_html
from kechuang.reports.render.pdf import render_pdf
from kechuang.reports.render.xlsx import render_xlsx
from kechuang.reports.service import build_report, generate
from kechuang.store.db import make_engine, session_factory
from tests.reports.demo_data import DEMO_DAY, build_demo_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="keep the database and the packs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'bench.db'}"
        if not (folder / "bench.db").exists():
            build_demo_database(url)
        engine = make_engine(url)
        sessions = session_factory(engine)
        totals = []
        for i in range(args.repeat):
            start = time.perf_counter()
            with sessions() as s:
                pack = generate(s, "midterm", 2023, folder / "packs", as_of=DEMO_DAY)
            totals.append(time.perf_counter() - start)
            print(f"build {i + 1}: {totals[-1]:.2f} s  ({', '.join(sorted(pack.files))}; "
                  f"content {pack.content_sha256[:12]})")
        stages: dict[str, float] = {}
        t0 = time.perf_counter()
        with sessions() as s:
            report = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        stages["content (database → data)"] = time.perf_counter() - t0
        snapshot = Snapshot(content_hash(report), "bench")
        t0 = time.perf_counter()
        images = {c.id: charts.render(c) for c in report.charts()}
        stages[f"charts ({len(images)} × SVG + PNG)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = render_html(report, snapshot, {k: v[0] for k, v in images.items()})
        stages["HTML"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_pdf(html)
        stages["PDF (WeasyPrint)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_docx(report, snapshot, {k: (sv, pg or b"") for k, (sv, pg) in images.items()})
        stages["Word"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_xlsx(report, snapshot)
        stages["Excel annex"] = time.perf_counter() - t0
        engine.dispose()
    print(f"\nmid-term pack, {args.repeat} builds: first {totals[0]:.2f} s, median {statistics.median(totals):.2f} s, "
          f"best {min(totals):.2f} s")
    for name, seconds in stages.items():
        print(f"  {name:<28} {seconds:.2f} s")
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
