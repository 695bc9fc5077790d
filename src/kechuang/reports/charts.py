"""Charts of a report, drawn from its data with matplotlib: SVG (vector, glyphs as paths so the file needs
no font) for HTML, PDF and Word, and a PNG of the same chart as Word's fallback for older readers.

Labels are Chinese, set in Noto Sans CJK SC (Debian ``fonts-noto-cjk``). Output is deterministic: no date
in the SVG metadata and a fixed hash salt for element ids, so the same chart data give the same bytes.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from kechuang.reports.model import DEMO_LABEL, Chart  # noqa: E402

CJK_FONT_FILES = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                  Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"))
FONT_FAMILY = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6a4c93", "#5d6d7e", "#c9a227"]
WIDTH_IN, HEIGHT_IN = 7.0, 3.6


@lru_cache(maxsize=1)
def _register_fonts() -> bool:
    """Register the Noto CJK fonts with matplotlib (once); False when they are not installed."""
    found = False
    for path in CJK_FONT_FILES:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            found = True
    return found


def _rc() -> Any:
    return {"font.family": FONT_FAMILY, "axes.unicode_minus": False, "svg.fonttype": "path",
            "svg.hashsalt": "kechuang-report", "font.size": 9, "axes.titlesize": 10,
            "axes.spines.top": False, "axes.spines.right": False}


def _wrap(label: str, width: int = 8) -> str:
    """Break a long Chinese category label into lines of ``width`` characters."""
    return "\n".join(label[i:i + width] for i in range(0, len(label), width)) if len(label) > width else label


def _draw(chart: Chart) -> Figure:
    _register_fonts()
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=100)
        ax = fig.add_subplot()
        fmt = FuncFormatter(lambda v, _: f"{v * 100:.0f}%") if chart.percent else None
        if chart.kind == "line":
            x = list(range(len(chart.categories)))
            for i, s in enumerate(chart.series):
                ys = [math.nan if v is None else v for v in s.values]
                ax.plot(x, ys, marker="o", markersize=3, linewidth=2.2 if i == 0 else 1.3,
                        color=PALETTE[i % len(PALETTE)], label=s.name)
            step = max(1, len(x) // 12)
            ax.set_xticks(x[::step], [chart.categories[i] for i in x[::step]])
            ax.legend(fontsize=7, frameon=False, loc="upper left")
        elif chart.kind == "bar":
            n = len(chart.series)
            width = 0.8 / max(n, 1)
            x = list(range(len(chart.categories)))
            for i, s in enumerate(chart.series):
                ys = [0.0 if v is None else v for v in s.values]
                pos = [p - 0.4 + width * (i + 0.5) for p in x]
                bars = ax.bar(pos, ys, width=width * 0.95, color=PALETTE[i % len(PALETTE)], label=s.name)
                labels = [("—" if v is None else (f"{v * 100:.1f}%" if chart.percent else f"{v:.1f}"))
                          for v in s.values]
                ax.bar_label(bars, labels=labels, fontsize=7, padding=1)
            ax.set_xticks(x, [_wrap(c) for c in chart.categories])
            ax.margins(y=0.18)
            ax.legend(fontsize=7, frameon=False, ncols=max(n, 1), loc="upper center", bbox_to_anchor=(0.5, 1.0))
            ax.axhline(0, color="#444444", linewidth=0.6)
        else:  # barh
            values = [0.0 if v is None else v for v in chart.series[0].values]
            y = list(range(len(chart.categories)))[::-1]
            colours = [PALETTE[0] if v >= 0 else PALETTE[3] for v in values]
            bars = ax.barh(y, values, color=colours, height=0.6)
            ax.bar_label(bars, labels=[f"{v:+.1f}" for v in values], fontsize=7, padding=2)
            ax.set_yticks(y, [_wrap(c, 14) for c in chart.categories])
            ax.axvline(0, color="#444444", linewidth=0.6)
            ax.margins(x=0.15)
        if fmt is not None:
            ax.yaxis.set_major_formatter(fmt)
        if chart.y_label:
            (ax.set_xlabel if chart.kind == "barh" else ax.set_ylabel)(chart.y_label)
        ax.set_title(chart.title + (f"（{DEMO_LABEL}）" if chart.demo else ""))
        ax.grid(axis="x" if chart.kind == "barh" else "y", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        if chart.demo:
            fig.text(0.99, 0.01, DEMO_LABEL, ha="right", va="bottom", fontsize=8, color="#b03a48")
        fig.tight_layout()
    return fig


def render(chart: Chart, with_png: bool = True, dpi: int = 150) -> tuple[str, bytes | None]:
    """The chart drawn once and saved as a standalone SVG document (text) and, when asked, as PNG."""
    with matplotlib.rc_context(_rc()):
        fig = _draw(chart)
        text = io.StringIO()
        fig.savefig(text, format="svg", metadata={"Date": None, "Creator": "kechuang"})
        raster = None
        if with_png:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
            raster = buf.getvalue()
    return text.getvalue(), raster
