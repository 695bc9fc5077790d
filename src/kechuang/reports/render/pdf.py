"""The PDF version: the HTML version laid out by WeasyPrint (A4, page numbers, 演示数据 in the header of
every page of a demo report). The Noto CJK fonts are found through fontconfig and embedded as subsets."""

from __future__ import annotations

from weasyprint import HTML


def render_pdf(html: str) -> bytes:
    """PDF bytes of an HTML report (``render_html`` output)."""
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
