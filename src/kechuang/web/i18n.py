"""UI strings in Chinese (default) and English, and the language choice of a request."""

from __future__ import annotations

from fastapi import Request

LANGS = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "app_name": {"zh": "科创 · 规划监测评估", "en": "Kechuang · Plan monitoring"},
    "skip": {"zh": "跳到正文", "en": "Skip to content"},
    "nav_overview": {"zh": "规划总览", "en": "Overview"},
    "nav_basis": {"zh": "发展基础", "en": "Baseline"},
    "nav_goals": {"zh": "发展目标", "en": "Goals"},
    "nav_glossary": {"zh": "名词解释", "en": "Glossary"},
    "nav_places": {"zh": "空间布局", "en": "Places"},
    "nav_versions": {"zh": "版本", "en": "Versions"},
    "nav_api": {"zh": "接口文档", "en": "API"},
    "switch_lang": {"zh": "English", "en": "中文"},
    "document_number": {"zh": "文号", "en": "Document number"},
    "approved": {"zh": "通过", "en": "Approved"},
    "issued": {"zh": "印发", "en": "Issued"},
    "period": {"zh": "规划期", "en": "Plan period"},
    "vision": {"zh": "远景", "en": "Vision"},
    "version": {"zh": "版本", "en": "Version"},
    "based_on": {"zh": "编制依据", "en": "Based on"},
    "areas_tasks": {"zh": "主要任务", "en": "Main tasks"},
    "task": {"zh": "任务", "en": "Task"},
    "area": {"zh": "任务领域", "en": "Task area"},
    "measures": {"zh": "举措", "en": "Measures"},
    "measure": {"zh": "举措", "en": "Measure"},
    "projects": {"zh": "重点项目与载体", "en": "Key projects and places"},
    "targets": {"zh": "目标", "en": "Targets"},
    "terms_used": {"zh": "相关名词", "en": "Terms used"},
    "untitled_measure": {"zh": "（原文此段无标题，取首句）", "en": "(no heading in the text; opening clause)"},
    "facts": {"zh": "量化事实", "en": "Quantified facts"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "value": {"zh": "数值", "en": "Value"},
    "unit": {"zh": "单位", "en": "Unit"},
    "year": {"zh": "年份", "en": "Year"},
    "source": {"zh": "来源", "en": "Source"},
    "scope": {"zh": "口径", "en": "Scope"},
    "shortcomings": {"zh": "问题与不足", "en": "Shortcomings"},
    "trends": {"zh": "发展趋势", "en": "Trends"},
    "guiding_thought": {"zh": "指导思想", "en": "Guiding thought"},
    "principles": {"zh": "基本原则", "en": "Principles"},
    "safeguards": {"zh": "保障措施", "en": "Safeguards"},
    "used_in": {"zh": "出现于", "en": "Used in"},
    "only_in_glossary": {"zh": "仅见于附件", "en": "Only in the annex"},
    "zone": {"zh": "区域", "en": "Zone"},
    "type": {"zh": "类型", "en": "Type"},
    "coordinates": {"zh": "坐标", "en": "Coordinates"},
    "approximate": {"zh": "近似位置", "en": "approximate"},
    "created": {"zh": "时间", "en": "Created"},
    "by": {"zh": "操作人", "en": "By"},
    "reason": {"zh": "原因", "en": "Reason"},
    "compare": {"zh": "比较", "en": "Compare"},
    "no_differences": {"zh": "两个版本没有差别", "en": "The versions do not differ"},
    "added": {"zh": "新增", "en": "added"},
    "removed": {"zh": "删除", "en": "removed"},
    "changed": {"zh": "修改", "en": "changed"},
    "field": {"zh": "字段", "en": "Field"},
    "before": {"zh": "调整前", "en": "Before"},
    "after": {"zh": "调整后", "en": "After"},
    "not_found": {"zh": "未找到", "en": "Not found"},
    "qualifier_more_than": {"zh": "余/超过", "en": "more than"},
    "qualifier_about": {"zh": "约", "en": "about"},
    "map_note": {"zh": "坐标为示意位置（近似），仅用于展示空间结构。",
                 "en": "Coordinates are approximate, for showing the spatial structure only."},
    "zone_west": {"zh": "西部核心区", "en": "Western core zone"},
    "zone_central": {"zh": "中部提升区", "en": "Central upgrading zone"},
    "zone_east": {"zh": "东部战略区", "en": "Eastern strategic zone"},
    "zone_none": {"zh": "全区", "en": "District-wide"},
    "ptype_zone": {"zh": "功能分区", "en": "Zone"},
    "ptype_functional_area": {"zh": "功能区", "en": "Functional area"},
    "ptype_corridor": {"zh": "创新走廊", "en": "Innovation corridor"},
    "ptype_knowledge_circle": {"zh": "知识经济圈", "en": "Knowledge economy circle"},
    "ptype_valley": {"zh": "金融谷", "en": "Valley"},
    "ptype_industrial_park": {"zh": "产业园", "en": "Industrial park"},
    "ptype_innovation_street": {"zh": "创新创业街区", "en": "Innovation street"},
    "ptype_innovation_belt": {"zh": "创新带", "en": "Innovation belt"},
    "ptype_science_park": {"zh": "科技园区", "en": "Science park"},
    "ptype_park": {"zh": "园区", "en": "Park"},
    "ptype_landmark": {"zh": "地标", "en": "Landmark"},
    "ptype_platform_site": {"zh": "平台所在地", "en": "Platform site"},
    "ptype_group": {"zh": "载体组合", "en": "Group of carriers"},
}


def t(key: str, lang: str) -> str:
    """The UI string ``key`` in ``lang``."""
    return STRINGS[key][lang]


def request_lang(request: Request) -> str:
    """Language of a request: ``?lang=`` first, then the ``lang`` cookie, then Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGS:
            return candidate
    return "zh"
