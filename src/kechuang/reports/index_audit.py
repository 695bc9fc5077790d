"""The statistical audit report of a composite index (`kechuang index audit`): HTML, PDF and an Excel workbook
with every table, from iData, iMeta, a pipeline spec and optionally an uncertainty spec.

The figures come from :mod:`kechuang.index.audit` and :mod:`kechuang.index.uncertainty`; this module only lays
them out, as the annex of a JRC audit: coherence (every element with every ancestor, sibling flags, principal
components and Cronbach's α per aggregate), weights against importance (correlation ratios), correlation-
optimised weights, added value of the index against its dimensions and the effect of dropping each, the
efficiency ratio and links to external measures when asked, the uncertainty of the ranks and, for an index over
time, the year-on-year probabilities of a rise and the intervals of the growth.

Every number is traced to the run: the SHA-256 of each input file, the engine version, N and the seed, and the
SHA-256 of the canonical content of all tables (``content_sha256``), printed on the cover of the HTML/PDF,
on the sheet 说明 of the workbook and in ``manifest.json`` beside the SHA-256 of each file written.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

import kechuang
from kechuang.core.spreadsheet import xlsx_bytes
from kechuang.index import audit
from kechuang.index._grid import TIME, UNIT
from kechuang.index.io import read_idata, read_imeta, read_table
from kechuang.index.pipeline import Result, build
from kechuang.index.spec import dump_spec, load_spec
from kechuang.index.uncertainty import load_ua_spec, uncertainty_analysis
from kechuang.reports.charts import _rc, _register_fonts, render
from kechuang.reports.fmt import TEMPLATES
from kechuang.reports.model import DEMO_LABEL, Chart, ChartSeries, canonical_json
from kechuang.reports.render.pdf import render_pdf

__all__ = ["AUDIT_FORMAT", "write_audit_report", "build_audit", "AuditReport"]

#: version of the audit report's layout and method (part of the traced content)
AUDIT_FORMAT = "kechuang-index-audit/1"
#: cross-sectional statistics use the latest year when it has at least this many units, else all rows pooled
MIN_UNITS_PER_YEAR = 10
FILES = {"html": "audit.html", "pdf": "audit.pdf", "xlsx": "audit.xlsx"}

Kind = Literal["text", "int", "num1", "num3", "pct"]


@dataclass
class AuditTable:
    """A table of the report: ``frame`` holds every column (all go to the workbook); ``columns`` lists the
    (column, label, kind) shown in HTML/PDF (``kind`` fixes the format); ``show`` False puts it in the
    workbook only."""

    id: str
    title: str
    frame: pd.DataFrame
    columns: list[tuple[str, str, Kind]]
    note: str = ""
    show: bool = True


@dataclass
class AuditSection:
    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)


@dataclass
class Figure_:
    """A chart: its id, caption, SVG text (HTML) and PNG bytes (PDF: WeasyPrint lays out a raster far faster
    than an SVG whose glyphs are paths)."""

    id: str
    title: str
    svg: str
    png: bytes


@dataclass
class AuditReport:
    """The assembled report: cover facts (``provenance``: label → value), sections of paragraphs (str),
    tables and figures, the spec texts, and whether demo data are involved."""

    title: str
    provenance: list[tuple[str, str]]
    sections: list[AuditSection]
    spec_text: str
    ua_text: str
    demo: bool
    content_sha256: str = ""

    def tables(self) -> list[AuditTable]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, AuditTable)]


# ------------------------------------------------------------------ helpers


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, int | str | bool) else str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")]


def _cell(value: Any, kind: Kind) -> str:
    v = _plain(value)
    if v is None or v == "":
        return "—" if kind != "text" else ""
    if kind == "text":
        return str(v)
    if kind == "int":
        return f"{int(round(float(v)))}"
    if kind == "pct":
        return f"{float(v) * 100:.1f}%"
    return f"{float(v):.{1 if kind == 'num1' else 3}f}"


def _chart(chart: Chart) -> Figure_:
    svg, png = render(chart, with_png=True)
    assert png is not None
    return Figure_(chart.id, chart.title, svg, png)


def _figure(id_: str, title: str, fig: Figure) -> Figure_:
    text = io.StringIO()
    fig.savefig(text, format="svg", metadata={"Date": None, "Creator": "kechuang"})
    raster = io.BytesIO()
    fig.savefig(raster, format="png", dpi=150, metadata={"Software": None})
    return Figure_(id_, title, text.getvalue(), raster.getvalue())


def _interval_chart(id_: str, title: str, labels: list[str], low: list[float], mid: list[float],
                    high: list[float], nominal: list[float], x_label: str, *, horizontal: bool,
                    invert: bool = False, percent: bool = False) -> Figure_:
    """Intervals [low, high] with a median dot and a nominal mark per category (horizontal: one row each)."""
    _register_fonts()
    with matplotlib.rc_context(_rc()):
        height = max(3.0, 0.16 * len(labels) + 1.0) if horizontal else 3.4
        fig = Figure(figsize=(7.0, height), dpi=100)
        ax = fig.add_subplot()
        pos = np.arange(len(labels))
        lo, md, hi, nom = (np.array(v, dtype=float) for v in (low, mid, high, nominal))
        if horizontal:
            ax.hlines(pos, lo, hi, color="#1f5fa8", linewidth=2)
            ax.plot(md, pos, "o", color="#1f5fa8", markersize=3, label="中位数")
            ax.plot(nom, pos, "|", color="#b03a48", markersize=8, label="名义值")
            ax.set_yticks(pos, labels, fontsize=6 if len(labels) > 30 else 8)
            ax.set_ylim(len(labels) - 0.5, -0.5)
            ax.set_xlabel(x_label)
            if invert:
                ax.invert_xaxis()
        else:
            ax.vlines(pos, lo, hi, color="#1f5fa8", linewidth=3)
            ax.plot(pos, md, "o", color="#1f5fa8", markersize=4, label="中位数")
            ax.plot(pos, nom, "_", color="#b03a48", markersize=12, markeredgewidth=2, label="名义值")
            ax.set_xticks(pos, labels)
            ax.set_ylabel(x_label)
            ax.axhline(0, color="#444444", linewidth=0.6)
        if percent:
            axis = ax.xaxis if horizontal else ax.yaxis
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
        ax.legend(fontsize=7, frameon=False, loc="best")
        ax.set_title(title)
        ax.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.5)
        fig.tight_layout()
        return _figure(id_, title, fig)


def _time_column(frame: pd.DataFrame) -> list[tuple[str, str, Kind]]:
    return [(TIME, "年份", "int")] if TIME in frame.columns else []


def _names(result: Result) -> dict[str, str]:
    meta = result.meta.set_index("iCode")
    return {str(c): str(meta.at[c, "iName"]) if pd.notna(meta.at[c, "iName"]) else str(c)
            for c in result.structure.codes}


def _cross_section(result: Result) -> tuple[int | None, str]:
    """The year cross-sectional statistics use, and the sentence saying so."""
    scores = result.scores
    if TIME not in scores.columns:
        return None, f"横截面统计基于全部 {len(scores)} 个单位。"
    latest = int(scores[TIME].max())
    units = int((scores[TIME] == latest).sum())
    if units >= MIN_UNITS_PER_YEAR or scores[TIME].nunique() == 1:
        return latest, f"横截面统计基于 {latest} 年的 {units} 个单位。"
    return None, (f"每年单位数少于 {MIN_UNITS_PER_YEAR}（{latest} 年 {units} 个），横截面统计基于全部 "
                  f"{len(scores)} 个单位-年份观测（合并各年）。")


# ------------------------------------------------------------------ sections


def _coherence_section(result: Result, year: int | None, where: str, names: dict[str, str]) -> AuditSection:
    sec = AuditSection("coherence", "一、统计一致性")
    sec.blocks.append(f"{where} 每个指标和分项与其各级上级（直接上级、更高层级直至总指数）的皮尔逊相关系数；"
                      f"r < 0 标为“负相关”，0 ≤ r < {audit.WEAK_R} 标为“弱相关”，与同层其他上级的相关高于与本上级者标为"
                      "“更接近其他上级”（OECD/JRC 2008 第 4 步；JRC 对 GII 的审计）。")
    long = audit.coherence(result, year=year)
    structure = result.structure
    pivot_rows = []
    for code in structure.codes:
        if structure.parent[code] is None:
            continue
        part = long[long["iCode"] == code]
        row: dict[str, Any] = {"iCode": code, "iName": names[code], "Level": structure.level[code]}
        for lev in range(2, structure.max_level + 1):
            hit = part[part["AncestorLevel"] == lev]
            row[f"L{lev}"] = float(hit["r"].iloc[0]) if len(hit) else None
        row["Closest"] = str(part["Closest"].iloc[0]) if len(part) else ""
        row["Flags"] = "; ".join(f"{a}: {f}" for a, f in zip(part["Ancestor"], part["Flag"], strict=True) if f)
        pivot_rows.append(row)
    pivot = pd.DataFrame(pivot_rows)
    cols: list[tuple[str, str, Kind]] = [("iCode", "编号", "text"), ("iName", "名称", "text"), ("Level", "层级", "int")]
    cols += [(f"L{lev}", f"与第{lev}层上级 r", "num3") for lev in range(2, structure.max_level + 1)]
    cols += [("Closest", "更接近的其他上级", "text"), ("Flags", "标记", "text")]
    sec.blocks.append(AuditTable("coherence", "各要素与其各级上级的相关系数", pivot, cols))
    sec.blocks.append(AuditTable("coherence_long", "各要素与各级上级的相关系数（长表）", long,
                                 [("iCode", "编号", "text"), ("Ancestor", "上级", "text"), ("r", "r", "num3"),
                                  ("Flag", "标记", "text")], show=False))
    flagged = int((long["Flag"] != "").sum())
    sec.blocks.append(f"共 {len(long)} 对要素—上级关系，其中 {flagged} 对被标记。")
    pairs = audit.sibling_flags(result, year=year)
    sec.blocks.append(AuditTable("sibling_flags", f"同一上级下共线（r > {audit.COLLINEAR_R}）或负相关"
                                 f"（r < {audit.NEGATIVE_PAIR_R}）的指标对", pairs,
                                 [("Level", "层级", "int"), ("Parent", "上级", "text"), ("A", "要素 A", "text"),
                                  ("B", "要素 B", "text"), ("r", "r", "num3"), ("Flag", "标记", "text")]))
    dims = audit.dimension_structure(result, year=year)
    sec.blocks.append(AuditTable("dimension_structure", "各分项的主成分与 Cronbach's α", dims,
                                 [("iCode", "分项", "text"), ("Level", "层级", "int"), ("Children", "下级数", "int"),
                                  ("PC1_share", "第一主成分方差占比", "pct"), ("Eigen_gt1", "特征值 > 1 的个数", "int"),
                                  ("Alpha", "Cronbach's α", "num3"), ("Flag", "标记", "text")],
                                 note="特征值 > 1 的主成分多于一个说明该分项的下级不只度量一个潜在维度（Kaiser 准则）；"
                                      f"α < {audit.ALPHA_MIN} 说明内部一致性偏弱。"))
    return sec


def _importance_section(result: Result, year: int | None, names: dict[str, str]) -> AuditSection:
    sec = AuditSection("importance", "二、权重与重要性")
    sec.blocks.append("名义权重并不等于指标对总指数的实际影响。相关比 Sᵢ = V[E(指数 | xᵢ)] / V(指数)"
                      "（一阶效应，Pearson 相关比）用惩罚 B 样条（P-spline，GCV 选择平滑参数）非参数估计；"
                      "按 Paruolo、Saisana 与 Saltelli（2013）的做法把 Sᵢ 与有效权重都归一化为本层占比后相比："
                      f"比值 < {audit.SILENT_RATIO} 标为“沉默”（silent），> {audit.DOMINANT_RATIO} 标为“主导”"
                      "（dominant）。")
    structure = result.structure
    chart_level = 2 if structure.max_level >= 3 else 1
    for level in range(1, structure.max_level):
        table = audit.importance(result, level, year=year)
        table.insert(1, "iName", [names[c] for c in table["iCode"]])
        sec.blocks.append(AuditTable(f"importance_L{level}", f"第{level}层要素的权重与重要性（对总指数）", table,
                                     [("iCode", "编号", "text"), ("iName", "名称", "text"), ("Parent", "上级", "text"),
                                      ("EffWeight", "有效权重", "num3"), ("r", "r", "num3"),
                                      ("S", "相关比 S", "num3"), ("S_share", "重要性占比", "pct"),
                                      ("W_share", "权重占比", "pct"), ("Ratio", "比值", "num3"),
                                      ("Flag", "标记", "text")]))
        if level == chart_level:
            sec.blocks.append(_chart(Chart(f"importance_chart_L{level}", f"第{level}层：重要性占比与权重占比", "bar",
                                           [names[c] for c in table["iCode"]],
                                           [ChartSeries("重要性占比", [_plain(v) for v in table["S_share"]]),
                                            ChartSeries("权重占比", [_plain(v) for v in table["W_share"]])],
                                           percent=True)))
    return sec


def _weights_section(result: Result) -> AuditSection:
    level = result.structure.max_level - 1
    sec = AuditSection("optimised_weights", "三、相关性优化权重")
    opt = audit.optimise_weights(result, level, "equal")
    sec.blocks.append(f"使第{level}层各要素与总指数的相关系数相等的权重（COINr get_opt_weights：目标函数 "
                      "log(Σ(tᵢ − rᵢ/Σr)²/m)，Nelder–Mead，reltol = 0.1，maxit = 500）；共评估目标函数 "
                      f"{opt.evaluations} 次，{'已收敛' if opt.converged else '未收敛'}。"
                      "优化权重只是参考：它说明要让各要素影响相当需要怎样的权重，不代替有依据的权重选择。")
    sec.blocks.append(AuditTable("optimised_weights", f"第{level}层相关性优化权重（等目标）", opt.table,
                                 [("iCode", "编号", "text"), ("Nominal", "原权重下 r", "num3"),
                                  ("Correlation", "优化后 r", "num3"), ("Desired", "目标占比", "pct"),
                                  ("Obtained", "实际占比", "pct"), ("OptWeight", "优化权重", "num3")]))
    sec.blocks.append(AuditTable("optimised_weights_all", "优化后的全部权重", opt.weights,
                                 [("iCode", "编号", "text"), ("Level", "层级", "int"), ("Weight", "权重", "num3")],
                                 show=False))
    return sec


def _added_value_section(result: Result, names: dict[str, str]) -> AuditSection:
    sec = AuditSection("added_value", "四、总指数的附加值")
    av = audit.added_value(result)
    sec.blocks.append(f"总指数排名与各分项排名相差超过 {audit.RANK_SHIFT} 位的单位占比：占比高说明总指数提供了单一分项"
                      "不能给出的信息；并给出去掉每个分项后总指数排名的平均绝对变化。")
    av.insert(1, "iName", [names[c] for c in av["iCode"]])
    sec.blocks.append(AuditTable("added_value", f"总指数与各分项排名相差超过 {audit.RANK_SHIFT} 位的单位占比", av,
                                 [("iCode", "编号", "text"), ("iName", "名称", "text"),
                                  *_time_column(av),
                                  ("Units", "单位数", "int"), ("Shifted", f"相差 > {audit.RANK_SHIFT} 位", "pct"),
                                  ("MeanAbsShift", "平均绝对差", "num1"), ("MaxAbsShift", "最大差", "int")]))
    latest = av if TIME not in av.columns else av[av[TIME] == av[TIME].max()]
    sec.blocks.append(_chart(Chart("added_value_chart", f"排名相差超过 {audit.RANK_SHIFT} 位的单位占比", "bar",
                                   [names[c] for c in latest["iCode"]],
                                   [ChartSeries("单位占比", [_plain(v) for v in latest["Shifted"]])], percent=True)))
    removal = audit.dimension_removal(result)
    if not removal.empty:
        sec.blocks.append(AuditTable("dimension_removal", "去掉一个分项后总指数排名的变化", removal,
                                     [("iCode", "去掉的分项", "text"),
                                      *_time_column(removal),
                                      ("MeanAbsRankShift", "平均绝对排名变化", "num3"),
                                      ("MaxAbsRankShift", "最大排名变化", "int")]))
    return sec


def _efficiency_section(result: Result, efficiency: tuple[Sequence[str], Sequence[str]]) -> AuditSection:
    num, den = efficiency
    sec = AuditSection("efficiency", "五、效率比")
    out = audit.efficiency_ratio(result, num, den)
    sec.blocks.append(f"效率比 = （{'、'.join(num)}）的加权平均 / （{'、'.join(den)}）的加权平均"
                      "（GII 创新效率比：产出分指数 / 投入分指数）。")
    sec.blocks.append(AuditTable("efficiency", "效率比", out,
                                 [(UNIT, "单位", "text"), *_time_column(out),
                                  ("Numerator", "分子", "num1"), ("Denominator", "分母", "num1"),
                                  ("Ratio", "效率比", "num3"), ("Rank", "排名", "int")]))
    return sec


def _external_section(result: Result, external: pd.DataFrame, name: str) -> AuditSection:
    sec = AuditSection("external", "六、与外部指标的关联")
    links = audit.external_links(result, external)
    sec.blocks.append(f"总指数及各分项与外部指标（{name}）的相关系数，按单位（及年份）匹配。")
    sec.blocks.append(AuditTable("external_links", "与外部指标的相关系数", links,
                                 [("Measure", "外部指标", "text"), ("iCode", "编号", "text"), ("N", "匹配数", "int"),
                                  ("Pearson", "Pearson r", "num3"), ("Spearman", "Spearman ρ", "num3")]))
    return sec


def _uncertainty_section(result: Result, ua_path: Path, n: int, seed: int) -> tuple[AuditSection, dict[str, Any]]:
    ua_spec = load_ua_spec(ua_path)
    ua = uncertainty_analysis(result.data, result.meta, result.spec, ua_spec, n, seed=seed, backend="serial")
    sec = AuditSection("uncertainty", "七、不确定性分析")
    target = ua.design.target
    sec.blocks.append(f"按不确定性设定（{ua_path.name}：{', '.join(f.name for f in ua.design.factors)}）随机重算 "
                      f"{ua.n_runs} 次（种子 {seed}，{ua.n_failed} 次无法计算），统计 {target} 的得分与排名。")
    table = ua.ranks[ua.ranks["code"] == target].copy()
    if TIME in table.columns:
        table = table[table[TIME] == table[TIME].max()]
    table = table.sort_values("rank_nominal", kind="stable")
    sec.blocks.append(AuditTable("uncertainty_ranks", f"{target} 的排名区间（5%–95%）", table,
                                 [(UNIT, "单位", "text"), ("rank_nominal", "名义排名", "int"),
                                  ("rank_median", "中位排名", "int"), ("rank_q05", "5% 排名", "int"),
                                  ("rank_q95", "95% 排名", "int"), ("score_nominal", "名义得分", "num1"),
                                  ("score_q05", "5% 得分", "num1"), ("score_q95", "95% 得分", "num1")]))
    sec.blocks.append(AuditTable("uncertainty_all", "全部跟踪要素的得分与排名统计", ua.ranks,
                                 [("code", "编号", "text"), (UNIT, "单位", "text")], show=False))
    if len(table) > 1:
        sec.blocks.append(_interval_chart("rank_intervals", f"{target} 排名的 5%–95% 区间", list(table[UNIT]),
                                          list(table["rank_q05"]), list(table["rank_median"]),
                                          list(table["rank_q95"]), list(table["rank_nominal"]), "排名",
                                          horizontal=True))
    return sec, {"runs": ua.n_runs, "failed": ua.n_failed}


def survey_codes(result: Result, codes: Sequence[str] | None) -> list[str]:
    """The survey-based indicators: ``codes``, or the iMeta rows whose column ``DataType`` is ``S``."""
    if codes:
        return list(codes)
    meta = result.meta
    if "DataType" not in meta.columns:
        raise ValueError("name the survey-based indicators (--survey-codes): iMeta has no DataType column")
    found = [str(c) for c, t in zip(meta["iCode"], meta["DataType"], strict=True)
             if str(t).strip() == "S" and c in result.structure.indicators]
    if not found:
        raise ValueError("no indicator has DataType S in iMeta; name the survey-based ones (--survey-codes)")
    return found


def _survey_blocks(result: Result, unit: str, survey: tuple[float, list[str]], n: int, seed: int) -> list[Any]:
    se, codes = survey
    table = audit.survey_noise(result.data, result.meta, result.spec, dict.fromkeys(codes, se), n, seed=seed)
    text = (f"调查抽样误差的影响：{len(codes)} 项调查类指标（{'、'.join(codes)}）的每个数值乘以 (1 + e)，"
            f"e ~ N(0, {se:g}²)（相对标准误 {se:.1%}），各单位-年份独立抽取 {n} 次；方法与权重取名义设定。")
    mine = table[table[UNIT] == unit]
    return [text,
            AuditTable("yoy_survey", f"{unit}：仅调查抽样误差下的逐年上升概率与同比增速区间", mine,
                       [("code", "编号", "text"), (TIME, "年份", "int"), ("Nominal", "名义增速", "pct"),
                        ("P_rise", "P(上升)", "pct"), ("Q05", "增速 5%", "pct"), ("Q95", "增速 95%", "pct")]),
            AuditTable("yoy_survey_all", "全部单位：仅调查抽样误差下的逐年变化", table,
                       [("code", "编号", "text"), (UNIT, "单位", "text")], show=False)]


def _time_series_section(result: Result, ua_path: Path, n: int, seed: int, unit: str | None,
                         names: dict[str, str], survey: tuple[float, list[str]] | None) -> AuditSection | None:
    scores = result.scores
    if TIME not in scores.columns or scores[TIME].nunique() < 2:
        return None
    norm = result.spec.step("normalise")
    years = sorted(int(t) for t in scores[TIME].unique())
    base_years = years[:3] if norm is not None and norm.method == "n_base_year" else None
    ts = audit.time_series_audit(result.data, result.meta, result.spec, load_ua_spec(ua_path), n, seed=seed,
                                 base_years=base_years)
    unit = unit or str(result.data[UNIT].iloc[0])
    sec = AuditSection("time_series", "八、逐年变化审计")
    sec.blocks.append(f"在同一不确定性设定下重算 {ts.n_runs} 次（{ts.n_failed} 次无法计算），对每个单位、每一年："
                      "总指数与各分项比上一年上升的概率 P(上升)，以及同比增速 g = x_t / x_(t−1) − 1 的 5%–95% 区间。"
                      "P(上升) 接近 1 说明上升不取决于这些选择；接近 0.5 说明升降取决于权重等选择。")
    growth = ts.growth
    mine = growth[growth[UNIT] == unit]
    top = audit.top_code(result)
    sec.blocks.append(AuditTable("yoy", f"{unit}：逐年上升概率与同比增速区间", mine,
                                 [("code", "编号", "text"), (TIME, "年份", "int"), ("Nominal", "名义增速", "pct"),
                                  ("P_rise", "P(上升)", "pct"), ("P_fall", "P(下降)", "pct"),
                                  ("Q05", "增速 5%", "pct"), ("Median", "增速中位数", "pct"),
                                  ("Q95", "增速 95%", "pct")]))
    sec.blocks.append(AuditTable("yoy_all", "全部单位的逐年上升概率与同比增速区间", growth,
                                 [("code", "编号", "text"), (UNIT, "单位", "text")], show=False))
    codes = list(dict.fromkeys(mine["code"]))
    yrs = sorted(int(t) for t in mine[TIME].unique())
    series = []
    for code in codes:
        part = mine[mine["code"] == code].set_index(TIME)["P_rise"]
        series.append(ChartSeries(names.get(code, code), [_plain(part.get(y)) for y in yrs]))
    sec.blocks.append(_chart(Chart("yoy_chart", f"{unit}：比上一年上升的概率", "line", [str(y) for y in yrs], series,
                                   percent=True)))
    idx = mine[mine["code"] == top].sort_values(TIME)
    if len(idx):
        sec.blocks.append(_interval_chart("growth_intervals", f"{unit}：{names.get(top, top)}同比增速的 5%–95% 区间",
                                          [str(int(t)) for t in idx[TIME]], list(idx["Q05"]), list(idx["Median"]),
                                          list(idx["Q95"]), list(idx["Nominal"]), "同比增速", horizontal=False,
                                          percent=True))
    if not ts.base_years.empty:
        sec.blocks.append("基期选择的影响：以不同年份为基期时名义同比增速的变化（基期法指数是比值的算术平均，改变基期会改变增速）。")
        pivot = ts.base_years[ts.base_years[UNIT] == unit].pivot_table(index=["code", TIME], columns="BaseYear",
                                                                        values="Growth").reset_index()
        pivot.columns = [str(c) if not isinstance(c, str) else c for c in pivot.columns]
        cols: list[tuple[str, str, Kind]] = [("code", "编号", "text"), (TIME, "年份", "int")]
        cols += [(str(b), f"基期 {b}", "pct") for b in base_years or []]
        sec.blocks.append(AuditTable("base_years", f"{unit}：不同基期下的名义同比增速", pivot, cols))
    if survey is not None:
        sec.blocks.extend(_survey_blocks(result, unit, survey, n, seed))
    return sec


# ------------------------------------------------------------------ assembling and writing


def build_audit(data_path: Path, meta_path: Path, spec_path: Path, ua_path: Path | None, *, n: int = 1000,
                seed: int = 0, external_path: Path | None = None,
                efficiency: tuple[Sequence[str], Sequence[str]] | None = None,
                unit: str | None = None, survey_se: float | None = None,
                survey: Sequence[str] | None = None) -> AuditReport:
    """Read the inputs, run every audit and assemble the report (nothing is written)."""
    data_path, meta_path, spec_path = Path(data_path), Path(meta_path), Path(spec_path)
    meta = read_imeta(meta_path)
    data = read_idata(data_path, meta)
    spec = load_spec(spec_path)
    result = build(data, meta, spec)
    names = _names(result)
    year, where = _cross_section(result)
    demo = "uName" in data.columns and data["uName"].astype(str).str.contains(DEMO_LABEL).any()
    top = audit.top_code(result)
    sections = [_coherence_section(result, year, where, names), _importance_section(result, year, names),
                _weights_section(result), _added_value_section(result, names)]
    if efficiency is not None:
        sections.append(_efficiency_section(result, efficiency))
    if external_path is not None:
        external = read_table(Path(external_path))
        sections.append(_external_section(result, external, Path(external_path).name))
    provenance: list[tuple[str, str]] = [
        ("指数", f"{names[top]}（{top}）：{len(result.structure.indicators)} 个指标，{result.structure.max_level} 层"),
        ("单位与年份", f"{result.scores[UNIT].nunique()} 个单位" + (
            f"，{result.scores[TIME].nunique()} 个年份" if TIME in result.scores.columns else "")),
        ("iData", f"{data_path.name}（SHA-256 {_sha256(data_path)}）"),
        ("iMeta", f"{meta_path.name}（SHA-256 {_sha256(meta_path)}）"),
        ("流程设定", f"{spec_path.name}（SHA-256 {_sha256(spec_path)}）{'：' + spec.name if spec.name else ''}"),
    ]
    ua_text = ""
    if ua_path is not None:
        ua_path = Path(ua_path)
        provenance.append(("不确定性设定", f"{ua_path.name}（SHA-256 {_sha256(ua_path)}）；N = {n}，种子 {seed}"))
        ua_sec, _ = _uncertainty_section(result, ua_path, n, seed)
        sections.append(ua_sec)
        survey_spec = None if survey_se is None else (float(survey_se), survey_codes(result, survey))
        ts = _time_series_section(result, ua_path, n, seed, unit, names, survey_spec)
        if ts is not None:
            sections.append(ts)
        ua_text = ua_path.read_text(encoding="utf-8")
    if external_path is not None:
        provenance.append(("外部指标", f"{Path(external_path).name}（SHA-256 {_sha256(Path(external_path))}）"))
    provenance.append(("横截面统计", where))
    provenance.append(("方法版本", f"{AUDIT_FORMAT}；kechuang {kechuang.__version__}"))
    for i, sec in enumerate(sections):
        number = "一二三四五六七八九十"[i]
        sec.title = f"{number}、{sec.title.split('、', 1)[1]}"
    report = AuditReport(f"{names[top]}统计审计报告", provenance, sections, dump_spec(result.spec), ua_text, bool(demo))
    report.content_sha256 = content_hash(report)
    return report


def content_hash(report: AuditReport) -> str:
    """SHA-256 of the canonical content: provenance, spec texts and every table's full data."""
    content = {"format": AUDIT_FORMAT, "title": report.title, "provenance": report.provenance,
               "spec": report.spec_text, "ua": report.ua_text,
               "tables": {t.id: _records(t.frame) for t in report.tables()}}
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)


def render_audit_html(report: AuditReport, generated_at: str, *, raster: bool = False) -> str:
    """The report as one self-contained HTML document: charts as embedded SVG, or PNG with ``raster`` (the
    source of the PDF)."""
    figures = [b for s in report.sections for b in s.blocks if isinstance(b, Figure_)]
    if raster:
        images = {b.id: "image/png;base64," + base64.b64encode(b.png).decode("ascii") for b in figures}
    else:
        images = {b.id: "image/svg+xml;base64," + base64.b64encode(b.svg.encode("utf-8")).decode("ascii")
                  for b in figures}
    return _env.get_template("index_audit.html.j2").render(
        r=report, generated_at=generated_at, images=images, cell=_cell, demo_label=DEMO_LABEL,
        is_table=lambda b: isinstance(b, AuditTable), is_figure=lambda b: isinstance(b, Figure_),
        sheets=_sheet_names(report))


def _sheet_names(report: AuditReport) -> dict[str, str]:
    return {t.id: f"{i:02d} {t.id}"[:31] for i, t in enumerate(report.tables(), start=1)}


def write_xlsx(path: Path, info: list[tuple[str, str]], sheets: list[tuple[str, str, pd.DataFrame]]) -> None:
    """An Excel workbook: a sheet 说明 (label, value rows) and one sheet per (name, title, frame), every column,
    numbers as numbers (the one place this report writes a workbook)."""
    wb = Workbook()
    wb.properties.creator = "kechuang"
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    ws = wb.active
    ws.title = "说明"
    for i, (k, v) in enumerate(info, start=1):
        ws.cell(i, 1, k).font = Font(bold=True)
        ws.cell(i, 2, v)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    for name, title, frame in sheets:
        sheet = wb.create_sheet(name)
        sheet["A1"] = title
        sheet["A1"].font = Font(bold=True, size=12)
        for j, col in enumerate(frame.columns, start=1):
            c = sheet.cell(3, j, str(col))
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="E8EEF6")
            sheet.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(str(col)) + 4))
        for i, row in enumerate(frame.astype(object).itertuples(index=False), start=4):
            for j, value in enumerate(row, start=1):
                sheet.cell(i, j, _plain(value))
        sheet.freeze_panes = sheet.cell(4, 1)
    path.write_bytes(xlsx_bytes(wb))


def write_audit_report(data_path: Path | str, meta_path: Path | str, spec_path: Path | str,
                       ua_path: Path | str | None, out_dir: Path | str, *, n: int = 1000, seed: int = 0,
                       external_path: Path | str | None = None,
                       efficiency: tuple[Sequence[str], Sequence[str]] | None = None,
                       unit: str | None = None, survey_se: float | None = None,
                       survey: Sequence[str] | None = None) -> list[Path]:
    """Audit an index and write ``audit.html``, ``audit.pdf``, ``audit.xlsx`` and ``manifest.json`` into
    ``out_dir``; returns the files written. ``ua_path`` adds the uncertainty analysis (``n`` runs, ``seed``)
    and, for a panel, the year-on-year audit (of ``unit``, default the first unit of iData, in the documents;
    every unit in the workbook); ``external_path`` a table of external measures (uCode [+ Time] + columns);
    ``efficiency`` (numerator codes, denominator codes) the efficiency ratio; ``survey_se`` (a relative standard
    error) adds the year-on-year audit under the sampling error of the survey-based indicators ``survey``
    (default: those with ``DataType`` S in iMeta)."""
    report = build_audit(Path(data_path), Path(meta_path), Path(spec_path),
                         None if ua_path is None else Path(ua_path), n=n, seed=seed,
                         external_path=None if external_path is None else Path(external_path),
                         efficiency=efficiency, unit=unit, survey_se=survey_se, survey=survey)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    html = render_audit_html(report, generated_at)
    paths = {fmt: out / name for fmt, name in FILES.items()}
    paths["html"].write_text(html, encoding="utf-8")
    paths["pdf"].write_bytes(render_pdf(render_audit_html(report, generated_at, raster=True)))
    sheets = _sheet_names(report)
    info = [("报告", report.title), *report.provenance, ("内容 SHA-256", report.content_sha256),
            ("生成时间", generated_at)]
    if report.demo:
        info.insert(1, (DEMO_LABEL, "输入数据含演示数据（uName 标注“演示数据”），结果只用于演示方法。"))
    spec_sheet = ("流程设定", "流程设定（解析后的全部参数）",
                  pd.DataFrame({"spec.yaml": report.spec_text.splitlines()}))
    write_xlsx(paths["xlsx"], info, [(sheets[t.id], t.title, t.frame) for t in report.tables()] + [spec_sheet])
    manifest = {"format": AUDIT_FORMAT, "title": report.title, "content_sha256": report.content_sha256,
                "generated_at": generated_at, "provenance": dict(report.provenance),
                "files": {p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in paths.values()}}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return [*paths.values(), out / "manifest.json"]
