"""UI strings of the background-job pages (Chinese and English), merged into ``kechuang.web.i18n.STRINGS``."""

from __future__ import annotations

_S = {
    "job_title": ("后台任务", "Background job"),
    "job_kind_report_pack": ("生成报告", "Report pack"),
    "job_kind_index_rebuild": ("重新计算指数", "Index rebuild"),
    "job_state": ("状态", "State"),
    "job_state_queued": ("排队中", "Queued"),
    "job_state_running": ("运行中", "Running"),
    "job_state_done": ("已完成", "Done"),
    "job_state_failed": ("未完成", "Failed"),
    "job_requested": ("提交", "Requested"),
    "job_finished": ("完成时间", "Finished"),
    "job_seconds": ("用时（秒）", "Seconds"),
    "job_waiting_note": ("任务在后台运行，本页每 2 秒自动刷新；可以离开本页，稍后在此地址查看结果。",
                         "The job runs in the background; this page refreshes every 2 seconds. You may leave it and "
                         "come back to this address for the result."),
    "job_result_report_pack": ("查看生成的报告", "Open the report"),
    "job_result_index_rebuild": ("查看新的指数批次", "Open the new index run"),
    "job_error": ("原因", "Reason"),
    "jobs_recent": ("最近的后台任务", "Recent background jobs"),
    "jobs_none": ("暂无后台任务。", "No background jobs yet."),
}

JOB_STRINGS = {key: {"zh": zh, "en": en} for key, (zh, en) in _S.items()}
