"""UI strings of the report pages (merged into ``kechuang.web.i18n.STRINGS``), and the one translation catalog of
the report packs (:data:`PACK_TEXT`, :class:`PackText`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

REPORT_STRINGS: dict[str, dict[str, str]] = {
    "nav_reports": {"zh": "评估报告", "en": "Reports"},
    "reports_title": {"zh": "评估报告", "en": "Evaluation reports"},
    "reports_intro": {"zh": "由系统中的已审批数据生成中期评估、终期评估和年度创新指数报告，每份报告包括 Word、PDF、"
                                "Excel 附表和网页版，并记录数据快照（内容 SHA-256）。",
                      "en": "Generate the mid-term and final evaluations and the annual index report from the approved "
                            "data: each comes as Word, PDF, an Excel annex and HTML, with its data snapshot "
                            "(content SHA-256)."},
    "report_kind": {"zh": "报告类型", "en": "Report"},
    "report_midterm": {"zh": "中期评估报告", "en": "Mid-term evaluation"},
    "report_final": {"zh": "终期评估报告", "en": "Final evaluation"},
    "report_index": {"zh": "年度创新指数报告", "en": "Annual index report"},
    "report_year": {"zh": "年份（评估年份或指数数据年份，可空）",
                    "en": "Year (evaluation or index data year; optional)"},
    "report_as_of": {"zh": "数据截止日期（督办、意见、发布值和指数计算均以此日为准；可空，默认今天）",
                     "en": "Cut-off day (supervision, opinions, published figures and index runs as of this day; "
                           "optional, default today)"},
    "report_generate": {"zh": "生成报告", "en": "Generate report"},
    "report_generated": {"zh": "已生成的报告", "en": "Generated reports"},
    "report_files": {"zh": "下载", "en": "Downloads"},
    "report_snapshot": {"zh": "数据快照（内容 SHA-256）",
                        "en": "Data snapshot (content SHA-256)"},
    "report_generated_at": {"zh": "生成时间", "en": "Generated"},
    "report_none": {"zh": "尚未生成报告。", "en": "No report generated yet."},
    "report_demo": {"zh": "含演示数据", "en": "contains demo data (演示数据)"},
    "report_proposals": {"zh": "规划调整建议", "en": "Proposed plan adjustments"},
    "report_no_proposals": {"zh": "本报告没有调整规划文本的建议。",
                            "en": "This report proposes no change to the plan text."},
    "report_accept": {"zh": "采纳所选建议，生成新的规划版本",
                      "en": "Accept the selected proposals as a new plan version"},
    "report_accept_reason": {"zh": "采纳理由（如审议会议）",
                             "en": "Why (e.g. the meeting that decided)"},
    "report_accept_admin": {"zh": "只有规划办管理员可以采纳调整建议。",
                            "en": "Only a plan-office administrator can accept proposals."},
    "report_stale": {"zh": "生成本报告后数据已有变化，请重新生成报告并复核建议后再采纳。",
                     "en": "The data changed after this report was generated: generate it again and review the "
                           "proposals before accepting them."},
    "format_docx": {"zh": "Word 文档", "en": "Word document"},
    "format_pdf": {"zh": "PDF", "en": "PDF"},
    "format_xlsx": {"zh": "Excel 附表", "en": "Excel annex"},
    "format_html": {"zh": "网页版", "en": "HTML"},
    "narratives_title": {"zh": "评估报告撰写", "en": "Writing the evaluation"},
    "narratives_intro": {"zh": "数字由系统生成，评价由人撰写：各部分的评价意见可由数据生成初稿后修改保存，"
                                "每次保存为新版本（记录撰写人和时间），经规划办审核后报告方可定稿。",
                         "en": "Numbers by the system, judgement by people: draft a section from the data, edit and "
                               "save it (every save is a new version with who and when); the plan office reviews it "
                               "before the report is marked final."},
    "narrative_section": {"zh": "部分", "en": "Section"},
    "narrative_version": {"zh": "版本", "en": "Version"},
    "narrative_author": {"zh": "撰写人与时间", "en": "Written by, at"},
    "narrative_reviewed": {"zh": "审核", "en": "Reviewed"},
    "narrative_not_reviewed": {"zh": "待审核", "en": "not reviewed"},
    "narrative_required": {"zh": "（必填）", "en": "(required)"},
    "narrative_empty": {"zh": "尚未撰写", "en": "not written"},
    "narrative_blockers": {"zh": "尚不能定稿，待撰写或待审核的部分：",
                           "en": "Cannot be final yet; to write or review:"},
    "narrative_mark_final": {"zh": "报告定稿", "en": "Mark the report final"},
    "narrative_draft": {"zh": "由数据生成初稿", "en": "Draft from the data"},
    "narrative_draft_note": {"zh": "初稿由系统根据截止日期的数据生成：数字均来自数据库，"
                                   "按规则生成的句子标有【系统按规则生成】。请修改为规划办的评价后保存。",
                             "en": "The draft was generated from the data as of the cut-off day: every number comes "
                                   "from the database, and a sentence generated from a rule says so. Edit it into "
                                   "the plan office's judgement before saving."},
    "narrative_text": {"zh": "评价意见", "en": "Text"},
    "narrative_save": {"zh": "保存为新版本", "en": "Save as a new version"},
    "narrative_review": {"zh": "审核通过", "en": "Mark reviewed"},
    "narrative_history": {"zh": "版本记录", "en": "Version history"},
    "report_lang": {"zh": "语言", "en": "Language"},
    "report_lang_zh": {"zh": "中文", "en": "Chinese"},
    "report_lang_en": {"zh": "英文", "en": "English"},
    "report_write": {"zh": "撰写评价意见", "en": "Write the judgement"},
}


# ---------------------------------------------------------------- the words of a report pack

#: The one translation catalog of the report packs: every label, heading, column, table and chart title, status
#: word and renderer phrase of a pack, keyed by its Chinese text (the source language, as gettext keys messages by
#: their source text); ``{name}`` fields are filled with :meth:`str.format`. A Chinese pack uses the keys as they
#: are; an English pack looks each one up and fails, naming the key, when one is missing (tested). Sentences with
#: numbers are not here: they are the prose templates (``templates/prose/`` and ``templates/prose/en/``).
PACK_TEXT: dict[str, str] = {
    # sections and headings
    "一、总体评价": "1. Overall assessment",
    "二、主要指标完成情况": "2. Main indicators",
    "三、重点任务推进情况": "3. Progress of the main tasks",
    "四、重大项目": "4. Key projects",
    "五、保障措施落实": "5. Safeguards carried out",
    "六、外部环境变化": "6. Changes in external conditions",
    "七、存在问题": "7. Problems",
    "八、下一步工作建议和规划调整建议": "8. Next steps and proposed plan adjustments",
    "附件：数据来源与质量": "Annex: data sources and quality",
    "评估组织与公众意见": "How the evaluation was organised, and public opinions",
    "（一）逾期督办事项": "(1) Overdue supervision items",
    "（二）督办事项推进情况": "(2) Progress of the supervision items",
    "（二）创新指数及其变动分解": "(2) The innovation index and the decomposition of its change",
    "（三）与其他地区比较": "(3) Comparison with other units",
    "（一）滞后指标所需年均增速": "(1) Annual growth needed by the lagging indicators",
    "（二）规划调整建议": "(2) Proposed plan adjustments",
    "（二）规划量化目标完成情况": "(2) The plan's quantified targets",
    "（三）发展基础数据与最新值对照": "(3) The baseline facts against their latest values",
    "（一）创新指数编制方法调整": "(1) Changes in how the innovation index is compiled",
    "{title}{kind}报告": "{title}: {kind} report",
    # tables and charts
    "主要指标完成情况表": "Completion of the main indicators",
    "主要指标完成度与序时进度": "Completion and elapsed time of the main indicators",
    "占计划变动的比例": "share of the planned change",
    "主要任务推进情况表": "Progress of the main tasks",
    "逾期督办事项表": "Overdue supervision items",
    "督办事项推进情况表": "Progress of the supervision items",
    "重点项目推进情况表": "Progress of the key projects",
    "{name}及分指数（{y0}—{y1}年）": "{name} and its sub-indices ({y0}–{y1})",
    "指数（{y0}年=100）": "index ({y0} = 100)",
    "创新指数及分指数": "The innovation index and its sub-indices",
    "{y0}—{y1}年指数变动分解": "Decomposition of the index change {y0}–{y1}",
    "{y0}—{y1}年{name}变动的分项贡献": "Contributions to the change of the {name} {y0}–{y1}",
    "{y}年各地区{name}比较": "{name} of the units compared, {y}",
    "{y}年": "{y}",
    "公众意见分主题统计": "Public opinions by topic",
    "公众意见及答复（摘录）": "Public opinions and replies (excerpts)",
    "滞后指标所需年均增速表": "Annual growth needed by the lagging indicators",
    "规划调整建议表": "Proposed plan adjustments",
    "指标数据来源与质量": "Data sources and quality of the indicators",
    "官方发布指数的历次版本": "Editions of the published index figures",
    "评估依据与方法版本": "What the evaluation was built from, and the method versions",
    "规划量化目标完成情况表": "The plan's quantified targets",
    "发展基础数据与最新值对照表": "The baseline facts against their latest values",
    "保障措施及落实情况": "The safeguards and how they were carried out",
    "{name}官方发布值及版本": "Published figures of the {name} by edition",
    "规划所列问题及应对任务": "The shortcomings the plan names, and the tasks addressing them",
    # columns
    "序号": "No.", "指标": "Indicator", "单位": "Unit", "属性": "Type", "基期值": "Baseline", "目标值": "Target",
    "当前值": "Current", "完成度": "Completion", "序时进度": "Elapsed time", "评价": "Assessment",
    "指标编号": "Indicator code", "基期年份": "Baseline year", "目标年份": "Target year",
    "当前值年份": "Year of the current value", "评价规则": "Rule", "状态": "Status", "颜色": "Colour",
    "评价依据": "Basis of the assessment", "主要任务": "Main task", "任务领域": "Area",
    "关联指标": "Linked indicators", "指标评价": "Indicator assessment", "督办事项": "Supervision items",
    "已办结": "Closed", "逾期": "Overdue", "重点项目": "Key projects", "任务编号": "Task code",
    "指标汇总说明": "Roll-up of the indicators", "所属任务": "Task", "牵头单位": "Lead", "配合单位": "Co-operating",
    "期限": "Deadline", "进度": "Progress", "阶段": "Stage", "说明": "Note", "规划要素编号": "Plan element code",
    "编号": "Code", "重点项目与载体": "Key project or carrier", "类型": "Kind", "督办状态": "Supervision status",
    "年份": "Year", "官方发布值": "Published figure", "发布版本": "Edition", "分指数编号": "Sub-index code",
    "分指数": "Sub-index", "权重": "Weight", "贡献（点）": "Contribution (points)", "贡献占比": "Share",
    "点": "points", "排名": "Rank", "地区": "Unit", "单位编号": "Unit code", "主题": "Topic", "收到": "Received",
    "已公开": "Published", "待审核": "Pending", "未采用": "Rejected", "已答复": "Answered", "日期": "Date",
    "意见对象": "About", "意见摘要": "Opinion (excerpt)", "答复单位": "Replied by", "答复摘要": "Reply (excerpt)",
    "剩余年数": "Years left", "所需年均增速": "Growth needed a year", "所需年均增量": "Increase needed a year",
    "规划目标": "Plan target", "建议调整": "Proposed change", "依据": "Basis", "基于规划版本": "Plan version",
    "责任单位": "Responsible", "基期值来源": "Source of the baseline", "数据来源": "Sources of the values",
    "已有数据年份": "Years with data", "覆盖率": "Coverage", "初步数": "Provisional", "修订": "Revisions",
    "指数": "Index", "数据年份": "Data year", "各版本数值": "Values by edition", "版本间差异": "Spread",
    "项目": "Item", "内容": "Value", "目标编号": "Target code", "完成情况": "Standing", "规划章节": "Plan section",
    "规划所述年份": "Year in the plan", "规划所述数值": "Value in the plan", "表述": "Qualifier",
    "最新值年份": "Year of the latest value", "最新值": "Latest value", "变化": "Change",
    "来源与可比性": "Source and comparability", "事实编号": "Fact code", "保障措施": "Safeguard",
    "规划要求": "What the plan asks", "发布值": "Published", "版本": "Edition", "发布日期": "Released",
    "规划所列问题": "Shortcoming", "应对任务": "Tasks addressing it", "相关指标及评价": "Indicators and assessment",
    "逾期督办": "Overdue items",
    # cell words
    "不适用": "not applicable", "约束性": "binding", "预期性": "expected", "暂无可评估指标": "no assessable indicator",
    "未关联指标": "no linked indicator", "规划办": "plan office", "无": "none", "{kind} {n} 个": "{kind}: {n}",
    "{y}年（第{n}次修订）": "{y} (revision {n})", "第 {n} 版": "version {n}", "第 {n} 次计算": "run {n}",
    "暂无监测值": "no value yet", "已达到目标下限": "near bound reached", "尚未达到": "not yet reached",
    "尚无后续数据": "no later data", "发布版本不同（{a}版→{b}版），不作比较":
        "different editions (edition {a} → edition {b}): not compared",
    "{v}版": "edition {v}", "官方媒体报道": "reported by official media", "未标注": "not labelled",
    "无督办事项": "no supervision item", "中期评估": "mid-term evaluation", "终期评估": "final evaluation",
    "【规划办撰写】": "[Written by the plan office] ", "【系统按规则生成】": "[Generated by rule] ",
    "演示数据": "demo data",
    # colours, standings, stages, rules
    "绿": "green", "黄": "yellow", "红": "red", "灰": "grey",
    "已实现": "met", "正常": "on track", "需加快": "needs to speed up", "滞后": "behind",
    "立项": "initiated", "交办": "assigned", "签收": "acknowledged", "办理": "handling", "反馈": "feedback",
    "复核": "review", "办结/销号": "closed",
    "序时进度法": "elapsed-time rule", "SDSN趋势法": "SDSN trend rule", "复合增速比较法": "compound growth rule",
    "趋势外推法": "trend projection rule", "督办期限法": "supervision deadline rule",
    # index framework evidence, data types, sources, qualifiers (kinds of project: the plan's English codes)
    "公开确认": "publicly confirmed", "发布稿提及": "named in a release", "合理推测": "reasoned guess",
    "客观统计": "official statistics", "主观感受": "survey", "网络与新闻大数据": "web and news data",
    "规划原文": "plan text", "官方发布": "published", "部门填报（已审批）": "department submission (approved)",
    "余/以上": "more than", "约": "about",
    # the build record
    "规划": "Plan", "规划版本": "Plan version", "规划版本哈希（SHA-256）": "Plan version hash (SHA-256)",
    "评估年份": "Evaluation year", "数据截止日期": "Cut-off day", "报告格式版本": "Report format",
    "系统版本": "System version", "进度评价规则": "Progress rules", "评价阈值": "Thresholds",
    "指数计算记录": "Index run", "指数数据哈希（SHA-256）": "Index data hash (SHA-256)",
    "指数元数据哈希（SHA-256）": "Index metadata hash (SHA-256)",
    "指数方法哈希（SHA-256）": "Index method hash (SHA-256)",
    "指数引擎版本": "Index engine", "指数数据来源": "Index data source",
    # the renderers
    "表{n} {title}": "Table {n} {title}", "图{n} {title}": "Figure {n} {title}",
    "{title} · 第 {page} 页": "{title} · page {page}",
    "{title}：共 {n} 行，见 Excel 附件工作表“{sheet}”。":
        "{title}: {n} rows, in the sheet “{sheet}” of the Excel annex.",
    "规划版本：第 {n} 版（SHA-256 {sha}）": "Plan version: {n} (SHA-256 {sha})",
    "指数计算：第 {n} 次（数据 SHA-256 {sha}，引擎 {engine}）": "Index run: {n} (data SHA-256 {sha}, engine {engine})",
    "方法版本：{fmt}；kechuang {version}": "Method versions: {fmt}; kechuang {version}",
    "数据快照：内容 SHA-256 {sha}": "Data snapshot: content SHA-256 {sha}", "生成时间：{at}": "Generated: {at}",
    "指数计算": "Index run", "方法版本": "Method versions", "数据快照": "Data snapshot", "生成时间": "Generated",
    "内容 SHA-256": "content SHA-256", "目录": "Contents", "注：": "Note: ", "（附表）": " (annex)", "是": "yes",
    "本报告由科创规划监测评估系统根据数据库内容自动生成；同一数据快照重新生成的内容相同（内容 SHA-256 见首页）。"
    "附表见同名 Excel 文件。":
        "This report was generated by the kechuang plan monitoring and evaluation system from its database; "
        "generating it again from the same data snapshot gives the same content (content SHA-256 on the title page). "
        "The tables are also in the Excel file of the same name.",
    "副标题": "Subtitle", "评估/数据年份": "Evaluation or data year", "规划版本 SHA-256": "Plan version SHA-256",
    "工作表": "Sheet", "表格": "Table", "所属部分": "Section",
    "本表含{label}：最后一列标“是”的行使用演示数据。":
        "This table contains {label}: rows marked yes in the last column use demo data.",
}

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def has_han(text: str) -> bool:
    """Whether ``text`` contains a Han character (CJK unified ideographs, extension A, compatibility)."""
    return bool(_HAN.search(text))


class PackText:
    """The words of one pack in its language: ``L("中文")`` is the catalog entry (with ``{fields}`` filled), names
    come from the data's own translations (``name_en``, ``title_en`` …), and :meth:`keep` marks text kept in the
    original language — the pack's allow-list (``Report.kept``)."""

    def __init__(self, lang: str = "zh") -> None:
        if lang not in ("zh", "en"):
            raise ValueError(f"unknown report language {lang!r}; expected zh or en")
        self.lang = lang
        self.kept: set[str] = set()

    def __call__(self, zh: str, **fields: Any) -> str:
        if self.lang == "zh" or not zh:
            text = zh
        else:
            try:
                text = PACK_TEXT[zh]
            except KeyError:
                raise KeyError(f"reports.i18n.PACK_TEXT has no English for {zh!r}") from None
        return text.format(**fields) if fields else text

    def prose(self, name: str, **context: Any) -> str:
        from kechuang.reports.fmt import prose

        context.setdefault("demo_label", self.demo_label)
        return prose(name, self.lang, L=self, **context)

    def keep(self, text: str) -> str:
        """``text`` as it is, recorded as kept in the original language when this pack is not Chinese."""
        if self.lang != "zh" and has_han(text):
            self.kept.add(text)
        return text

    def name(self, obj: Any) -> str:
        """A record's name or title in the pack's language (its Chinese one, kept, when it has no translation)."""
        getter = obj.name if hasattr(obj, "name") and callable(obj.name) else obj.title
        return self.keep(str(getter(self.lang)))

    def unit(self, obj: Any) -> str:
        return self.keep(str(obj.unit(self.lang)))

    def text(self, obj: Any) -> str:
        return self.keep(str(obj.text(self.lang)))

    def terms(self, text: str) -> str:
        """English text of the progress rules, which quote a Chinese term now and then (e.g. "early warning (预警)"):
        each quoted term is recorded as kept, the rest of the text is not."""
        if self.lang != "zh":
            self.kept.update(_HAN.findall(text))
        return text

    def status(self, assessment: Any) -> str:
        return str(assessment.status_zh) if self.lang == "zh" else self.terms(str(assessment.status_en))

    def reason(self, assessment: Any) -> str:
        return str(assessment.reason_zh) if self.lang == "zh" else self.terms(str(assessment.reason_en))

    def note(self, needed: Any) -> str:
        return str(needed.note_zh) if self.lang == "zh" else self.terms(str(needed.note_en))

    def paren(self, text: str) -> str:
        return f"（{text}）" if self.lang == "zh" else f" ({text})"

    def join(self, parts: Iterable[str], zh_sep: str = "、") -> str:
        return (zh_sep if self.lang == "zh" else ("; " if zh_sep == "；" else ", ")).join(parts)

    @property
    def comma(self) -> str:
        return "，" if self.lang == "zh" else ", "

    @property
    def colon(self) -> str:
        return "：" if self.lang == "zh" else ": "

    @property
    def demo_label(self) -> str:
        return self("演示数据")
