"""UI strings of the public portal pages (opinions, map, key projects, data coverage, open data).
Merged into ``kechuang.web.i18n.STRINGS``; every key starts with ``po_``."""

from __future__ import annotations

PORTAL_STRINGS: dict[str, dict[str, str]] = {
    # navigation
    "po_nav_map": {"zh": "空间地图", "en": "Map"},
    "po_nav_projects": {"zh": "重点项目", "en": "Key projects"},
    "po_nav_opinions": {"zh": "公众意见", "en": "Public opinions"},
    "po_nav_opendata": {"zh": "开放数据", "en": "Open data"},
    "po_nav_coverage": {"zh": "数据覆盖", "en": "Data coverage"},
    # public opinions
    "po_opinions": {"zh": "公众意见", "en": "Public opinions"},
    "po_intro": {
        "zh": "对规划的任务、举措、重点项目和指标发表意见。意见经规划办审核后公开，责任部门的官方答复显示在意见下方"
              "。请勿填写个人信息；我们只保存经加盐散列处理的网络地址，不保存地址本身。",
        "en": "Comment on the plan's tasks, measures, key projects and indicators. The plan office reviews every "
              "comment before it is published; the responsible department's official reply is shown under it. "
              "Please leave out personal details; we keep only a salted hash of your network address, never the "
              "address itself.",
    },
    "po_campaigns": {"zh": "意见征集活动", "en": "Consultations"},
    "po_campaign": {"zh": "征集活动", "en": "Consultation"},
    "po_dates": {"zh": "起止日期", "en": "Dates"},
    "po_state": {"zh": "状态", "en": "State"},
    "po_summary": {"zh": "收到意见汇总", "en": "Summary of what was received"},
    "po_campaign_open": {"zh": "进行中", "en": "open"},
    "po_campaign_upcoming": {"zh": "未开始", "en": "upcoming"},
    "po_campaign_closed": {"zh": "已结束", "en": "closed"},
    "po_campaign_running": {"zh": "正在进行的意见征集", "en": "Consultation under way"},
    "po_no_campaigns": {
        "zh": "目前没有意见征集活动；随时可以发表意见。",
        "en": "No consultation at the moment; comments are welcome at any time.",
    },
    "po_all_received": {"zh": "全部意见按主题汇总", "en": "Everything received, by topic"},
    "po_choose_topic": {"zh": "选择要发表意见的任务", "en": "Choose a task to comment on"},
    "po_choose_topic_note": {
        "zh": "每个任务页列出其举措；重点项目和指标可从以下页面进入：",
        "en": "Each task's page lists its measures; key projects and indicators are reached from:",
    },
    "po_recent": {"zh": "最新公开的意见", "en": "Latest published comments"},
    "po_none_yet": {"zh": "还没有公开的意见。", "en": "No published comments yet."},
    "po_kind_task": {"zh": "任务", "en": "Task"},
    "po_kind_measure": {"zh": "举措", "en": "Measure"},
    "po_kind_project": {"zh": "重点项目", "en": "Key project"},
    "po_kind_indicator": {"zh": "指标", "en": "Indicator"},
    "po_children_task": {"zh": "本任务的举措", "en": "Measures of this task"},
    "po_children_measure": {"zh": "本举措的重点项目", "en": "Key projects of this measure"},
    "po_read_in_plan": {"zh": "在规划原文中阅读", "en": "Read it in the plan"},
    "po_observations": {"zh": "观测值", "en": "Observations"},
    "po_published_comments": {"zh": "公开的意见", "en": "Published comments"},
    "po_give_opinion": {"zh": "发表意见", "en": "Give your opinion"},
    "po_anonymous": {"zh": "匿名", "en": "Anonymous"},
    "po_official_reply": {"zh": "官方答复", "en": "Official reply"},
    "po_plan_office": {"zh": "规划办", "en": "Plan office"},
    "po_name": {"zh": "署名（可不填）", "en": "Name (optional)"},
    "po_body": {"zh": "意见", "en": "Your comment"},
    "po_honeypot": {"zh": "请勿填写此项", "en": "Leave this field empty"},
    "po_rules": {
        "zh": "%d–%d 个字。意见经审核后公开；同一内容不要重复提交。",
        "en": "%d–%d characters. Comments are published after review; please send each one once.",
    },
    "po_submit": {"zh": "提交意见", "en": "Send comment"},
    "po_received": {
        "zh": "已收到您的意见，审核通过后将在本页公开。",
        "en": "Thank you: your comment was received and will appear here once the plan office has reviewed it.",
    },
    "po_err_body": {
        "zh": "意见需为 {min}–{max} 个字，且不能含控制字符。",
        "en": "A comment needs {min}–{max} characters and no control characters.",
    },
    "po_err_name": {"zh": "署名最多 {name} 个字。", "en": "The name may have at most {name} characters."},
    "po_err_links": {
        "zh": "一条意见最多包含 {links} 个网址。",
        "en": "A comment may contain at most {links} web links.",
    },
    "po_err_spam": {"zh": "提交未被接受（疑似自动提交）。", "en": "Not accepted (it looks automated)."},
    "po_err_token": {
        "zh": "提交太快或页面已过期：请稍候几秒，或刷新页面后再提交。",
        "en": "Sent too quickly, or the page has expired: wait a few seconds, or reload the page, and send again.",
    },
    "po_err_duplicate": {"zh": "相同的意见已经收到，无需重复提交。", "en": "The same comment was already received."},
    "po_err_rate": {
        "zh": "提交次数过多，请于 {time} 后再试。",
        "en": "Too many comments; please try again after {time}.",
    },
    # moderation
    "po_moderation": {"zh": "公众意见审核", "en": "Moderating public comments"},
    "po_status_pending": {"zh": "待审核", "en": "Pending"},
    "po_status_published": {"zh": "已公开", "en": "Published"},
    "po_status_rejected": {"zh": "未通过", "en": "Rejected"},
    "po_moderated_by": {"zh": "审核人", "en": "moderated by"},
    "po_publish": {"zh": "公开", "en": "Publish"},
    "po_reject": {"zh": "不予公开", "en": "Reject"},
    "po_reject_reason": {"zh": "不予公开的理由", "en": "Reason for rejecting"},
    "po_reply": {"zh": "官方答复", "en": "Official reply"},
    "po_reply_edit": {"zh": "修改官方答复", "en": "Change the official reply"},
    "po_reply_as": {"zh": "答复单位", "en": "Reply on behalf of"},
    "po_send_reply": {"zh": "发布答复", "en": "Post reply"},
    "po_queue_empty": {"zh": "没有此状态的意见。", "en": "No comments in this state."},
    "po_err_reason": {
        "zh": "不予公开需要填写理由（最多 500 字）。",
        "en": "Rejecting needs a reason (at most 500 characters).",
    },
    "po_err_reply": {
        "zh": "答复不能为空（最多 4000 字），且只能答复已公开的意见。",
        "en": "A reply must not be empty (at most 4000 characters) and answers published comments only.",
    },
    "po_err_campaign": {
        "zh": "征集活动需要标题，结束日期不能早于开始日期。",
        "en": "A consultation needs a title, and it cannot end before it starts.",
    },
    "po_new_campaign": {"zh": "新建意见征集活动", "en": "New consultation"},
    "po_title_zh": {"zh": "标题（中文）", "en": "Title (Chinese)"},
    "po_title_en": {"zh": "标题（英文）", "en": "Title (English)"},
    "po_description_zh": {"zh": "说明（中文）", "en": "Description (Chinese)"},
    "po_description_en": {"zh": "说明（英文）", "en": "Description (English)"},
    "po_starts_on": {"zh": "开始日期", "en": "Starts on"},
    "po_ends_on": {"zh": "结束日期", "en": "Ends on"},
    "po_create_campaign": {"zh": "创建", "en": "Create"},
    "po_demo": {"zh": "演示数据", "en": "demo data"},
    # map
    "po_map": {"zh": "空间布局地图", "en": "Map of the spatial structure"},
    "po_map_table": {"zh": "载体一览（地图的文字版）", "en": "All places (the map as a table)"},
    "po_place": {"zh": "载体", "en": "Place"},
    "po_part_of": {"zh": "所属", "en": "Part of"},
    "po_no_coordinates": {"zh": "无坐标", "en": "no coordinates"},
    # key projects
    "po_projects_intro": {
        "zh": "规划各项举措点名的重点项目、平台、机构和载体，共 %d 项，按任务和举措排列。",
        "en": "The %d key projects, platforms, institutions and places the measures name, by task and measure.",
    },
    "po_no_supervision": {
        "zh": "督办事项尚未录入：本页只列出规划文本中的信息。",
        "en": "No supervision items have been entered yet: this page shows what the plan text says.",
    },
    "po_tasks_nav": {"zh": "按任务跳转", "en": "Jump to a task"},
    "po_project": {"zh": "项目", "en": "Project"},
    "po_supervision": {"zh": "督办进展", "en": "Supervision"},
    "po_not_tracked": {"zh": "未列入督办", "en": "not tracked"},
    "po_deadline": {"zh": "期限", "en": "deadline"},
    "po_done": {"zh": "已完成", "en": "done"},
    "po_open": {"zh": "未完成", "en": "open"},
    "po_comment": {"zh": "提意见", "en": "Comment"},
    "po_comment_on": {"zh": "对此项目提意见：", "en": "Comment on"},
    "po_pkind_project": {"zh": "项目", "en": "Project"},
    "po_pkind_place": {"zh": "载体", "en": "Place"},
    "po_pkind_platform": {"zh": "平台", "en": "Platform"},
    "po_pkind_institution": {"zh": "机构", "en": "Institution"},
    "po_pkind_policy": {"zh": "政策机制", "en": "Policy"},
    "po_pkind_event": {"zh": "活动", "en": "Event"},
    "po_pkind_product": {"zh": "产品", "en": "Product"},
    "po_pkind_programme": {"zh": "计划", "en": "Programme"},
    "po_stage_initiated": {"zh": "立项", "en": "initiated"},
    "po_stage_assigned": {"zh": "交办", "en": "assigned"},
    "po_stage_acknowledged": {"zh": "签收", "en": "acknowledged"},
    "po_stage_handling": {"zh": "办理", "en": "in hand"},
    "po_stage_feedback": {"zh": "反馈", "en": "reported done"},
    "po_stage_review": {"zh": "复核", "en": "under review"},
    "po_stage_closed": {"zh": "办结/销号", "en": "closed"},
    # data coverage
    "po_coverage_intro": {
        "zh": "各指标在哪些年份有观测值、来自哪类来源。监测期为 %d–%d 年（基期年至上一年）。",
        "en": "Which indicators have observations for which years, and from which kind of source. The monitoring "
              "period is %d–%d (baseline year to last year).",
    },
    "po_indicators": {"zh": "指标数", "en": "Indicators"},
    "po_complete": {
        "zh": "监测期内逐年都有真实数据的指标",
        "en": "Indicators with real data for every year of the period",
    },
    "po_without_any": {"zh": "监测期内没有任何真实数据的指标", "en": "Indicators with no real data in the period"},
    "po_last_update": {"zh": "最近更新", "en": "Last update"},
    "po_source_kinds": {"zh": "来源类别", "en": "Kinds of source"},
    "po_source_kind": {"zh": "来源类别", "en": "Kind of source"},
    "po_mark": {"zh": "标记", "en": "Mark"},
    "po_mark_plan_text": {"zh": "文", "en": "T"},
    "po_mark_published": {"zh": "发", "en": "P"},
    "po_mark_submission": {"zh": "报", "en": "S"},
    "po_mark_demo": {"zh": "演", "en": "D"},
    "po_kind_label_plan_text": {"zh": "规划文本", "en": "plan text"},
    "po_kind_label_published": {"zh": "公开发布", "en": "published"},
    "po_kind_label_submission": {"zh": "部门填报（已审核）", "en": "department submission (approved)"},
    "po_kind_label_demo": {"zh": "演示数据", "en": "demo data"},
    "po_matrix": {"zh": "指标 × 年份", "en": "Indicators × years"},
    "po_matrix_note": {
        "zh": "每格列出该年观测值的来源类别；“·”表示无数据。“缺失年份”指监测期内没有真实（非演示）数据的年份。",
        "en": "Each cell lists the kinds of source of that year's observations; “·” means no data. “Missing” lists "
              "the years of the monitoring period without real (non-demo) data.",
    },
    "po_missing": {"zh": "缺失年份", "en": "Missing"},
    "po_none_missing": {"zh": "无", "en": "none"},
    "po_no_data": {"zh": "无数据", "en": "no data"},
    # open data
    "po_opendata_intro": {
        "zh": "本站所有公开表格均可下载为 CSV、XLSX 和 JSON；完整数据包为 Frictionless Data Package（CSV 与描述各表"
              "结构的 datapackage.json），地址固定。",
        "en": "Every public table of this site can be downloaded as CSV, XLSX and JSON; the full export is a "
              "Frictionless Data Package (CSVs and a datapackage.json describing each table) at a stable address.",
    },
    "po_datapackage": {"zh": "下载完整数据包（zip）", "en": "Download the full data package (zip)"},
    "po_all_xlsx": {"zh": "全部表格（一个 XLSX 工作簿）", "en": "All tables (one XLSX workbook)"},
    "po_formula_note": {
        "zh": "为防止电子表格把文字当作公式执行，CSV 中以 = + - @ 开头的文字前加了撇号（'）；XLSX 中这些单元格存为文"
              "本。",
        "en": "So that spreadsheets never run text as a formula, CSV text beginning with = + - @ gets a leading "
              "apostrophe ('); in XLSX such cells are stored as text.",
    },
    "po_table": {"zh": "表格", "en": "Table"},
    "po_description": {"zh": "说明", "en": "Description"},
    "po_rows": {"zh": "行", "en": "rows"},
    "po_download": {"zh": "下载", "en": "Download"},
}
