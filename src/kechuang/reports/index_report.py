"""The annual index report (创新指数报告) for one data year, as content data.

Sections: 一 summary; 二 the composite and its dimensions over time; 三 the decomposition of the year's
change (dimensions, then the second-level indicators of each dimension); 四 comparison with the other
units of the build (the demo build's units are demo units, labelled); 五 the published official series
beside the computed one, with every edition; 附件 the framework with each node's evidence status, and the
build record (data, metadata and method hashes, engine version).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from kechuang.core import clock
from kechuang.plan import service as plans
from kechuang.reports import index_view
from kechuang.reports.evaluation import DATA_TYPE_ZH, NODE_STATUS_ZH, methods_meta, plan_meta
from kechuang.reports.fmt import prose
from kechuang.reports.model import (
    DEMO_LABEL,
    Chart,
    ChartSeries,
    Column,
    Paragraph,
    Report,
    ReportError,
    Section,
    Table,
)


def _growth(v1: float | None, v0: float | None) -> float | None:
    return None if v1 is None or v0 is None or v0 == 0 else v1 / v0 - 1


def build_index_report(session: Session, year: int | None = None, *, as_of: dt.date | None = None,
                       plan_code: str | None = None) -> Report:
    """The index report for data year ``year`` (default: the latest year of the stored build)."""
    version = plans.latest_version(session, plan_code)
    view = index_view.load(session, version.plan_id)
    if view is None:
        raise ReportError("no index build is stored (run `kechuang init`)")
    year = year or view.years[-1]
    if year not in view.years:
        raise ReportError(f"the index build covers {view.years[0]}–{view.years[-1]}, not {year}")
    as_of = as_of or clock.today()
    root, dims, demo = view.root, view.dims, view.run.is_demo
    prev = year - 1 if year - 1 in view.years else None
    first = view.years[0]
    meta: dict[str, Any] = {"plan": plan_meta(version), "year": year, "as_of": as_of.isoformat(),
                            "data_year": year, "methods": methods_meta(view), "index_run": view.run_record()}
    published = view.published(root)
    dim_growth = [(c, _growth(view.value(c, year), view.value(c, prev) if prev else None)) for c in dims]
    fastest = max((g for g in dim_growth if g[1] is not None), key=lambda g: g[1] or 0.0, default=None)
    ranking = view.ranking(year, [root, *dims])
    me = next((u for u in ranking if u.unit == view.run.focus_unit), None)
    years_n = year - first

    v_first, v_year = view.value(root, first), view.value(root, year)
    cagr = (None if not years_n or v_first is None or v_year is None or v_first <= 0 or v_year <= 0
            else (v_year / v_first) ** (1 / years_n) - 1)
    summary = Section("summary", "一、概述")
    summary.add(Paragraph(prose(
        "index_summary", view=view, year=year, prev=prev, first=first, years_n=years_n, demo=demo,
        demo_label=DEMO_LABEL, value=v_year, growth=_growth(v_year, view.value(root, prev) if prev else None),
        cagr=cagr, fastest=fastest, me=me, ranking=ranking, published=published.get(year))))

    series_sec = Section("series", "二、综合指数与分指数")
    years = [y for y in view.years if y <= year]
    series_sec.add(Chart("index_series", f"{view.name(root)}及分指数（{first}—{year}年）", "line",
                         [str(y) for y in years],
                         [ChartSeries(view.name(c), [view.value(c, y) for y in years]) for c in [root, *dims]],
                         y_label=f"指数（{first}年=100）", demo=demo,
                         note=prose("chart_index_note", run=view.run, demo=demo, demo_label=DEMO_LABEL)))
    series_sec.add(Table("index_series_table", f"{view.name(root)}及分指数（{first}—{year}年）", [
        Column("year", "年份", "year"), *[Column(c, view.name(c), "number", 1) for c in [root, *dims]],
        Column("growth", "综合指数同比", "percent")],
        [{"year": y, **{c: view.value(c, y) for c in [root, *dims]},
          "growth": _growth(view.value(root, y), view.value(root, y - 1)), "_demo": demo} for y in years],
        notes=[prose("note_index_values", run=view.run, demo=demo, demo_label=DEMO_LABEL)], demo=demo))

    dec_sec = Section("decomposition", "三、指数变动分解")
    if prev is None:
        dec_sec.add(Paragraph(prose("no_previous_year", year=year)))
    else:
        top = view.decompose(root, prev, year)
        best = max((c for c in top if c.contribution is not None), key=lambda c: c.contribution or 0.0, default=None)
        dec_sec.add(Paragraph(prose("index_decomposition", view=view, prev=prev, year=year, best=best,
                                    change=(view.value(root, year) or 0.0) - (view.value(root, prev) or 0.0))))
        dec_sec.add(Table("decomposition", f"{prev}—{year}年{view.name(root)}变动分解", [
            Column("code", "编号", annex_only=True), Column("name", "分指数"), Column("weight", "权重", "number", 3),
            Column("start", f"{prev}年", "number", 1), Column("end", f"{year}年", "number", 1),
            Column("contribution", "贡献（点）", "number", 2), Column("share", "贡献占比", "percent")],
            [{"code": c.code, "name": c.name, "weight": c.weight, "start": c.start, "end": c.end,
              "contribution": c.contribution, "share": None if c.share_pct is None else c.share_pct / 100,
              "_demo": demo} for c in top],
            notes=[prose("note_decomposition", y0=prev, y1=year)], demo=demo))
        dec_sec.add(Chart("decomposition_chart", f"{prev}—{year}年{view.name(root)}变动的分项贡献", "barh",
                          [c.name for c in top], [ChartSeries("贡献（点）", [c.contribution for c in top])],
                          y_label="点", demo=demo))
        rows = []
        for d in dims:
            for c in view.decompose(d, prev, year):
                rows.append({"dim": view.name(d), "code": c.code, "name": c.name, "weight": c.weight, "start": c.start,
                             "end": c.end, "contribution": c.contribution,
                             "share": None if c.share_pct is None else c.share_pct / 100, "_demo": demo})
        dec_sec.add(Table("sub_decomposition", f"{prev}—{year}年分指数变动的二级指标分解", [
            Column("dim", "分指数"), Column("code", "编号", annex_only=True), Column("name", "二级指标"),
            Column("weight", "权重", "number", 3), Column("start", f"{prev}年", "number", 1),
            Column("end", f"{year}年", "number", 1), Column("contribution", "贡献（点）", "number", 2),
            Column("share", "占分指数变动", "percent")], rows, demo=demo))

    cmp_sec = Section("comparison", "四、地区比较")
    if len(ranking) > 1:
        cmp_sec.add(Paragraph(prose("eval_comparison", ranking=ranking, view=view, y1=year, demo=demo, me=me,
                                    demo_label=DEMO_LABEL)))
        cmp_sec.add(Table("ranking", f"{year}年各地区{view.name(root)}比较", [
            Column("rank", "排名", "integer"), Column("unit", "地区"),
            *[Column(c, view.name(c), "number", 1) for c in [root, *dims]],
            Column("code", "单位编号", annex_only=True)],
            [{"rank": u.rank, "unit": u.name, **{c: u.scores.get(c) for c in [root, *dims]}, "code": u.unit,
              "_demo": demo} for u in ranking],
            notes=[prose("note_comparison", demo=demo, demo_label=DEMO_LABEL)], demo=demo))
        cmp_sec.add(Chart("ranking_chart", f"{year}年各地区{view.name(root)}", "bar", [u.name for u in ranking],
                          [ChartSeries(view.name(root), [u.scores.get(root) for u in ranking])], demo=demo))
    else:
        cmp_sec.add(Paragraph(prose("no_comparison")))

    pub_sec = Section("published", "五、与官方发布值对照")
    all_years = sorted(set(years) | {y for y in published if y <= year})
    pub_sec.add(Paragraph(prose("index_published", view=view, published=published, year=year, demo=demo,
                                demo_label=DEMO_LABEL)))
    pub_sec.add(Table("published_compare", f"{view.name(root)}：计算值与官方发布值", [
        Column("year", "年份", "year"), Column("computed", "本系统计算值", "number", 1),
        Column("published", "官方发布值（最新版本）", "number", 1), Column("edition", "发布版本"),
        Column("source", "来源", annex_only=True)],
        [{"year": y, "computed": view.value(root, y), "published": published[y].value if y in published else None,
          "edition": published[y].edition if y in published else "", "source": published[y].source if y in published
          else "", "_demo": demo and view.value(root, y) is not None} for y in all_years],
        notes=[prose("note_index_values", run=view.run, demo=demo, demo_label=DEMO_LABEL)], demo=demo))
    editions = [{"code": view.name(c), "year": f.year, "value": f.value, "edition": f.edition, "label": f.label,
                 "source": f.source} for c in [root, *dims] for f in view.published_all(c) if f.year <= year]
    if editions:
        pub_sec.add(Table("published_editions", "官方发布值（全部版本）", [
            Column("code", "指数"), Column("year", "数据年份", "year"), Column("value", "发布值", "number", 1),
            Column("edition", "发布版本"), Column("label", "口径"), Column("source", "来源")], editions,
            annex_only=True))

    annex = Section("annex", "附件：指标体系与计算记录")
    leaves = [n for n in view.nodes if n.level == 1]
    annex.add(Paragraph(prose("index_quality", view=view,
                              statuses=_count(NODE_STATUS_ZH.get(n.status, n.status or "未标注") for n in leaves),
                              types=_count(DATA_TYPE_ZH.get(n.data_type, n.data_type or "未标注") for n in leaves),
                              demo_label=DEMO_LABEL)))
    annex.add(Table("framework", "指数指标体系", [
        Column("code", "编号"), Column("name", "指标"), Column("parent", "所属二级指标"),
        Column("weight", "权重", "number"), Column("unit", "单位"), Column("status", "依据"),
        Column("data_type", "数据类型"), Column("evidence", "证据", annex_only=True)],
        [{"code": n.code, "name": n.name_zh, "parent": view.name(n.parent or ""), "weight": n.weight, "unit": n.unit,
          "status": NODE_STATUS_ZH.get(n.status, n.status), "data_type": DATA_TYPE_ZH.get(n.data_type, n.data_type),
          "evidence": n.evidence} for n in leaves], notes=[prose("note_framework")]))
    record = [("数据年份", str(year)), ("指数计算记录", f"第 {view.run.id} 次计算：{view.run.title_zh}"),
              ("计算时间", view.run.created_at.isoformat(timespec="seconds")), ("计算人", view.run.created_by),
              ("数据来源", view.run.data_source), ("数据哈希（SHA-256）", view.run.data_hash),
              ("元数据哈希（SHA-256）", view.run.meta_hash), ("方法哈希（SHA-256）", view.run.spec_hash),
              ("指数引擎版本", view.run.engine_version), ("报告格式版本", meta["methods"]["report_format"])]
    annex.add(Table("build_record", "计算记录与方法版本", [Column("item", "项目"), Column("value", "内容")],
                    [{"item": k, "value": v, "_demo": demo and k == "数据来源"} for k, v in record]))

    title = f"{view.name(root)}{year}年度报告"
    subtitle = prose("subtitle_index", plan=meta["plan"], year=year, as_of=as_of, run=view.run)
    return Report(kind="index", title=title, subtitle=subtitle, year=year, meta=meta,
                  sections=[summary, series_sec, dec_sec, cmp_sec, pub_sec, annex], demo=demo,
                  demo_notice=prose("demo_notice", demo_label=DEMO_LABEL) if demo else "")


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out

