"""docs/progress.md stays honest: every setting, rule and status label is documented."""

from pathlib import Path

import pytest

from kechuang.progress import ProgressConfig, Rule, Stage
from kechuang.progress.assessment import STATUS_LABELS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "progress.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(ProgressConfig.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    default = ProgressConfig.model_fields[name].default
    assert f"`{name}`" in DOC
    assert f"`{name}` | {default:g}" in DOC


def test_every_rule_status_and_stage_is_documented() -> None:
    for rule in Rule:
        assert f"`{rule.value}`" in DOC
    for (rule, status), (label_zh, label_en, _) in STATUS_LABELS.items():
        assert f"`{status.value}`" in DOC, (rule, status)
        assert label_zh in DOC and label_en in DOC, (rule, status)
    for stage in Stage:
        assert stage.zh in DOC and f"`{stage.value}`" in DOC
