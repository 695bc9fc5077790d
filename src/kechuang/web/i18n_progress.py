"""UI strings of the public progress pages (the indicator list, the indicators on task and measure pages,
the status badges of the overview), merged into ``kechuang.web.i18n.STRINGS``."""

from __future__ import annotations

_S = {
    "not_found_detail": ("没有找到对应的内容：链接可能有误，或该内容已在规划调整中变更。地址：",
                         "Nothing was found here: the link may be wrong, or a plan adjustment changed it. Address:"),
    "forbidden_account": ("当前账号", "This account"),
    "forbidden_detail": ("（%s）无权访问此页面或执行此操作；如需权限，请联系规划办。",
                         " (%s) may not open this page or do this; ask the plan office for access."),
    "forbidden_anonymous": ("此操作未被允许：页面可能已过期，请刷新后重试。",
                            "This was not allowed: the page may have expired; reload it and try again."),
    "technical_detail": ("技术说明（英文）", "Technical detail"),
    # the audit trail's stored codes, shown in words
    "audit_action_create": ("新建", "created"),
    "audit_action_update": ("修改", "changed"),
    "audit_action_set_target": ("设定目标", "target set"),
    "audit_action_link": ("关联任务", "linked"),
    "audit_action_open_period": ("开启填报期", "period opened"),
    "audit_action_submit": ("提交审核", "submitted"),
    "audit_action_dept_approve": ("部门审核通过", "department-approved"),
    "audit_action_approve": ("规划办审批通过", "approved"),
    "audit_action_return": ("退回修改", "returned"),
    "audit_action_revise": ("开启修订", "revision opened"),
    "audit_action_publish": ("发布", "published"),
    "audit_action_reject": ("不予发布", "rejected"),
    "audit_action_reply": ("答复", "replied"),
    "audit_action_stage": ("督办环节变更", "stage changed"),
    "audit_action_report": ("报告进展", "progress reported"),
    "audit_action_milestone": ("里程碑", "milestone"),
    "audit_action_enable": ("启用账号", "enabled"),
    "audit_action_disable": ("停用账号", "disabled"),
    "audit_action_change_password": ("修改密码", "password changed"),
    "audit_action_refused": ("被拒绝的操作", "refused"),
    "audit_action_escalate": ("督办提醒/升级", "reminder or escalation"),
    "audit_entity_account": ("账号", "account"),
    "audit_entity_department": ("部门", "department"),
    "audit_entity_indicator_profile": ("指标设置", "indicator settings"),
    "audit_entity_observation": ("指标观测值", "observation"),
    "audit_entity_reporting_period": ("填报期", "reporting period"),
    "audit_entity_submission": ("填报", "submission"),
    "audit_entity_submission_value": ("填报数值", "submitted value"),
    "audit_entity_supervision_item": ("督办事项", "supervision item"),
    "audit_entity_public_comment": ("公众意见", "public comment"),
    "audit_entity_opinion_campaign": ("意见征集", "consultation"),
    "task_supervision": ("督办事项", "Supervision items"),
    "no_task_supervision": ("本任务尚无督办事项。", "No supervision item for this task yet."),
    "menu": ("菜单", "Menu"),
    "nav_indicators": ("指标进展", "Indicators"),
    "indicator_list": ("规划指标进展", "Progress of the plan's indicators"),
    "indicator_list_intro": ("规划的全部指标，按任务领域和任务排列：最新的已审定数值、目标、进展状态和评价规则。"
                             "点击指标名称查看图表、历年数据、来源与评价理由。",
                             "Every indicator of the plan by task area and task: the latest approved value, the "
                             "target, the progress status and the rule it is assessed by. Select an indicator "
                             "for its chart, yearly data, sources and the reason for its status."),
    "indicator_counts": ("共 %d 项指标：%d 项有已审定或规划原文数据，%d 项已设定目标并可评估进度。",
                         "%d indicators: %d have approved data or a figure in the plan text; %d have a target "
                         "and can be assessed."),
    "latest_value": ("最新值", "Latest value"),
    "no_data_yet": ("尚无数据", "no data yet"),
    "no_target_set": ("尚未设定", "not set yet"),
    "no_settings_yet": ("尚未设定", "not set yet"),
    "unlinked_indicators": ("其他规划指标（尚未关联任务）", "Other indicators of the plan (not linked to a task)"),
    "unlinked_note": ("这些指标出现在规划文本中，规划办尚未将其关联到具体任务。",
                      "These indicators appear in the plan text; the plan office has not linked them to a task "
                      "yet."),
    "task_indicators": ("本任务的指标", "Indicators of this task"),
    "measure_indicators": ("所属任务的指标", "Indicators of the task this measure belongs to"),
    "all_indicators": ("全部指标", "All indicators"),
    "badge_link_task": ("查看本任务的指标", "see this task's indicators"),
    "badge_link_area": ("查看本领域的指标", "see this area's indicators"),
    "this_indicator": ("本指标的进展", "Progress of this indicator"),
    "coverage_rule": ("任务领域的状态只在过半任务可评估时给出，否则标为“可评估任务不足半数”；"
                      "依据演示数据得出的状态标有“演示数据”。",
                      "An area's status is given only when more than half of its tasks can be assessed, otherwise "
                      "it reads 'fewer than half of the tasks assessable'; a status derived from demo data is "
                      "labelled 'demo data'."),
    "longitude": ("经度（°E，近似）", "Longitude (°E, approximate)"),
    "latitude": ("纬度（°N，近似）", "Latitude (°N, approximate)"),
    "tasks_assessable": ("项任务可评估", "tasks assessable"),
    "coverage_insufficient": ("可评估任务不足半数", "fewer than half of the tasks assessable"),
    "area_coverage": ("%(total)d 项任务中 %(assessable)d 项有可评估的指标。",
                      "%(assessable)d of %(total)d tasks with assessable indicators."),
    "area_coverage_thin": ("可评估的任务不足半数，下面的汇总只代表这些任务，不代表整个领域。",
                           "Fewer than half of the tasks can be assessed: the roll-up stands for those tasks only, "
                           "not for the whole area."),
}

PROGRESS_PAGE_STRINGS: dict[str, dict[str, str]] = {key: {"zh": zh, "en": en} for key, (zh, en) in _S.items()}
