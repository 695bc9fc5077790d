"""UI strings in Chinese (default) and English, and the language choice of a request."""

from __future__ import annotations

from fastapi import Request

from kechuang.reports.i18n import REPORT_STRINGS
from kechuang.web.i18n_jobs import JOB_STRINGS
from kechuang.web.i18n_monitoring import MONITORING_STRINGS
from kechuang.web.i18n_portal import PORTAL_STRINGS
from kechuang.web.i18n_progress import PROGRESS_PAGE_STRINGS
from kechuang.web.i18n_uncertainty import UNCERTAINTY_STRINGS

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
    "zone_none": {"zh": "全区", "en": "District-wide"},
    "nav_index": {"zh": "创新指数", "en": "Index"},
    "index_none": {"zh": "本规划没有综合指数：规划的数据包中没有指数框架。各项指标的监测见“指标”页。",
                   "en": "This plan has no composite index: its bundle has no index framework. The indicators are "
                         "monitored on the indicators page."},
    "indicators_assessed": {"zh": "项指标可评价", "en": "indicators assessable"},
    "status_note": {"zh": "状态由已审定的指标数据按各指标的评价规则得出（取最差者），文字与颜色同时标示；"
                          "无已审定数据或目标时为“不适用”。",
                    "en": "Status comes from approved indicator data under each indicator's rule (the worst one "
                          "counts), shown in words as well as colour; without approved data or a target it is "
                          "'not applicable'."},
    "radar": {"zh": "最近两年各维度（计算值）",
              "en": "The dimensions in the last two years (computed)"},
    "download": {"zh": "下载", "en": "Download"},
    "expected_trajectory": {"zh": "序时进度线", "en": "Expected trajectory"},
    "comment_on_this": {"zh": "对此提出意见", "en": "Comment on this"},
    "demo_banner": {"zh": "演示数据：本页“计算值”由演示数据集计算，不是官方指数；官方发布值单独列出并注明来源。",
                    "en": "Demo data (“演示数据”): the computed values on this page come from a demo dataset and are "
                          "not the official index; published values are shown separately with their sources."},
    "computed": {"zh": "计算值", "en": "Computed"},
    "computed_demo": {"zh": "计算值（演示）", "en": "Computed (demo)"},
    "run_shown": {"zh": "本页显示的计算批次：", "en": "Computed run shown:"},
    "no_run": {"zh": "尚无由审批通过的数据计算的指数批次；下面只列出官方发布值。规划办可在数据审批后运行",
               "en": "No index run has been computed from approved data yet; only the published figures are shown. "
                     "The plan office runs"},
    "no_run_end": {"zh": "。", "en": " once data are approved."},
    "coverage_warnings": {"zh": "数据覆盖提示：", "en": "Coverage warnings:"},
    "run_coverage": {"zh": "本批次的数据覆盖", "en": "Data coverage of this run"},
    "years_with_value": {"zh": "有值年份数", "en": "Years with a value"},
    "years_missing": {"zh": "缺失年份", "en": "Years missing"},
    "index_runs": {"zh": "计算批次（不覆盖，逐次保存）", "en": "Index runs (kept, never overwritten)"},
    "run_created": {"zh": "计算时间", "en": "Computed"},
    "targets_adjusted": {"zh": "本措施的目标经规划调整（现行版本 %d）；原规划值并列显示。",
                         "en": "Targets of this measure were adjusted (current version %d); the plan's original "
                               "figures are shown beside them."},
    "target_original": {"zh": "原规划值（版本 1）", "en": "Original (version 1)"},
    "run_snapshot": {"zh": "由 %d 个已审批数值计算", "en": "computed from %d approved values"},
    "run_snapshot_demo": {"zh": "，其中 %d 个为演示数据", "en": ", of which %d are demo data (“演示数据”)"},
    "index_rebuild_title": {"zh": "重新计算指数", "en": "Recompute the index"},
    "index_rebuild_note": {"zh": "用审批通过的数据计算新的指数批次；此前的批次保留不变。",
                           "en": "A new index run from exactly the approved values; earlier runs are kept."},
    "index_rebuild_allow_gaps": {"zh": "缺少基期值的指标不参与计算（记录为提示），而不是拒绝计算",
                                 "en": "Leave out indicators without a base-year value (recorded as a warning) "
                                       "instead of refusing"},
    "index_rebuild_button": {"zh": "重新计算", "en": "Recompute"},
    "index_rebuild_refused": {"zh": "数据覆盖不足，未计算", "en": "Not computed: the data do not cover the method"},
    "ua_scores_over_time": {"zh": "各年得分区间（5–95%）", "en": "Score intervals by year (5–95 %)"},
    "published": {"zh": "官方发布值", "en": "Published"},
    "difference": {"zh": "差值", "en": "Difference"},
    "edition": {"zh": "发布版次", "en": "Edition"},
    "over_time": {"zh": "综合指数与各维度", "en": "The composite and its dimensions"},
    "decomposition": {"zh": "最近一年变化的分解", "en": "What drove the latest change"},
    "contribution": {"zh": "贡献（点）", "en": "Contribution (points)"},
    "share_of_change": {"zh": "占变化比重", "en": "Share of change"},
    "framework": {"zh": "指标体系", "en": "Framework"},
    "status": {"zh": "状态", "en": "Status"},
    "status_confirmed": {"zh": "已确认", "en": "confirmed"},
    "status_reported": {"zh": "见于发布", "en": "reported"},
    "status_proposed": {"zh": "推测重构", "en": "proposed"},
    "data_type": {"zh": "数据类型", "en": "Data type"},
    "dtype_O": {"zh": "统计数据", "en": "statistic"},
    "dtype_S": {"zh": "问卷感受", "en": "survey"},
    "dtype_B": {"zh": "互联网大数据", "en": "big data"},
    "dtype_": {"zh": "—", "en": "—"},
    "weight": {"zh": "权重", "en": "Weight"},
    "effective_weight": {"zh": "最终权重", "en": "Effective weight"},
    "level": {"zh": "层级", "en": "Level"},
    "method": {"zh": "方法说明", "en": "Method"},
    "growth_statement": {"zh": "由官方发布值计算的年均增长率", "en": "Average annual growth from published values"},
    "plan_says": {"zh": "规划原文", "en": "The plan says"},
    "build_info": {"zh": "计算记录", "en": "Build record"},
    "build_run": {"zh": "计算批次", "en": "Run"},
    "build_data": {"zh": "数据", "en": "Data"},
    "build_spec": {"zh": "计算方法设定", "en": "Method spec"},
    "build_meta": {"zh": "指标元数据", "en": "Indicator metadata (iMeta)"},
    "demo_tag": {"zh": "演示数据", "en": "demo data"},
    "chart": {"zh": "图表", "en": "Chart"},
    "embed_as_of": {"zh": "数据截至", "en": "data as of"},
    "embed_source_default": {"zh": "部门填报（已审批）", "en": "department submissions (approved)"},
    "embed_permalink": {"zh": "查看指标页面（固定链接）", "en": "The indicator's page (permanent link)"},
    "embed_this": {"zh": "嵌入此图", "en": "Embed this chart"},
    "embed_code": {"zh": "嵌入代码（复制到网页中）", "en": "Embed code (paste into a web page)"},
    "ranking": {"zh": "最近一年排名", "en": "Latest ranking"},
    "rank": {"zh": "排名", "en": "Rank"},
    "unit_name": {"zh": "单位", "en": "Unit"},
    "score": {"zh": "得分", "en": "Score"},
    "all_editions": {"zh": "全部发布值（含历次修订）", "en": "All published figures (every edition)"},
}
STRINGS.update({k: v for k, v in MONITORING_STRINGS.items() if k not in STRINGS})
STRINGS.update({k: v for k, v in PORTAL_STRINGS.items() if k not in STRINGS})
STRINGS.update({k: v for k, v in REPORT_STRINGS.items() if k not in STRINGS})
STRINGS.update({k: v for k, v in UNCERTAINTY_STRINGS.items() if k not in STRINGS})
STRINGS.update({k: v for k, v in PROGRESS_PAGE_STRINGS.items() if k not in STRINGS})
STRINGS.update({k: v for k, v in JOB_STRINGS.items() if k not in STRINGS})


def t(key: str, lang: str) -> str:
    """The UI string ``key`` in ``lang``."""
    return STRINGS[key][lang]


def label(prefix: str, code: str, lang: str) -> str:
    """The UI label of a stored code (``label("audit_action", "approve", "zh")`` → "审批通过"), or the code itself
    when the catalog has none (codes added later still show, unchanged)."""
    key = f"{prefix}_{code}"
    return STRINGS[key][lang] if key in STRINGS else code


def request_lang(request: Request) -> str:
    """Language of a request: ``?lang=`` first, then the ``lang`` cookie, then Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get("lang")):
        if candidate in LANGS:
            return candidate
    return "zh"
