"""The Word version (python-docx).

Charts are embedded as SVG (the ``asvg:svgBlip`` extension Word 2016+ reads) with the PNG of the same
chart as the picture older readers show. Text is set in Noto Sans CJK SC (also as the East Asian font).
The content hash and generation time are written into the document properties and on the title page.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table as DocxTable
from lxml import etree

from kechuang.reports.fmt import cell_text
from kechuang.reports.i18n import PackText
from kechuang.reports.model import Chart, Report, Snapshot, Table
from kechuang.reports.render import Layout, demo_column, layout

FONT = "Noto Sans CJK SC"
SVG_EXT_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
DEMO_RED = RGBColor(0x8C, 0x1D, 0x2C)
GREY = RGBColor(0x44, 0x44, 0x44)


def _fonts(rpr_owner: object, name: str = FONT) -> None:
    """Set the Latin and East Asian font of a style or run (removing theme fonts that would override it)."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _styles(doc: DocumentObject) -> None:
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        _fonts(style.element)
    doc.styles["Normal"].font.size = Pt(10.5)
    for name, size in (("Heading 1", 15), ("Heading 2", 12.5), ("Title", 22)):
        doc.styles[name].font.size = Pt(size)


def _field(paragraph: object, instruction: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)  # type: ignore[attr-defined]


def _demo_run(paragraph: object, text: str) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.font.color.rgb = DEMO_RED
    run.bold = True


def _shade(cell: object, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _table(doc: DocumentObject, table: Table, number: int, L: PackText) -> None:
    caption = doc.add_paragraph(style="Caption" if "Caption" in [s.name for s in doc.styles] else None)
    run = caption.add_run(L("表{n} {title}", n=number, title=table.title))
    run.bold = True
    if table.demo:
        _demo_run(caption, L.paren(L.demo_label))
    cols = table.shown_columns()
    tag = demo_column(table)
    grid: DocxTable = doc.add_table(rows=1 + len(table.rows), cols=len(cols))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, col in zip(header.cells, cols, strict=True):
        cell.text = ""
        r = cell.paragraphs[0].add_run(col.label)
        r.bold = True
        r.font.size = Pt(8.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _shade(cell, "E8EEF6")
    for row, grid_row in zip(table.rows, grid.rows[1:], strict=True):
        for cell, col in zip(grid_row.cells, cols, strict=True):
            p = cell.paragraphs[0]
            r = p.add_run(cell_text(row.get(col.key), col))
            r.font.size = Pt(8.5)
            if col.kind in ("number", "integer", "percent"):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if row.get("_demo") and col.key == tag:
                run = p.add_run(L.paren(L.demo_label))
                run.font.size = Pt(7.5)
                run.font.color.rgb = DEMO_RED
    for note in table.notes:
        p = doc.add_paragraph()
        r = p.add_run(note)
        r.font.size = Pt(8)
        r.font.color.rgb = GREY


def _svg_picture(doc: DocumentObject, svg: str, png: bytes, width_cm: float, index: int) -> None:
    """A picture showing ``png``, with ``svg`` attached as the vector image Word 2016+ displays."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    part = doc.part
    svg_part = Part(PackURI(f"/word/media/chart{index}.svg"), "image/svg+xml", svg.encode("utf-8"), part.package)
    rid = part.relate_to(svg_part, RT.IMAGE)
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    ext_list = blip.find(qn("a:extLst"))
    if ext_list is None:
        ext_list = OxmlElement("a:extLst")
        blip.append(ext_list)
    ext = OxmlElement("a:ext")
    ext.set("uri", SVG_EXT_URI)
    svg_blip = etree.SubElement(ext, f"{{{ASVG_NS}}}svgBlip", nsmap={"asvg": ASVG_NS})
    svg_blip.set(qn("r:embed"), rid)
    ext_list.append(ext)


def _chart(doc: DocumentObject, chart: Chart, number: int, image: tuple[str, bytes], index: int,
           L: PackText) -> None:
    svg, png = image
    _svg_picture(doc, svg, png, 16.0, index)
    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.add_run(L("图{n} {title}", n=number, title=chart.title)).bold = True
    if chart.demo:
        _demo_run(caption, L.paren(L.demo_label))
    if chart.note:
        r = doc.add_paragraph().add_run(chart.note)
        r.font.size = Pt(8)
        r.font.color.rgb = GREY


def render_docx(report: Report, snapshot: Snapshot, images: dict[str, tuple[str, bytes]]) -> bytes:
    """The report as a .docx file; ``images`` maps chart ids to (SVG text, PNG bytes)."""
    lay: Layout = layout(report)
    L = PackText(report.lang)
    doc = Document()
    _styles(doc)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, _, after = L("{title} · 第 {page} 页", title=report.title, page="\0").partition("\0")
        footer.add_run(before)
        _field(footer, "PAGE")
        footer.add_run(after)
        if report.demo:
            head = section.header.paragraphs[0]
            head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _demo_run(head, L.demo_label)
    props = doc.core_properties
    props.title = report.title
    props.subject = report.subtitle
    props.author = "kechuang"
    props.keywords = f"content_sha256={snapshot.content_sha256}"
    props.comments = f"content_sha256={snapshot.content_sha256}; generated_at={snapshot.generated_at}"
    doc.add_paragraph(report.title, style="Title")
    doc.add_paragraph(report.subtitle)
    if report.demo:
        p = doc.add_paragraph()
        _demo_run(p, f"【{L.demo_label}】")
        p.add_run(report.demo_notice)
    meta = report.meta
    lines = [L("规划版本：第 {n} 版（SHA-256 {sha}）", n=meta["plan"]["version"], sha=meta["plan"]["version_sha256"])]
    if meta.get("index_run"):
        run = meta["index_run"]
        lines.append(L("指数计算：第 {n} 次（数据 SHA-256 {sha}，引擎 {engine}）", n=run["run_id"],
                       sha=run["data_sha256"], engine=run["engine_version"]))
    lines += [L("方法版本：{fmt}；kechuang {version}", fmt=meta["methods"]["report_format"],
                version=meta["methods"]["kechuang"]),
              L("数据快照：内容 SHA-256 {sha}", sha=snapshot.content_sha256),
              L("生成时间：{at}", at=snapshot.generated_text)]
    for line in lines:
        r = doc.add_paragraph().add_run(line)
        r.font.size = Pt(8)
        r.font.color.rgb = GREY
    chart_index = 0
    for sec in report.sections:
        doc.add_heading(sec.title, level=1)
        for block in sec.blocks:
            if block.type == "paragraph":
                p = doc.add_paragraph()
                r = p.add_run(block.text)  # type: ignore[union-attr]
                if block.style == "note":  # type: ignore[union-attr]
                    r.font.size = Pt(9)
            elif block.type == "heading":
                doc.add_heading(block.text, level=2)  # type: ignore[union-attr]
            elif isinstance(block, Table):
                if block.annex_only:
                    p = doc.add_paragraph()
                    p.add_run(L("{title}：共 {n} 行，见 Excel 附件工作表“{sheet}”。", title=block.title,
                                n=len(block.rows), sheet=lay.sheets[block.id]))
                    if block.demo:
                        _demo_run(p, L.paren(L.demo_label))
                else:
                    _table(doc, block, lay.numbers[block.id], L)
            elif isinstance(block, Chart):
                chart_index += 1
                _chart(doc, block, lay.numbers[block.id], images[block.id], chart_index, L)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
