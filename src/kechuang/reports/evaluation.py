"""The mid-term and final evaluation packs (中期评估 / 终期评估) as content data.

Sections: 一 summary; 二 indicator completion table (指标, 单位, 属性, 基期值, 目标值, 当前值, 完成度, 序时进度,
评价 with the rule); 三 the 12 tasks, supervision items (overdue first) and key projects; 四 the index, its
dimensions and the decomposition of its change; 五 comparison with other units (demo units labelled);
六 public opinions and replies; 七 annual growth now needed by each lagging indicator; 八 proposed plan
adjustments; 附件 data sources and data quality, method versions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kechuang import __version__
from kechuang.core import clock
from kechuang.index_results import frameworks
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion
from kechuang.progress import Colour, Rule, Standing, Status, roll_up
from kechuang.reports import index_view, narratives
from kechuang.reports.adjustments import propose
from kechuang.reports.data import (
    SOURCE_KIND_ZH,
    IndicatorRow,
    Opinions,
    TaskRow,
    before_cutoff,
    comment_is_demo,
    indicator_rows,
    opinions,
    percent_as_of,
    progress_config,
    task_rows,
    version_at,
)
from kechuang.reports.fmt import num
from kechuang.reports.i18n import PackText
from kechuang.reports.model import (
    REPORT_FORMAT,
    Block,
    Chart,
    ChartSeries,
    Column,
    Heading,
    Paragraph,
    Report,
    ReportError,
    Section,
    Table,
)
from kechuang.reports.models import ReportNarrative
from kechuang.reports.sections import (
    RULE_LABEL,
    SHORTCOMING_MIN_HITS,
    FactRow,
    TargetRow,
    fact_rows,
    shortcoming_links,
    target_rows,
)
from kechuang.supervision.service import stage_on

RULE_ZH = {Rule.ELAPSED: "序时进度法", Rule.SDSN: "SDSN趋势法", Rule.CAGR: "复合增速比较法",
           Rule.PROJECTION: "趋势外推法", Rule.SUPERVISION: "督办期限法"}
KIND_ZH = {"midterm": "中期评估", "final": "终期评估"}
PROJECT_KIND_ZH = {"project": "项目", "place": "载体", "platform": "平台", "institution": "机构", "policy": "政策",
                   "event": "活动", "product": "产品", "programme": "计划"}
NODE_STATUS_ZH = {"confirmed": "公开确认", "reported": "发布稿提及", "proposed": "合理推测"}
DATA_TYPE_ZH = {"O": "客观统计", "S": "主观感受", "B": "网络与新闻大数据"}


def _verdict(L: PackText, row: IndicatorRow) -> str:
    a = row.assessment
    if a.status is Status.NOT_APPLICABLE:
        return L("不适用") + L.paren(L(RULE_ZH[a.rule]))
    return L.status(a) + L.paren(L(a.colour.zh) + L.comma + L(RULE_ZH[a.rule]))


def plan_meta(version: PlanVersion) -> dict[str, Any]:
    """The plan version a report is built on (part of its snapshot)."""
    meta = version.document["plan"]
    return {"code": version.plan.code, "title": meta["title"]["zh"], "title_en": meta["title"].get("en", ""),
            "document_number": meta["document_number"],
            "issuer": meta["issuer"]["zh"], "issuer_en": meta["issuer"].get("en", ""),
            "period_start": int(meta["period_start"]),
            "period_end": int(meta["period_end"]), "vision_year": int(meta["vision_year"]),
            "district": meta["district"]["zh"], "district_en": meta["district"].get("en", ""),
            "version": version.number, "version_sha256": version.content_hash,
            "version_created_by": version.created_by, "version_reason": version.reason}


def methods_meta(view: index_view.IndexView | None) -> dict[str, Any]:
    """Method versions: report layout, package, progress thresholds, index engine."""
    return {"report_format": REPORT_FORMAT, "kechuang": __version__,
            "progress_rules": "kechuang.progress (docs/progress.md)",
            "progress_thresholds": progress_config().model_dump(),
            "index_engine": None if view is None else view.run.engine_version}


# ---------------------------------------------------------------- sections


def _indicator_section(L: PackText, rows: list[IndicatorRow], year: int) -> Section:
    sec = Section("indicators", L("二、主要指标完成情况"))
    counts = Counter(r.assessment.standing for r in rows)
    sec.add(Paragraph(L.prose("eval_indicators", rows=rows, year=year, counts=counts, Standing=Standing,
                            demo=any(r.demo for r in rows))))
    table = Table(
        "indicator_completion", L("主要指标完成情况表"),
        [Column("seq", L("序号"), "integer"), Column("name", L("指标")), Column("unit", L("单位")),
         Column("binding", L("属性")), Column("baseline", L("基期值"), "number"),
         Column("target", L("目标值"), "number"),
         Column("current", L("当前值"), "number"), Column("completion", L("完成度"), "percent"),
         Column("elapsed", L("序时进度"), "percent"), Column("verdict", L("评价")),
         Column("code", L("指标编号"), annex_only=True),
         Column("baseline_year", L("基期年份"), "year", annex_only=True),
         Column("target_year", L("目标年份"), "year", annex_only=True),
         Column("current_year", L("当前值年份"), "year", annex_only=True),
         Column("rule", L("评价规则"), annex_only=True), Column("status", L("状态"), annex_only=True),
         Column("colour", L("颜色"), annex_only=True), Column("reason", L("评价依据"), annex_only=True)],
        [], demo=any(r.demo for r in rows))
    for n, r in enumerate(rows, start=1):
        p = r.profile
        latest = r.latest
        table.rows.append({
            "seq": n, "name": L.name(r.indicator), "unit": L.unit(r.indicator),
            "binding": L("约束性") if p is not None and p.binding == "binding" else L("预期性"),
            "baseline": None if p is None else p.baseline_value, "target": None if r.target is None else r.target.value,
            "current": None if latest is None else latest.value, "completion": r.achieved_share,
            "elapsed": r.elapsed_share, "verdict": _verdict(L, r), "code": r.indicator.code,
            "baseline_year": None if p is None else p.baseline_year,
            "target_year": None if r.target is None else r.target.year,
            "current_year": None if latest is None else latest.year, "rule": L(RULE_ZH[r.assessment.rule]),
            "status": L.status(r.assessment), "colour": L(r.assessment.colour.zh), "reason": L.reason(r.assessment),
            "_demo": r.demo})
    table.notes.append(L.prose("note_completion_columns", year=year))
    for n, r in enumerate(rows, start=1):
        table.notes.append(L.prose("note_indicator_reason", n=n, row=r, demo_label=L.demo_label))
    sec.add(table)
    charted = [r for r in rows if r.achieved_share is not None]
    if charted:
        sec.add(Chart("completion_chart", L("主要指标完成度与序时进度"), "bar",
                      [L.name(r.indicator) for r in charted],
                      [ChartSeries(L("完成度"), [r.achieved_share for r in charted]),
                       ChartSeries(L("序时进度"), [r.elapsed_share for r in charted])],
                      y_label=L("占计划变动的比例"), percent=True, demo=any(r.demo for r in charted),
                      note=L.prose("chart_completion_note", year=year)))
    return sec


def _task_section(L: PackText, tasks: list[TaskRow], as_of: dt.date) -> Section:
    sec = Section("tasks", L("三、重点任务推进情况"))
    items = [(t, i, a) for t in tasks for i, a in t.items]
    overdue = [(t, i, a) for t, i, a in items if a.status is Status.OVERDUE]
    sec.add(Paragraph(L.prose("eval_tasks", tasks=tasks, items=items, overdue=overdue, as_of=as_of,
                            linked=[t for t in tasks if t.indicators],
                            closed=[x for x in items if x[2].status is Status.CLOSED],
                            projects=sum(len(t.projects) for t in tasks), demo=any(i.is_demo for _, i, _ in items),
                            demo_label=L.demo_label)))
    table = Table("task_progress", L("主要任务推进情况表"),
                  [Column("number", L("序号"), "integer"), Column("task", L("主要任务")), Column("area", L("任务领域")),
                   Column("indicators", L("关联指标")), Column("indicator_status", L("指标评价")),
                   Column("items", L("督办事项"), "integer"), Column("closed", L("已办结"), "integer"),
                   Column("overdue", L("逾期"), "integer"), Column("projects", L("重点项目"), "integer"),
                   Column("code", L("任务编号"), annex_only=True),
                   Column("rollup", L("指标汇总说明"), annex_only=True)],
                  [], demo=any(r.demo for t in tasks for r in t.indicators) or any(i.is_demo for _, i, _ in items))
    for t in tasks:
        if t.rollup.applicable:
            status = L(t.rollup.standing.zh) + L.paren(L(t.rollup.colour.zh))
        else:
            status = L("暂无可评估指标") if t.indicators else L("未关联指标")
        table.rows.append({
            "number": t.task.attrs.get("number"), "task": L.name(t.task), "area": L.name(t.area),
            "indicators": L.join(L.name(r.indicator) for r in t.indicators) or "—", "indicator_status": status,
            "items": len(t.items), "closed": len(t.closed), "overdue": len(t.overdue), "projects": len(t.projects),
            "code": t.task.code, "rollup": L.reason(t.rollup if L.lang == "zh" else roll_up(
                L.name(t.task), {L.name(r.indicator): r.assessment for r in t.indicators})),
            "_demo": any(r.demo for r in t.indicators) or any(i.is_demo for i, _ in t.items)})
    table.notes.append(L.prose("note_task_columns", as_of=as_of))
    sec.add(table)

    item_columns = [Column("item", L("督办事项")), Column("task", L("所属任务")), Column("lead", L("牵头单位")),
                    Column("co", L("配合单位")), Column("deadline", L("期限"), "date"),
                    Column("percent", L("进度"), "percent"),
                    Column("stage", L("阶段")), Column("status", L("状态")),
                    Column("reason", L("说明"), annex_only=True),
                    Column("element", L("规划要素编号"), annex_only=True)]

    def item_row(t: TaskRow, item: Any, a: Any) -> dict[str, Any]:
        return {"item": L.name(item), "task": f"{t.task.attrs.get('number')}. {L.name(t.task)}",
                "lead": L.name(item.lead), "co": L.join(L.name(d) for d in item.co_departments) or "—",
                "deadline": item.deadline.isoformat(), "percent": percent_as_of(item, as_of) / 100,
                "stage": L(stage_on(item, as_of).zh), "status": L.status(a) + L.paren(L(a.colour.zh)),
                "reason": L.reason(a),
                "element": item.element_code, "_demo": item.is_demo}

    order = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.IN_PROGRESS: 2, Status.CLOSED: 3}
    sec.add(Heading(L("（一）逾期督办事项")))
    if overdue:
        sec.add(Table("overdue_items", L("逾期督办事项表"), item_columns,
                      [item_row(t, i, a) for t, i, a in sorted(overdue, key=lambda x: x[1].deadline)],
                      notes=[L.prose("note_overdue", as_of=as_of)], demo=any(i.is_demo for _, i, _ in overdue)))
    else:
        sec.add(Paragraph(L.prose("no_overdue", as_of=as_of, items=items)))
    sec.add(Heading(L("（二）督办事项推进情况")))
    if items:
        ordered = sorted(items, key=lambda x: (order.get(x[2].status, 9), x[1].deadline, x[1].id))
        sec.add(Table("supervision_items", L("督办事项推进情况表"), item_columns, [item_row(*x) for x in ordered],
                      demo=any(i.is_demo for _, i, _ in items)))
    else:
        sec.add(Paragraph(L.prose("no_items")))
    return sec


NO_ITEM = "无督办事项"


def _project_kind(L: PackText, p: PlanElement) -> str:
    kind = str(p.attrs.get("project_kind"))
    if kind not in PROJECT_KIND_ZH:
        return ""
    return PROJECT_KIND_ZH[kind] if L.lang == "zh" else kind


def _project_section(L: PackText, tasks: list[TaskRow], as_of: dt.date) -> Section:
    """四、重大项目: every key project with the status of its supervision items (on the project itself or on
    the measure naming it), overdue first; a project without any is shown as such."""
    sec = Section("projects", L("四、重大项目"))
    by_element: dict[str, list[tuple[Any, Any]]] = {}
    for t in tasks:
        for i, a in t.items:
            by_element.setdefault(i.element_code, []).append((i, a))
    order = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.IN_PROGRESS: 2, Status.CLOSED: 3}
    rows = []
    for t in tasks:
        for p in t.projects:
            hits = sorted(by_element.get(p.code, []) + by_element.get(p.parent_code or "", []),
                          key=lambda x: (order.get(x[1].status, 9), x[0].deadline))
            first = hits[0] if hits else None
            rows.append({
                "code": p.code, "name": L.name(p), "kind": _project_kind(L, p),
                "task": f"{t.task.attrs.get('number')}. {L.name(t.task)}",
                "items": L.join((L.name(i) for i, _ in hits), "；") or "—",
                "status": L(NO_ITEM) if first is None else L.status(first[1]) + L.paren(L(first[1].colour.zh)),
                "deadline": None if first is None else first[0].deadline.isoformat(),
                "percent": None if first is None else percent_as_of(first[0], as_of) / 100,
                "_overdue": first is not None and first[1].status is Status.OVERDUE,
                "_demo": any(i.is_demo for i, _ in hits)})
    supervised = [r for r in rows if r["status"] != L(NO_ITEM)]
    sec.add(Paragraph(ruled(L, L.prose("eval_projects", rows=rows, supervised=supervised, as_of=as_of,
                                  overdue=[r for r in rows if r["_overdue"]]))))
    sec.add(Table("key_projects", L("重点项目推进情况表"), [
        Column("code", L("编号")), Column("name", L("重点项目与载体")), Column("kind", L("类型")),
        Column("task", L("所属任务")),
        Column("items", L("督办事项")), Column("status", L("督办状态")), Column("deadline", L("期限"), "date"),
        Column("percent", L("进度"), "percent")],
        [{k: v for k, v in r.items() if k != "_overdue"} for r in rows],
        notes=[L.prose("note_projects", as_of=as_of, no_item=L(NO_ITEM))], demo=any(r["_demo"] for r in rows)))
    return sec


def _index_section(L: PackText, view: index_view.IndexView | None, year: int, base_year: int,
                   as_of: dt.date) -> tuple[Section, Section]:
    sec = Section("index", L("（二）创新指数及其变动分解"))
    cmp_sec = Section("comparison", L("（三）与其他地区比较"))
    if view is None:
        sec.add(Paragraph(L.prose("no_index_run", as_of=as_of)))
        cmp_sec.add(Paragraph(L.prose("no_index_run", as_of=as_of)))
        return sec, cmp_sec
    y1 = view.year_for(year)
    y0 = view.year_for(base_year)
    if y1 is None:
        sec.add(Paragraph(L.prose("no_index_year", year=year, years=view.years)))
        cmp_sec.add(Paragraph(L.prose("no_index_year", year=year, years=view.years)))
        return sec, cmp_sec
    demo = view.run.is_demo
    root, dims = view.root, view.dims

    def name(code: str) -> str:
        return view.name(code, L.lang)

    published = view.published(root)
    decomposition = view.decompose(root, y0, y1) if y0 is not None and y0 < y1 else []
    top = max((c for c in decomposition if c.contribution is not None), key=lambda c: c.contribution or 0.0,
              default=None)
    sec.add(Paragraph(L.prose("eval_index", view=view, y0=y0, y1=y1, year=year, top=top,
                            published=published.get(y1), demo=demo, demo_label=L.demo_label)))
    years = [y for y in view.years if y <= y1]
    sec.add(Chart("index_chart", L("{name}及分指数（{y0}—{y1}年）", name=name(root), y0=years[0], y1=y1), "line",
                  [str(y) for y in years],
                  [ChartSeries(name(c), [view.value(c, y) for y in years]) for c in [root, *dims]],
                  y_label=L("指数（{y0}年=100）", y0=years[0]), demo=demo,
                  note=L.prose("chart_index_note", run=view.run, demo=demo, demo_label=L.demo_label)))
    shown = [y for y in years if y0 is None or y >= y0]
    sec.add(Table("index_values", L("创新指数及分指数"), [
        Column("year", L("年份"), "year"), *[Column(c, name(c), "number", 1) for c in [root, *dims]],
        Column("published", L("官方发布值"), "number", 1), Column("edition", L("发布版本"), annex_only=True)],
        [{"year": y, **{c: view.value(c, y) for c in [root, *dims]},
          "published": published[y].value if y in published else None,
          "edition": published[y].edition if y in published else "", "_demo": demo} for y in shown],
        notes=[L.prose("note_index_values", run=view.run, demo=demo, demo_label=L.demo_label)], demo=demo))
    if decomposition:
        sec.add(Table("index_decomposition", L("{y0}—{y1}年指数变动分解", y0=y0, y1=y1), [
            Column("code", L("分指数编号"), annex_only=True), Column("name", L("分指数")),
            Column("weight", L("权重"), "number", 3), Column("start", L("{y}年", y=y0), "number", 1),
            Column("end", L("{y}年", y=y1), "number", 1), Column("contribution", L("贡献（点）"), "number", 2),
            Column("share", L("贡献占比"), "percent")],
            [{"code": c.code, "name": name(c.code), "weight": c.weight, "start": c.start, "end": c.end,
              "contribution": c.contribution, "share": None if c.share_pct is None else c.share_pct / 100,
              "_demo": demo} for c in decomposition],
            notes=[L.prose("note_decomposition", y0=y0, y1=y1)], demo=demo))
        sec.add(Chart("decomposition_chart", L("{y0}—{y1}年{name}变动的分项贡献", y0=y0, y1=y1, name=name(root)),
                      "barh", [name(c.code) for c in decomposition],
                      [ChartSeries(L("贡献（点）"), [c.contribution for c in decomposition])], y_label=L("点"),
                      demo=demo))
    ranking = view.ranking(y1, [root, *dims])
    if len(ranking) > 1:
        me = next((u for u in ranking if u.unit == view.run.focus_unit), None)
        cmp_sec.add(Paragraph(L.prose("eval_comparison", ranking=ranking, view=view, y1=y1, demo=demo, me=me,
                                    demo_label=L.demo_label)))
        cmp_sec.add(Table("comparison", L("{y}年各地区{name}比较", y=y1, name=name(root)), [
            Column("rank", L("排名"), "integer"), Column("unit", L("地区")),
            *[Column(c, name(c), "number", 1) for c in [root, *dims]],
            Column("code", L("单位编号"), annex_only=True)],
            [{"rank": u.rank, "unit": u.name if L.lang == "zh" else u.unit,
              **{c: u.scores.get(c) for c in [root, *dims]}, "code": u.unit,
              "_demo": demo} for u in ranking],
            notes=[L.prose("note_comparison", demo=demo, demo_label=L.demo_label)], demo=demo))
    else:
        cmp_sec.add(Paragraph(L.prose("no_comparison")))
    return sec, cmp_sec


def _opinion_blocks(L: PackText, ops: Opinions, sec: Section) -> None:
    if ops.topics:
        sec.add(Table("opinion_topics", L("公众意见分主题统计"), [
            Column("topic", L("主题")), Column("received", L("收到"), "integer"),
            Column("published", L("已公开"), "integer"),
            Column("pending", L("待审核"), "integer"), Column("rejected", L("未采用"), "integer"),
            Column("replied", L("已答复"), "integer")],
            [{"topic": (f"{t['number']}. " if t.get("number") else "")
              + L.keep(str(t.get(f"title_{L.lang}") or t["title_zh"])),
              "received": t["received"], "published": t["published"], "pending": t["pending"],
              "rejected": t["rejected"], "replied": t["replied"]} for t in ops.topics], demo=ops.demo))
    if ops.replied:
        sec.add(Table("opinion_replies", L("公众意见及答复（摘录）"), [
            Column("date", L("日期"), "date"), Column("target", L("意见对象")), Column("body", L("意见摘要")),
            Column("department", L("答复单位")), Column("reply", L("答复摘要"))],
            [{"date": c.submitted_at.date().isoformat(), "target": f"{c.target_kind}:{c.target_code}",
              "body": L.keep(_excerpt(c.body)),
              "department": L.name(c.reply.department) if c.reply and c.reply.department else L("规划办"),
              "reply": L.keep(_excerpt(c.reply.body if c.reply else "")), "_demo": comment_is_demo(c)}
             for c in ops.replied], demo=ops.demo))


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _lagging_blocks(L: PackText, rows: list[IndicatorRow], sec: Section) -> None:
    sec.add(Heading(L("（一）滞后指标所需年均增速")))
    lagging = [r for r in rows if r.lagging]
    sec.add(Paragraph(L.prose("eval_needed", lagging=lagging, demo_label=L.demo_label)))
    if lagging:
        sec.add(Table("growth_needed", L("滞后指标所需年均增速表"), [
            Column("name", L("指标")), Column("status", L("评价")), Column("current", L("当前值"), "number"),
            Column("current_year", L("当前值年份"), "year"), Column("target", L("目标值"), "number"),
            Column("target_year", L("目标年份"), "year"), Column("years_left", L("剩余年数"), "integer"),
            Column("compound", L("所需年均增速"), "percent"), Column("linear", L("所需年均增量"), "number", 2),
            Column("note", L("说明"), annex_only=True)],
            [{"name": L.name(r.indicator), "status": _verdict(L, r),
              "current": None if r.latest is None else r.latest.value,
              "current_year": None if r.latest is None else r.latest.year,
              "target": None if r.target is None else r.target.value,
              "target_year": None if r.target is None else r.target.year,
              "years_left": r.assessment.needed.years_left if r.assessment.needed else None,
              "compound": r.assessment.needed.compound if r.assessment.needed else None,
              "linear": r.assessment.needed.linear if r.assessment.needed else None,
              "note": L.note(r.assessment.needed) if r.assessment.needed else "", "_demo": r.demo} for r in lagging],
            notes=[L.note(r.assessment.needed) for r in lagging if r.assessment.needed],
            demo=any(r.demo for r in lagging)))


def _adjustment_blocks(L: PackText, proposals: list[dict[str, Any]], rows: list[IndicatorRow], kind: str,
                       sec: Section) -> None:
    sec.add(Heading(L("（二）规划调整建议")))
    proposed_codes = {p["indicator_code"] for p in proposals}
    others = [r for r in rows if r.lagging and r.indicator.code not in proposed_codes]
    sec.add(Paragraph(L.prose("eval_adjustments", proposals=proposals, others=others, kind=kind,
                            demo_label=L.demo_label)))
    if proposals:
        sec.add(Table("proposals", L("规划调整建议表"), [
            Column("id", L("编号")), Column("element", L("规划目标")), Column("indicator", L("指标")),
            Column("change", L("建议调整")), Column("basis", L("依据")),
            Column("element_code", L("规划要素编号"), annex_only=True),
            Column("plan_version", L("基于规划版本"), "integer", annex_only=True)],
            [{"id": p["id"], "element": p["element_text"] if L.lang == "zh" else p["element_text_en"],
              "indicator": p["indicator_name"] if L.lang == "zh" else p["indicator_name_en"],
              "change": L.join((L.prose("change_text", c=c, unit=p["unit"] if L.lang == "zh" else p["unit_en"])
                                for c in p["changes"]), "；"),
              "basis": p[f"basis_{L.lang}"], "element_code": p["element_code"], "plan_version": p["plan_version"],
              "_demo": p["demo"]} for p in proposals],
            notes=[L.prose("note_proposals")], demo=any(p["demo"] for p in proposals)))


def _quality_section(L: PackText, rows: list[IndicatorRow], view: index_view.IndexView | None, year: int,
                     meta: dict[str, Any]) -> Section:
    sec = Section("annex_quality", L("附件：数据来源与质量"))
    quality_rows = []
    for r in rows:
        p = r.profile
        expected = list(range(p.baseline_year + 1, year + 1)) if p is not None and p.baseline_year is not None else []
        have = sorted({o.year for o in r.progress.observations})
        kinds = Counter(o.source_kind for o in r.progress.observations)
        quality_rows.append({
            "name": L.name(r.indicator), "baseline_source": L.keep((p.baseline_source if p else "") or "—"),
            "sources": L.join(L("{kind} {n} 个", kind=L(SOURCE_KIND_ZH.get(k, k)), n=n)
                              for k, n in sorted(kinds.items())) or L("无"),
            "years": L.join(map(str, have)) or "—", "coverage": len(have) / len(expected) if expected else None,
            "provisional": L.join(map(str, r.provisional_years)) or L("无"),
            "revisions": L.join(L("{y}年（第{n}次修订）", y=y, n=n) for y, n in r.revised_years) or L("无"),
            "owner": L.name(p.owner) if p is not None and p.owner is not None else "—", "_demo": r.demo})
    gaps = sum(1 for r in rows if r.profile is not None and r.profile.baseline_year is not None
               and len({o.year for o in r.progress.observations}) < year - r.profile.baseline_year)
    sec.add(Paragraph(L.prose("eval_quality", rows=rows, gaps=gaps, year=year, demo_label=L.demo_label)))
    sec.add(Table("data_quality", L("指标数据来源与质量"), [
        Column("name", L("指标")), Column("owner", L("责任单位")), Column("baseline_source", L("基期值来源")),
        Column("sources", L("数据来源")), Column("years", L("已有数据年份")),
        Column("coverage", L("覆盖率"), "percent"),
        Column("provisional", L("初步数")), Column("revisions", L("修订"))], quality_rows,
        notes=[L.prose("note_quality", year=year)], demo=any(r.demo for r in rows)))
    if view is not None:
        statuses = Counter(L(NODE_STATUS_ZH.get(n.status, n.status or "未标注")) for n in view.nodes if n.level == 1)
        types = Counter(L(DATA_TYPE_ZH.get(n.data_type, n.data_type or "未标注")) for n in view.nodes if n.level == 1)
        sec.add(Paragraph(L.prose("index_quality", view=view, statuses=statuses, types=types, demo_label=L.demo_label)))
        revisions = _published_revisions(L, view)
        if revisions:
            sec.add(Table("published_revisions", L("官方发布指数的历次版本"), [
                Column("code", L("指数")), Column("year", L("数据年份"), "year"), Column("editions", L("各版本数值")),
                Column("spread", L("版本间差异"), "number", 1)], revisions,
                notes=[L.prose("note_published_revisions")]))
    sec.add(Table("build_record", L("评估依据与方法版本"), [Column("item", L("项目")), Column("value", L("内容"))],
                  _record_rows(L, meta)))
    return sec


def _published_revisions(L: PackText, view: index_view.IndexView) -> list[dict[str, Any]]:
    out = []
    for code in [view.root, *view.dims]:
        by_year: dict[int, list[Any]] = {}
        for f in view.published_all(code):
            by_year.setdefault(f.year, []).append(f)
        for y, figures in sorted(by_year.items()):
            values = {f.value for f in figures}
            if len(figures) > 1:
                out.append({"code": view.name(code, L.lang), "year": y,
                            "editions": L.join((f"{f.edition}{L.colon}{num(f.value)}" for f in figures), "；"),
                            "spread": max(values) - min(values)})
    return out


def _record_rows(L: PackText, meta: dict[str, Any]) -> list[dict[str, Any]]:
    plan, methods = meta["plan"], meta["methods"]
    title = plan["title"] if L.lang == "zh" else plan["title_en"]
    rows = [("规划", title + L.paren(L.keep(plan["document_number"]))),
            ("规划版本", L("第 {n} 版", n=plan["version"])
             + L.paren(L.keep(plan["version_created_by"]) + L.colon + L.keep(plan["version_reason"]))),
            ("规划版本哈希（SHA-256）", plan["version_sha256"]),
            ("评估年份", str(meta["year"])), ("数据截止日期", meta["as_of"]),
            ("报告格式版本", methods["report_format"]), ("系统版本", f"kechuang {methods['kechuang']}"),
            ("进度评价规则", methods["progress_rules"]),
            ("评价阈值", L.join((f"{k}={v}" for k, v in sorted(methods["progress_thresholds"].items())), "；"))]
    run = meta.get("index_run")
    if run:
        rows += [("指数计算记录",
                  L("第 {n} 次计算", n=run["run_id"]) + L.colon + (run["title"] if L.lang == "zh" else run["title_en"])
                  + L.paren(run["created_at"] + L.comma + L.keep(run["created_by"]))),
                 ("指数数据哈希（SHA-256）", run["data_sha256"]), ("指数元数据哈希（SHA-256）", run["meta_sha256"]),
                 ("指数方法哈希（SHA-256）", run["spec_sha256"]), ("指数引擎版本", str(run["engine_version"])),
                 ("指数数据来源", str(run["data_source"]))]
    return [{"item": L(k), "value": v, "_demo": bool(run and run["is_demo"] and k.startswith("指数"))} for k, v in rows]


def ruled(L: PackText, text: str) -> str:
    """A paragraph the system wrote from a rule says so."""
    return L(RULE_LABEL) + text


def _target_blocks(L: PackText, rows: list[TargetRow], year: int, sec: Section) -> None:
    sec.add(Heading(L("（二）规划量化目标完成情况")))
    sec.add(Paragraph(ruled(L, L.prose("eval_targets", rows=rows, year=year, demo_label=L.demo_label))))
    table_rows = []
    for r in rows:
        e = r.element
        low, high = e.attrs.get("value_min"), e.attrs.get("value_max")
        bounds = "–".join(num(v) for v in (low, high) if v is not None)
        table_rows.append({
            "code": e.code, "target": L.name(e), "value": f"{bounds} {e.attrs.get('unit_' + L.lang, '')}".strip(),
            "year": e.attrs.get("year"), "current": None if r.latest is None else r.latest.value,
            "current_year": None if r.latest is None else r.latest.year,
            "status": L("暂无监测值") if r.reached is None else (L("已达到目标下限") if r.reached else L("尚未达到")),
            "source": f"{e.attrs['source']['section']}" if e.attrs.get("source") else "", "_demo": r.demo})
    sec.add(Table("plan_targets", L("规划量化目标完成情况表"), [
        Column("code", L("目标编号")), Column("target", L("规划目标")), Column("value", L("目标值")),
        Column("year", L("目标年份"), "year"), Column("current", L("当前值"), "number"),
        Column("current_year", L("当前值年份"), "year"), Column("status", L("完成情况")),
        Column("source", L("规划章节"), annex_only=True)], table_rows, demo=any(r.demo for r in rows)))


QUALIFIER_ZH = {"exact": "", "more_than": "余/以上", "about": "约"}


def _fact_blocks(L: PackText, rows: list[FactRow], sec: Section) -> None:
    sec.add(Heading(L("（三）发展基础数据与最新值对照")))
    sec.add(Paragraph(ruled(L, L.prose("eval_facts", rows=rows))))
    out = []
    for n, r in enumerate(rows, start=1):
        f, o = r.fact, r.latest
        if o is None:
            note = L("尚无后续数据")
        elif not r.comparable:
            note = L("发布版本不同（{a}版→{b}版），不作比较", a=r.fact_edition, b=o.edition)
        else:
            note = (L(SOURCE_KIND_ZH.get(o.source_kind, o.source_kind))
                    + (L.paren(L("{v}版", v=o.edition)) if o.edition else "")
                    + (L.paren(L("官方媒体报道")) if o.confidence == "medium" else ""))
        name = L.name(r.indicator) if r.indicator is not None else (f.parent_code or "")
        out.append({
            "seq": n, "code": f.code, "name": name, "unit": L.unit(r.indicator) if r.indicator is not None else "",
            "fact_year": f.attrs.get("period") or f.attrs.get("year"),
            "fact_value": float(f.attrs["value"]),
            "qualifier": L(QUALIFIER_ZH.get(str(f.attrs.get("qualifier")), "")),
            "latest_year": None if o is None else o.year, "latest": None if o is None else o.value,
            "change": r.change, "note": note, "_demo": r.demo})
    sec.add(Table("baseline_facts", L("发展基础数据与最新值对照表"), [
        Column("seq", L("序号"), "integer"), Column("name", L("指标")), Column("unit", L("单位")),
        Column("fact_year", L("规划所述年份")), Column("fact_value", L("规划所述数值"), "number"),
        Column("qualifier", L("表述")), Column("latest_year", L("最新值年份"), "year"),
        Column("latest", L("最新值"), "number"), Column("change", L("变化"), "number"),
        Column("note", L("来源与可比性")),
        Column("code", L("事实编号"), annex_only=True)], out,
        notes=[L.prose("note_facts")], demo=any(r.demo for r in rows)))


def _safeguard_section(L: PackText, safeguards: list[PlanElement], tasks: list[TaskRow], rows: list[IndicatorRow],
                       ops: Opinions, approved: int, as_of: dt.date) -> Section:
    sec = Section("safeguards", L("五、保障措施落实"))
    items = [i for t in tasks for i, _ in t.items]
    reports = sum(1 for i in items for r in i.reports if before_cutoff(r.at, as_of))
    sec.add(Paragraph(ruled(L, L.prose("eval_safeguards", safeguards=safeguards, items=len(items),
                                  leads=len({i.lead_department_id for i in items}), reports=reports,
                                  indicators=len(rows), approved=approved, opinions=ops.received, as_of=as_of))))
    sec.add(Table("safeguards", L("保障措施及落实情况"), [
        Column("number", L("序号"), "integer"), Column("title", L("保障措施")), Column("text", L("规划要求")),
        Column("code", L("编号"), annex_only=True)],
        [{"number": n, "title": L.name(e), "text": _excerpt(L.text(e), 120), "code": e.code}
         for n, e in enumerate(safeguards, start=1)]))
    return sec


def _headline_index(L: PackText, session: Session, plan_id: int,
                    view: index_view.IndexView | None) -> tuple[str, str] | None:
    """(node code, name) of the composite index: the plan's first index framework's, named as the plan indicator of
    its published series (the same name whether or not a run is stored), else the run's."""
    fws = frameworks.frameworks(session, plan_id)
    if not fws:
        return None if view is None else (view.root, view.name(view.root, L.lang))
    fw = fws[0]
    ind = session.scalar(select(Indicator).where(Indicator.plan_id == plan_id,
                                                 Indicator.code == frameworks.indicator_code(fw, fw.index_code)))
    if ind is not None:
        return fw.index_code, L.name(ind)
    if view is not None:
        return view.root, view.name(view.root, L.lang)
    return fw.index_code, fw.title_en if L.lang == "en" and fw.title_en else L.keep(fw.title_zh)


def _editions(figures: list[Any]) -> list[dict[str, Any]]:
    """The published figures grouped by index edition (oldest first), with their years and first release."""
    groups: dict[str, list[Any]] = {}
    for f in figures:
        if f.version:
            groups.setdefault(f.version, []).append(f)
    out = []
    for version, figs in sorted(groups.items()):
        out.append({"version": version, "years": sorted({f.year for f in figs}), "count": len(figs),
                    "first_release": min(f.edition[:10] for f in figs)})
    return out


def _external_section(L: PackText, session: Session, plan_id: int, view: index_view.IndexView | None, year: int,
                      base_year: int, as_of: dt.date) -> Section:
    sec = Section("external", L("六、外部环境变化"))
    sec.add(Heading(L("（一）创新指数编制方法调整")))
    head = _headline_index(L, session, plan_id, view)
    if head is None:
        sec.add(Paragraph(L.prose("no_index_run", as_of=as_of)))
        return sec
    root, name = head
    figures = index_view.published_figures(session, plan_id, root, as_of)
    editions = _editions(figures)
    sec.add(Paragraph(ruled(L, L.prose("eval_rebasing", editions=editions, index_name=name, as_of=as_of))))
    if figures:
        sec.add(Table("index_editions", L("{name}官方发布值及版本", name=name), [
            Column("year", L("数据年份"), "year"), Column("value", L("发布值"), "number", 1),
            Column("version", L("版本")),
            Column("released", L("发布日期"))],
            [{"year": f.year, "value": f.value, "version": f.version or "—", "released": f.edition}
             for f in figures], notes=[L.prose("note_editions")]))
    index_sec, cmp_sec = _index_section(L, view, year, base_year, as_of)
    for part in (index_sec, cmp_sec):
        sec.add(Heading(part.title), *part.blocks)
    return sec


def _problem_section(L: PackText, rows: list[IndicatorRow], tasks: list[TaskRow], shortcomings: list[PlanElement],
                     links: dict[str, list[PlanElement]], year: int, as_of: dt.date) -> Section:
    sec = Section("problems", L("七、存在问题"))
    lagging = [r for r in rows if r.lagging]
    overdue = [(i, a) for t in tasks for i, a in t.overdue]
    sec.add(Paragraph(ruled(L, L.prose("eval_problems", lagging=lagging, overdue=overdue, shortcomings=shortcomings,
                                  year=year, as_of=as_of, min_hits=SHORTCOMING_MIN_HITS, demo_label=L.demo_label))))
    by_code = {t.task.code: t for t in tasks}
    out = []
    for n, sc in enumerate(shortcomings, start=1):
        addressed = [by_code[t.code] for t in links.get(sc.code, []) if t.code in by_code]
        inds = [r for t in addressed for r in t.indicators]
        out.append({
            "number": n, "shortcoming": L.name(sc),
            "tasks": L.join(f"{t.task.attrs.get('number')}. {L.name(t.task)}" for t in addressed) or "—",
            "indicators": L.join(L.name(r.indicator) + L.paren(L.status(r.assessment)) for r in inds)
            or L("未关联指标"),
            "overdue": sum(len(t.overdue) for t in addressed), "code": sc.code, "_demo": any(r.demo for r in inds)})
    sec.add(Table("shortcomings", L("规划所列问题及应对任务"), [
        Column("number", L("序号"), "integer"), Column("shortcoming", L("规划所列问题")),
        Column("tasks", L("应对任务")),
        Column("indicators", L("相关指标及评价")), Column("overdue", L("逾期督办"), "integer"),
        Column("code", L("编号"), annex_only=True)], out,
        notes=[L.prose("note_shortcomings", min_hits=SHORTCOMING_MIN_HITS)], demo=any(r["_demo"] for r in out)))
    return sec


# ---------------------------------------------------------------- the pack


WRITTEN_LABEL = "【规划办撰写】"


def _narrative_blocks(L: PackText, row: ReportNarrative | None, required: bool) -> list[Block]:
    """The judgement the plan office wrote for a section (newest version, with who and when), or, for a required
    section not written yet, a note saying so. An English pack quotes the text as written (kept in the original)."""
    if row is None:
        return [Paragraph(L.prose("narrative_missing"), style="note")] if required else []
    return [Paragraph(L(WRITTEN_LABEL) + L.keep(row.text)),
            Paragraph(L.prose("narrative_note", row=row, at=clock.time_text(row.created_at)), style="note")]


def _approved_values(session: Session, plan_id: int, year: int, as_of: dt.date) -> int:
    """Approved submitted values (of years up to ``year``, approved by the cut-off day) the evaluation can draw on."""
    stored = session.scalars(
        select(Observation.created_at).join(Observation.indicator)
        .where(Indicator.plan_id == plan_id, Observation.source_kind.in_(("submission", "demo")),
               Observation.year <= year))
    return sum(1 for moment in stored if before_cutoff(moment, as_of))


def build_evaluation(session: Session, kind: str, year: int | None = None, *, as_of: dt.date | None = None,
                     plan_code: str | None = None, lang: str = "zh") -> Report:
    """The mid-term (``midterm``) or final (``final``) evaluation of the plan as of ``year`` (default: the
    middle of the plan period, or its end year), with everything else as of the cut-off day ``as_of`` (default
    today): supervision statuses and progress reports, opinions and replies, the index run (the newest created
    by then) and the published figures (released by then). ``lang`` en builds the English pack from the same data
    (every label through the one catalog ``reports.i18n``, the English prose templates)."""
    if kind not in KIND_ZH:
        raise ReportError(f"unknown evaluation {kind!r}; expected midterm or final")
    L = PackText(lang)
    as_of = as_of or clock.today()
    version = version_at(session, plan_code, as_of)
    meta_plan = plan_meta(version)
    start, end = meta_plan["period_start"], meta_plan["period_end"]
    if year is None:
        year = end if kind == "final" else start + (end - start) // 2
    if not start <= year <= end:
        raise ReportError(f"year {year} is outside the plan period {start}–{end}")
    plan_id = version.plan_id
    rows = indicator_rows(session, version, year, as_of)
    tasks = task_rows(session, version, rows, as_of)
    view = index_view.load(session, plan_id, as_of)
    ops = opinions(session, plan_id, as_of)
    elements = plans.elements(session, version)
    of_kind: dict[str, list[PlanElement]] = {}
    for e in elements:
        of_kind.setdefault(e.kind, []).append(e)
    targets = of_kind.get("target", [])
    proposals = [p.to_dict() for p in propose(rows, version, targets)]
    data_years = [r.latest.year for r in rows if r.latest is not None]
    meta: dict[str, Any] = {
        "plan": meta_plan, "year": year, "as_of": as_of.isoformat(),
        "data_year": max(data_years) if data_years else None, "methods": methods_meta(view),
        "index_run": None if view is None else view.run_record()}
    demo = (any(r.demo for r in rows) or any(i.is_demo for t in tasks for i, _ in t.items)
            or (view is not None and view.run.is_demo) or ops.demo)
    base_year = start - 1
    counts = Counter(r.assessment.standing for r in rows)
    items = [(i, a) for t in tasks for i, a in t.items]

    summary = Section("summary", L("一、总体评价"))
    head = _headline_index(L, session, plan_id, view)
    if head is not None:
        official = index_view.published_figures(session, plan_id, head[0], as_of)
        latest = max((f for f in official if f.year <= year), key=lambda f: (f.year, f.edition), default=None)
        summary.add(Paragraph(L.prose("eval_headline", figure=latest, index_name=head[1], year=year, as_of=as_of)))
    summary.add(
        Paragraph(L.prose("eval_intro", plan=meta_plan, kind=L(KIND_ZH[kind]), year=year, as_of=as_of, meta=meta)),
        Paragraph(ruled(L, L.prose("eval_summary_indicators", rows=rows, counts=counts, Standing=Standing, year=year,
                              lagging=[r for r in rows if r.lagging], demo=any(r.demo for r in rows),
                              demo_label=L.demo_label))),
        Paragraph(ruled(L, L.prose("eval_summary_tasks", tasks=tasks, items=items,
                              overdue=[x for x in items if x[1].status is Status.OVERDUE],
                              closed=[x for x in items if x[1].status is Status.CLOSED],
                              red=[t for t in tasks if t.rollup.colour is Colour.RED],
                              demo=any(i.is_demo for i, _ in items), demo_label=L.demo_label))),
    )
    if view is not None and view.year_for(year) is not None:
        y1 = view.year_for(year)
        y0 = view.year_for(base_year)
        summary.add(Paragraph(L.prose("eval_summary_index", view=view, y0=y0, y1=y1, demo=view.run.is_demo,
                                    demo_label=L.demo_label)))
    summary.add(Paragraph(L.prose("eval_summary_adjustments", proposals=proposals, kind=L(KIND_ZH[kind]))),
                Heading(L("评估组织与公众意见")),
                Paragraph(L.prose("eval_organisation", as_of=as_of, indicators=len(rows), items=len(items),
                                leads=len({i.lead_department_id for i, _ in items}), ops=ops,
                                demo_label=L.demo_label)))
    _opinion_blocks(L, ops, summary)

    indicators = _indicator_section(L, rows, year)
    _target_blocks(L, target_rows(session, plan_id, targets, year, as_of), year, indicators)
    _fact_blocks(L, fact_rows(session, plan_id, of_kind.get("fact", []), year, as_of), indicators)
    shortcomings = of_kind.get("shortcoming", [])
    links = shortcoming_links(shortcomings, of_kind.get("task", []), of_kind.get("measure", []))
    next_steps = Section("next_steps", L("八、下一步工作建议和规划调整建议"))
    _lagging_blocks(L, rows, next_steps)
    _adjustment_blocks(L, proposals, rows, kind, next_steps)
    sections = [summary, indicators, _task_section(L, tasks, as_of), _project_section(L, tasks, as_of),
                _safeguard_section(L, of_kind.get("safeguard", []), tasks, rows, ops,
                                   _approved_values(session, plan_id, year, as_of), as_of),
                _external_section(L, session, plan_id, view, year, base_year, as_of),
                _problem_section(L, rows, tasks, shortcomings, links, year, as_of), next_steps,
                _quality_section(L, rows, view, year, meta)]
    written = narratives.current(session, plan_id, kind, year)
    for sec in sections:
        if sec.id in narratives.NARRATIVE_SECTIONS:
            sec.blocks[0:0] = _narrative_blocks(L, written.get(sec.id), narratives.NARRATIVE_SECTIONS[sec.id])
    meta["narratives"] = {k: {"version": n.version, "author": n.author} for k, n in sorted(written.items())}
    title = L("{title}{kind}报告", title=meta_plan["title"] if L.lang == "zh" else meta_plan["title_en"],
              kind=L(KIND_ZH[kind]))
    subtitle = L.prose("subtitle_evaluation", plan=meta_plan, year=year, as_of=as_of, kind=L(KIND_ZH[kind]))
    if L.lang != "zh":
        meta["lang"] = L.lang
    report = Report(kind=kind, title=title, subtitle=subtitle, year=year, meta=meta,  # type: ignore[arg-type]
                    sections=sections, demo=demo,
                    demo_notice=L.prose("demo_notice", demo_label=L.demo_label) if demo else "",
                    proposals=proposals, lang=L.lang)
    report.kept = sorted(L.kept)
    return report
