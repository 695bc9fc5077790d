"""UI strings of the report pages (merged into ``kechuang.web.i18n.STRINGS``)."""

from __future__ import annotations

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
}
