"""UI strings of the uncertainty and sensitivity section of the index page (Chinese and English)."""

from __future__ import annotations

UNCERTAINTY_STRINGS: dict[str, dict[str, str]] = {
    "ua_title": {"zh": "不确定性与敏感性分析", "en": "Uncertainty and sensitivity"},
    "ua_note": {"zh": "在下列不确定的方法选择下重复计算指数 {runs} 次（随机种子 {seed}），看排名有多稳：误差线为"
                      "各单位排名的 5%–95% 区间，圆点为按规范计算的排名。",
                "en": "The index is recomputed {runs} times (seed {seed}) under the uncertain choices below, to see "
                      "how stable the ranks are: bars span each unit's 5–95 % rank interval, dots mark the rank "
                      "of the build as specified."},
    "ua_ranks": {"zh": "排名区间（5%–95%）", "en": "Rank intervals (5–95 %)"},
    "ua_nominal": {"zh": "按规范计算的排名", "en": "Rank as built"},
    "ua_median": {"zh": "排名中位数", "en": "Median rank"},
    "ua_interval": {"zh": "5%–95% 区间", "en": "5–95 % interval"},
    "ua_score_interval": {"zh": "得分 5%–95% 区间", "en": "Score 5–95 % interval"},
    "sa_title": {"zh": "敏感性指数（Sobol，平均排名变动）", "en": "Sensitivity indices (Sobol, mean rank shift)"},
    "sa_note": {"zh": "一阶指数：该选择单独解释的排名变动方差比例；总效应指数：含与其他选择交互作用的比例。"
                      "括号内为自助法 95% 置信区间。",
                "en": "First order: the share of the variance of the mean absolute rank shift that the choice "
                      "explains alone; total: including its interactions with the other choices. Brackets: "
                      "bootstrap 95 % confidence intervals."},
    "sa_parameter": {"zh": "不确定的选择", "en": "Uncertain choice"},
    "sa_first": {"zh": "一阶指数", "en": "First order"},
    "sa_total": {"zh": "总效应指数", "en": "Total"},
    "ua_failed": {"zh": "次计算无法完成（已单独列出，未计入统计）", "en": "runs could not be computed (listed "
                  "separately, left out of the statistics)"},
}
