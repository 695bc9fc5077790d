"""Nothing typed is lost, in a real browser (Playwright + Debian Chromium): a submission holding 1320 and an
indicator setting holding 8000 save again unchanged; a new value typed and sent with 提交审核 is what the
reviewer sees; an upload with a text cell, an out-of-range cell and a formula cell without a result lists
all three at once and changes nothing. (Plan excerpt and demo setup of tests/monitoring.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import select

from kechuang.accounts.models import Department
from kechuang.indicators.models import Indicator
from kechuang.indicators.profiles import IndicatorProfile
from kechuang.submissions.excel import SHEET
from kechuang.submissions.models import SubmissionValue
from tests.monitoring.web import make_app
from tests.submissions.test_browser_cycle import log_in
from tests.submissions.test_workflow import kw_submission
from tests.support.server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
HNTE = "#values tr[data-indicator=IND_HNTE]"
PATENTS = "#values tr[data-indicator=IND_PATENTS_PER_10K]"


@pytest.fixture
def app(seeded_sqlite_template: Path, tmp_path: Path) -> FastAPI:
    return make_app(seeded_sqlite_template, tmp_path)


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    with serve_in_thread(app) as url:
        yield url


def test_values_over_a_thousand_save_again_unchanged(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = log_in(browser, base, "demo-kw-reporter")
    page.click("#submissions a:has-text('2022年度')")
    page.fill(f"{HNTE} input[name^=value_]", "1,320")
    page.fill(f"{HNTE} input[name^=note_]", "含迁入企业")
    page.click("#values-form button[type=submit]:has-text('保存草稿')")
    assert page.locator("#flash").inner_text() == "已保存，变更的指标数： 1"
    assert page.locator(f"{HNTE} input[name^=value_]").input_value() == "1320", "the raw value, not 1,320"
    page.click("#values-form button[type=submit]:has-text('保存草稿')")
    assert page.locator("#flash").inner_text() == "已保存，变更的指标数： 0", "saved unchanged, nothing refused"
    assert page.locator("#problems").count() == 0
    ctx.close()

    ctx, admin = log_in(browser, base, "demo-admin")
    admin.goto(f"{base}/admin/indicators/IND_HNTE")
    admin.fill("input[name=baseline_value]", "8,000")
    admin.fill("input[name=valid_max]", "50,000")
    admin.click("#profile-form button[type=submit]")
    assert admin.locator("#flash").inner_text() == "指标设置已保存。"
    assert admin.locator("input[name=baseline_value]").input_value() == "8000"
    assert admin.locator("input[name=valid_max]").input_value() == "50000"
    admin.fill("input[name=rule_reason_zh]", "按序时进度评估")
    admin.click("#profile-form button[type=submit]")
    assert admin.locator("#flash").inner_text() == "指标设置已保存。", "8000 and 50000 save again unchanged"
    assert admin.locator("input[name=rule_reason_zh]").input_value() == "按序时进度评估"
    admin.fill("input[name=valid_min]", "很多")
    admin.fill("input[name=rule_reason_zh]", "高新技术企业数逐年认定")
    admin.click("#profile-form button[type=submit]")
    assert admin.locator("#err-valid_min").inner_text() == "允许最小值：“很多”不是数值。"
    assert admin.locator("input[name=valid_min]").get_attribute("aria-invalid") == "true"
    assert admin.locator("input[name=rule_reason_zh]").input_value() == "高新技术企业数逐年认定", "typed reason kept"
    ctx.close()


def test_submit_saves_what_was_typed_first(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = log_in(browser, base, "demo-kw-reporter")
    page.click("#submissions a:has-text('2022年度')")
    page.fill(f"{HNTE} input[name^=value_]", "1000")
    page.fill(f"{PATENTS} input[name^=value_]", "一百五")
    page.click("#action-submit button")
    assert page.locator("#state").inner_text() == "草稿", "refused: nothing is submitted"
    assert "每万人发明专利拥有量：“一百五”不是数值。" in page.locator("#problems").inner_text()
    assert page.locator(f"{PATENTS} input[name^=value_]").input_value() == "一百五", "what was typed is kept"
    assert page.locator(f"{HNTE} input[name^=value_]").input_value() == "1000"
    page.fill(f"{PATENTS} input[name^=value_]", "150.8")
    page.fill(f"{PATENTS} input[name^=note_]", "新口径：含 PCT 申请")
    page.click("#action-submit button")
    assert page.locator("#state").inner_text() == "已提交，待部门审核"
    ctx.close()

    ctx, reviewer = log_in(browser, base, "demo-kw-reviewer")
    reviewer.click("#queue a:has-text('2022年度')")
    assert reviewer.locator(f"{PATENTS} td.value").inner_text() == "150.8"
    assert "新口径：含 PCT 申请" in reviewer.locator(PATENTS).inner_text()
    assert reviewer.locator(f"{HNTE} td.value").inner_text() == "1,000"
    ctx.close()


def add_third_indicator(app: FastAPI) -> None:
    """A third 区科委 indicator (科技型中小企业, 家, 0–20000) in the open 2022 submission."""
    with app.state.sessions() as s:
        sub = kw_submission(s)
        kw = s.scalar(select(Department).where(Department.code == "KW"))
        assert kw is not None
        ind = Indicator(plan_id=sub.period.plan_id, code="IND_TECH_SMES", name_zh="科技型中小企业",
                        name_en="Technology-based SMEs", unit_zh="家", unit_en="enterprises")
        s.add(ind)
        s.flush()
        s.add(IndicatorProfile(indicator_id=ind.id, owner_department_id=kw.id, frequency="annual", valid_min=0,
                               valid_max=20000, required=False))
        s.add(SubmissionValue(submission_id=sub.id, indicator_id=ind.id, position=2))
        s.commit()


def test_upload_lists_every_problem_at_once_and_changes_nothing(browser, app: FastAPI, base: str,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    add_third_indicator(app)
    ctx, page = log_in(browser, base, "demo-kw-reporter")
    page.click("#submissions a:has-text('2022年度')")
    with page.expect_download() as download_info:
        page.click("#template-link")
    path = tmp_path / "template.xlsx"
    download_info.value.save_as(path)
    wb = load_workbook(path)
    ws = wb[SHEET]
    assert [ws[f"A{r}"].value for r in (5, 6, 7)] == ["IND_HNTE", "IND_PATENTS_PER_10K", "IND_TECH_SMES"]
    ws["E5"], ws["E6"], ws["E7"] = "约一千家", 1250, "=E5*8"
    wb.save(tmp_path / "bad.xlsx")
    page.set_input_files("#upload-form input[type=file]", str(tmp_path / "bad.xlsx"))
    page.click("#upload-form button[type=submit]")
    cells = page.locator("#problems li").evaluate_all("items => items.map(i => i.dataset.cell)")
    assert cells == ["填报!E5", "填报!E6", "填报!E6", "填报!E7"]
    text = page.locator("#problems").inner_text()
    assert "“约一千家”不是数值。" in text
    assert "每万人发明专利拥有量：1250 大于允许的最大值 1000。" in text
    assert "单元格是公式（=E5*8），但文件中没有保存计算结果" in text
    assert "本次提交的数据均未保存" in page.locator("section.problems").inner_text()
    for row in (HNTE, PATENTS, "#values tr[data-indicator=IND_TECH_SMES]"):
        assert page.locator(f"{row} input[name^=value_]").input_value() == "", "nothing changed"
    ctx.close()


def test_leaving_with_unsaved_edits_warns(browser, base: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = log_in(browser, base, "demo-kw-reporter")
    page.click("#submissions a:has-text('2022年度')")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.click(f"{HNTE} input[name^=value_]")
    page = ctx.new_page()
    ctx.pages[0].close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == [] and len(ctx.pages) == 1, "the control: no edits, no warning, the page closes"
    page.goto(base + "/inbox")
    page.click("#submissions a:has-text('2022年度')")
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.click(f"{HNTE} input[name^=value_]")
    page.keyboard.type("1320")
    page.close(run_before_unload=True)
    ctx.new_page().wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    ctx.close()
