"""The public tables, read from the services: one :class:`Table` per resource of the data package.

A table is plain data — its fields (name, Frictionless type, bilingual title, description) and its rows
(dicts keyed by field name) — so that pages, CSV, XLSX, JSON and the data package all show the same rows.
Plan tables come from the plan's newest version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kechuang.comments import service as comments
from kechuang.indicators import service as indicators
from kechuang.plan import service as plans
from kechuang.plan.models import PlanElement, PlanVersion


@dataclass(frozen=True)
class Field:
    """A column: ``type`` is a Frictionless Table Schema type (string, integer, number, boolean, datetime)."""

    name: str
    type: str
    title_zh: str
    title_en: str
    description: str = ""

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh


@dataclass(frozen=True)
class Table:
    """A public table: resource ``name``, titles, a description, the fields and the rows."""

    name: str
    title_zh: str
    title_en: str
    description: str
    fields: tuple[Field, ...]
    rows: list[dict[str, Any]]
    primary_key: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def describe(self, lang: str) -> str:
        """The description in ``lang`` (the data package carries the English one)."""
        return self.description if lang == "en" else DESCRIPTIONS_ZH.get(self.name, self.description)


DESCRIPTIONS_ZH = {
    "tasks": "规划第四章的主要任务，按任务领域排列。",
    "measures": "每项举措（任务下的一段）及其全文。",
    "projects": "各项举措点名的重点项目、载体、平台、机构和计划。",
    "targets": "举措中给出的量化目标，附原文出处。",
    "places": "空间布局中的区域与载体。坐标为 WGS84；approximate = true 表示手工估计的近似点，"
              "非测绘坐标。",
    "glossary": "规划附件的名词解释，以及使用各名词的规划条目。",
    "indicators": "规划中量化的指标及其观测值个数。",
    "observations": "每个指标的全部观测值及来源：plan_text（规划文本）、published（公开发布）、"
                    "submission（部门填报并审核）或 demo（演示数据，不是真实数据）。",
    "comments": "经规划办审核公开的公众意见及官方答复，文字保持作者原文。",
}


def _f(name: str, type_: str, zh: str, en: str, description: str = "") -> Field:
    return Field(name, type_, zh, en, description)


def _src(e: PlanElement) -> tuple[str, str]:
    source = e.attrs.get("source") or {}
    return source.get("section", ""), source.get("quote", "")


# ---------------------------------------------------------------- plan tables


def tasks(s: Session, v: PlanVersion) -> Table:
    areas = {a.code: a for a in plans.elements(s, v, "area")}
    measures = plans.elements(s, v, "measure")
    rows = []
    for t in plans.elements(s, v, "task"):
        a = areas[t.parent_code or ""]
        rows.append({"code": t.code, "number": t.attrs.get("number"), "title_zh": t.title_zh, "title_en": t.title_en,
                     "area_code": a.code, "area_title_zh": a.title_zh, "area_title_en": a.title_en,
                     "measures": sum(m.parent_code == t.code for m in measures)})
    return Table("tasks", "主要任务", "Tasks", "The plan's main tasks (chapter 4), by task area.", (
        _f("code", "string", "编码", "Code"), _f("number", "integer", "序号", "Number"),
        _f("title_zh", "string", "任务（中文）", "Task (Chinese)"),
        _f("title_en", "string", "任务（英文）", "Task (English)"),
        _f("area_code", "string", "任务领域编码", "Area code"),
        _f("area_title_zh", "string", "任务领域（中文）", "Area (Chinese)"),
        _f("area_title_en", "string", "任务领域（英文）", "Area (English)"),
        _f("measures", "integer", "举措数", "Measures", "number of measures of the task"),
    ), rows, ("code",))


def measures(s: Session, v: PlanVersion) -> Table:
    rows = [{"code": m.code, "task_code": m.parent_code, "title_zh": m.title_zh, "title_en": m.title_en,
             "titled": bool(m.attrs.get("titled", True)), "text_zh": m.text_zh, "text_en": m.text_en}
            for m in plans.elements(s, v, "measure")]
    return Table("measures", "举措", "Measures", "Every measure (one paragraph of a task) with its full text.", (
        _f("code", "string", "编码", "Code"), _f("task_code", "string", "任务编码", "Task code"),
        _f("title_zh", "string", "举措（中文）", "Measure (Chinese)"),
        _f("title_en", "string", "举措（英文）", "Measure (English)"),
        _f("titled", "boolean", "原文有标题", "Titled", "false where the paragraph has no lead phrase of its own"),
        _f("text_zh", "string", "原文", "Text (Chinese)"), _f("text_en", "string", "译文", "Text (English)"),
    ), rows, ("code",))


def projects(s: Session, v: PlanVersion) -> Table:
    measure_task = {m.code: m.parent_code for m in plans.elements(s, v, "measure")}
    rows = [{"code": p.code, "measure_code": p.parent_code, "task_code": measure_task.get(p.parent_code or ""),
             "name_zh": p.title_zh, "name_en": p.title_en, "kind": p.attrs.get("project_kind"),
             "place_code": p.attrs.get("place"), "note_zh": p.text_zh, "note_en": p.text_en}
            for p in plans.elements(s, v, "project")]
    return Table("projects", "重点项目与载体", "Key projects",
                 "Key projects, places, platforms, institutions and programmes named in the measures.", (
                     _f("code", "string", "编码", "Code"), _f("measure_code", "string", "举措编码", "Measure code"),
                     _f("task_code", "string", "任务编码", "Task code"),
                     _f("name_zh", "string", "名称（中文）", "Name (Chinese)"),
                     _f("name_en", "string", "名称（英文）", "Name (English)"),
                     _f("kind", "string", "类别", "Kind",
                        "project, place, platform, institution, policy, event, product or programme"),
                     _f("place_code", "string", "所在载体编码", "Place code"),
                     _f("note_zh", "string", "说明（中文）", "Note (Chinese)"),
                     _f("note_en", "string", "说明（英文）", "Note (English)"),
                 ), rows, ("code",))


def targets(s: Session, v: PlanVersion) -> Table:
    rows = []
    for tg in plans.elements(s, v, "target"):
        section, quote = _src(tg)
        rows.append({"code": tg.code, "measure_code": tg.parent_code, "description_zh": tg.title_zh,
                     "description_en": tg.title_en, "indicator_code": tg.attrs.get("indicator"),
                     "value_min": tg.attrs.get("value_min"), "value_max": tg.attrs.get("value_max"),
                     "unit_zh": tg.attrs.get("unit_zh"), "unit_en": tg.attrs.get("unit_en"),
                     "year": tg.attrs.get("year"), "source_section": section, "source_quote": quote})
    return Table("targets", "量化目标", "Targets", "Quantities the measures state, with the sentence they come from.", (
        _f("code", "string", "编码", "Code"), _f("measure_code", "string", "举措编码", "Measure code"),
        _f("description_zh", "string", "目标（中文）", "Target (Chinese)"),
        _f("description_en", "string", "目标（英文）", "Target (English)"),
        _f("indicator_code", "string", "指标编码", "Indicator code"),
        _f("value_min", "number", "下限", "Minimum"), _f("value_max", "number", "上限", "Maximum"),
        _f("unit_zh", "string", "单位", "Unit (Chinese)"), _f("unit_en", "string", "单位（英文）", "Unit (English)"),
        _f("year", "integer", "年份", "Year"), _f("source_section", "string", "出处章节", "Section"),
        _f("source_quote", "string", "原文", "Quote"),
    ), rows, ("code",))


def places(s: Session, v: PlanVersion) -> Table:
    rows = []
    for p in plans.elements(s, v, "place"):
        section, quote = _src(p)
        rows.append({"code": p.code, "name_zh": p.title_zh, "name_en": p.title_en, "type": p.attrs.get("place_type"),
                     "zone": p.attrs.get("zone"), "parent_code": p.parent_code, "lon": p.attrs.get("lon"),
                     "lat": p.attrs.get("lat"), "approximate": bool(p.attrs.get("approximate", True)),
                     "note_zh": p.text_zh, "note_en": p.text_en, "source_section": section, "source_quote": quote})
    return Table("places", "空间载体", "Places",
                 "Zones and carriers of the spatial structure. Coordinates are WGS84; "
                 "approximate = true marks a point placed by hand, not surveyed.", (
                     _f("code", "string", "编码", "Code"), _f("name_zh", "string", "名称（中文）", "Name (Chinese)"),
                     _f("name_en", "string", "名称（英文）", "Name (English)"), _f("type", "string", "类型", "Type"),
                     _f("zone", "string", "区域", "Zone", "west, central or east"),
                     _f("parent_code", "string", "上级编码", "Parent code"),
                     _f("lon", "number", "经度", "Longitude"), _f("lat", "number", "纬度", "Latitude"),
                     _f("approximate", "boolean", "近似位置", "Approximate"),
                     _f("note_zh", "string", "说明（中文）", "Note (Chinese)"),
                     _f("note_en", "string", "说明（英文）", "Note (English)"),
                     _f("source_section", "string", "出处章节", "Section"),
                     _f("source_quote", "string", "原文", "Quote"),
                 ), rows, ("code",))


def glossary(s: Session, v: PlanVersion) -> Table:
    uses = plans.term_uses(s, v)
    rows = [{"code": g.code, "number": g.attrs.get("number"), "term_zh": g.title_zh, "term_en": g.title_en,
             "definition_zh": g.text_zh, "definition_en": g.text_en, "used_in": " ".join(uses.get(g.code, []))}
            for g in plans.elements(s, v, "glossary_term")]
    return Table("glossary", "名词解释", "Glossary", "The terms of the plan's annex and the elements that use them.", (
        _f("code", "string", "编码", "Code"), _f("number", "integer", "序号", "Number"),
        _f("term_zh", "string", "名词（中文）", "Term (Chinese)"),
        _f("term_en", "string", "名词（英文）", "Term (English)"),
        _f("definition_zh", "string", "解释（中文）", "Definition (Chinese)"),
        _f("definition_en", "string", "解释（英文）", "Definition (English)"),
        _f("used_in", "string", "出现于", "Used in", "codes of the elements using the term, separated by spaces"),
    ), rows, ("code",))


# ---------------------------------------------------------------- indicators


def indicator_table(s: Session, v: PlanVersion) -> Table:
    rows = [{"code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "unit_zh": i.unit_zh, "unit_en": i.unit_en,
             "direction": i.direction, "description_zh": i.description_zh, "observations": len(i.observations)}
            for i in indicators.list_indicators(s, v.plan_id)]
    return Table("indicators", "指标", "Indicators",
                 "Indicators the plan quantifies, with their number of observations.", (
        _f("code", "string", "编码", "Code"), _f("name_zh", "string", "指标（中文）", "Indicator (Chinese)"),
        _f("name_en", "string", "指标（英文）", "Indicator (English)"),
        _f("unit_zh", "string", "单位", "Unit (Chinese)"),
        _f("unit_en", "string", "单位（英文）", "Unit (English)"),
        _f("direction", "integer", "方向", "Direction", "1: higher is better; -1: lower is better"),
        _f("description_zh", "string", "说明", "Description (Chinese)"),
        _f("observations", "integer", "观测值数", "Observations"),
    ), rows, ("code",))


def observations(s: Session, v: PlanVersion) -> Table:
    rows = [{"indicator_code": i.code, "ref": o.ref, "year": o.year, "period": o.period, "value": o.value,
             "qualifier": o.qualifier, "scope_zh": o.scope_zh, "scope_en": o.scope_en, "source_kind": o.source_kind,
             "source": o.source, "quote": o.quote, "is_demo": o.is_demo}
            for i in indicators.list_indicators(s, v.plan_id) for o in i.observations]
    return Table("observations", "指标观测值", "Observations",
                 "Every observation of every indicator with its source: plan_text (the plan's own figures), "
                 "published, submission (approved department data) or demo (demo data, not real).", (
                     _f("indicator_code", "string", "指标编码", "Indicator code"),
                     _f("ref", "string", "观测编码", "Reference", "stable key within the indicator"),
                     _f("year", "integer", "年份", "Year"),
                     _f("period", "string", "时期", "Period", "e.g. 2016-2020 for a five-year total"),
                     _f("value", "number", "数值", "Value"),
                     _f("qualifier", "string", "限定", "Qualifier", "exact, more_than (余/超过) or about (约)"),
                     _f("scope_zh", "string", "口径", "Scope (Chinese)"),
                     _f("scope_en", "string", "口径（英文）", "Scope (English)"),
                     _f("source_kind", "string", "来源类别", "Source kind"), _f("source", "string", "来源", "Source"),
                     _f("quote", "string", "原文", "Quote"), _f("is_demo", "boolean", "演示数据", "Demo data"),
                 ), rows, ("indicator_code", "ref"))


# ---------------------------------------------------------------- public comments


def comment_table(s: Session, v: PlanVersion) -> Table:
    rows = []
    for c in comments.published(s, v.plan_id):
        r = c.reply
        rows.append({"id": c.id, "target_kind": c.target_kind, "target_code": c.target_code,
                     "author_name": c.author_name, "body": c.body, "submitted_at": c.submitted_at,
                     "campaign_id": c.campaign_id, "reply_department_zh": (r.department.name_zh if r and r.department
                                                                          else "规划办" if r else None),
                     "reply_body": r.body if r else None, "replied_at": r.replied_at if r else None})
    return Table("comments", "公众意见（已发布）", "Public comments (published)",
                 "Comments from the public that the plan office published, with the official reply. Texts are "
                 "as written by their authors.", (
                     _f("id", "integer", "编号", "Id"),
                     _f("target_kind", "string", "对象类别", "Target kind", "task, measure, project or indicator"),
                     _f("target_code", "string", "对象编码", "Target code"),
                     _f("author_name", "string", "署名", "Name", "as given by the author; empty when anonymous"),
                     _f("body", "string", "意见", "Comment"), _f("submitted_at", "datetime", "提交时间", "Submitted"),
                     _f("campaign_id", "integer", "征集活动编号", "Campaign id"),
                     _f("reply_department_zh", "string", "答复单位", "Replying department"),
                     _f("reply_body", "string", "官方答复", "Official reply"),
                     _f("replied_at", "datetime", "答复时间", "Replied"),
                 ), rows, ("id",))


#: every public table, in the order of the data package
BUILDERS: dict[str, Callable[[Session, PlanVersion], Table]] = {
    "tasks": tasks, "measures": measures, "projects": projects, "targets": targets, "places": places,
    "glossary": glossary, "indicators": indicator_table, "observations": observations, "comments": comment_table,
}


class UnknownTable(LookupError):
    """No public table of that name."""


def table(s: Session, name: str, version: PlanVersion | None = None) -> Table:
    """The public table ``name`` (of the plan's newest version unless one is given)."""
    if name not in BUILDERS:
        raise UnknownTable(f"no table {name!r}; the tables are {', '.join(BUILDERS)}")
    return BUILDERS[name](s, version or plans.latest_version(s))


def all_tables(s: Session, version: PlanVersion | None = None) -> list[Table]:
    """Every public table, in package order."""
    v = version or plans.latest_version(s)
    return [build(s, v) for build in BUILDERS.values()]
