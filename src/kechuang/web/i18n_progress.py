"""UI strings of the public progress pages (the indicator list, the indicators on task and measure pages,
the status badges of the overview), merged into ``kechuang.web.i18n.STRINGS``."""

from __future__ import annotations

_S = {
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
