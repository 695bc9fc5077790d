"""The HTML version: one self-contained file (styles inline, charts as embedded SVG images)."""

from __future__ import annotations

import base64

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kechuang.reports.fmt import TEMPLATES, cell_text
from kechuang.reports.i18n import PackText
from kechuang.reports.model import Report, Snapshot
from kechuang.reports.render import demo_column, layout

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report, snapshot: Snapshot, svgs: dict[str, str]) -> str:
    """The report as an HTML document; ``svgs`` maps chart ids to their SVG text."""
    lay = layout(report)
    L = PackText(report.lang)
    images = {cid: base64.b64encode(text.encode("utf-8")).decode("ascii") for cid, text in svgs.items()}
    return _env.get_template("report.html.j2").render(
        r=report, snapshot=snapshot, images=images, numbers=lay.numbers, sheets=lay.sheets, cell=cell_text,
        demo_column=demo_column, demo_label=L.demo_label, L=L, lang="zh-CN" if report.lang == "zh" else report.lang)
