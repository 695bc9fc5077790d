"""A full reporting cycle in a real browser (Playwright + Debian Chromium), as three people: 区科委's reporter
downloads the Excel template, uploads it with one invalid cell and sees that cell's error, fixes it and
submits; the department reviewer approves; the plan office approves; the value appears in the indicator's
history and its progress status changes from 不适用 to 快于预期. The audit trail shows every step, and a
later attempt to change the locked value is refused and recorded. (Uses the plan excerpt and the demo
setup of tests/monitoring.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kechuang.submissions.excel import SHEET
from tests.monitoring.web import make_app
from tests.support.server import serve_in_thread

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "kechuang-demo"


@pytest.fixture
def monitoring_server(seeded_sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    app = make_app(seeded_sqlite_template, tmp_path)
    with serve_in_thread(app) as url:
        yield url


def log_in(browser, base: str, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_full_cycle_as_reporter_reviewer_and_plan_office(browser, monitoring_server: str,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    base = monitoring_server
    public = browser.new_page()
    public.goto(f"{base}/monitoring/indicators/IND_PATENTS_PER_10K")
    assert public.locator("#progress-status .badge").inner_text() == "灰 · 不适用"
    assert "演示数据" in public.locator("#targets").inner_text()

    # 1. the reporter: template, an upload with one bad cell, the fixed upload, submit
    reporter_ctx, reporter = log_in(browser, base, "demo-kw-reporter")
    assert reporter.url.endswith("/inbox")
    reporter.click("#submissions a:has-text('2022年度')")
    submission_url = reporter.url
    with reporter.expect_download() as download_info:
        reporter.click("#template-link")
    template = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(template)
    wb = load_workbook(template)
    assert wb[SHEET]["B6"].value == "每万人发明专利拥有量" and wb[SHEET].protection.sheet
    wb[SHEET]["E5"], wb[SHEET]["E6"], wb[SHEET]["F6"] = 1100, 1250, "正式数"
    wb.save(tmp_path / "bad.xlsx")
    reporter.set_input_files("#upload-form input[type=file]", str(tmp_path / "bad.xlsx"))
    reporter.click("#upload-form button[type=submit]")
    problems = reporter.locator("#problems li")
    assert problems.count() == 2
    assert problems.first.get_attribute("data-cell") == "填报!E6"
    assert "工作表 填报 单元格 E6" in problems.first.inner_text()
    assert "1250 大于允许的最大值 1000" in problems.first.inner_text()
    assert reporter.locator("#values tr[data-indicator=IND_PATENTS_PER_10K] input[name^=value_]").input_value() == ""
    wb[SHEET]["E6"] = 125
    wb.save(tmp_path / "good.xlsx")
    reporter.set_input_files("#upload-form input[type=file]", str(tmp_path / "good.xlsx"))
    reporter.click("#upload-form button[type=submit]")
    assert reporter.locator("#flash").inner_text() == "Excel 已导入，变更的指标数： 2"
    reporter.click("#action-submit button")
    assert reporter.locator("#state").inner_text() == "已提交，待部门审核"

    # 2. the department reviewer
    reviewer_ctx, reviewer = log_in(browser, base, "demo-kw-reviewer")
    assert reviewer.url.endswith("/review")
    reviewer.click("#queue a:has-text('2022年度')")
    assert reviewer.locator("#values tr[data-indicator=IND_PATENTS_PER_10K] td.value").inner_text() == "125"
    reviewer.click("#action-dept_approve button")
    assert reviewer.locator("#state").inner_text() == "部门已审核，待规划办审批"

    # 3. the plan office
    approver_ctx, approver = log_in(browser, base, "demo-approver")
    approver.click("#queue a:has-text('2022年度')")
    approver.click("#action-approve button")
    assert approver.locator("#state").inner_text() == "规划办已审批（锁定）"

    # 4. the value is in the indicator's history and the status has changed
    public.reload()
    row = public.locator("#history tr[data-year='2022']")
    assert row.locator("td.num").inner_text() == "125"
    assert "部门填报（已审批）" in row.inner_text()
    assert public.locator("#progress-status .badge").inner_text() == "绿 · 快于预期"
    assert "A = (125 − 99.04)/(150 − 99.04) = 50.9%" in public.locator("#progress-reason").inner_text()

    # 5. a later change of the locked value is refused and recorded
    reporter.goto(submission_url)
    assert reporter.locator("#values-form").count() == 0, "no form on a locked submission"
    token = reporter.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = reporter.request.post(submission_url + "/values", form={
        "csrf_token": token, "value_IND_PATENTS_PER_10K": "130", "version_IND_PATENTS_PER_10K": "2"})
    assert refused.status == 409
    reporter.reload()
    actions = reporter.locator("#trail tr").evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert [a for a in actions if a in ("submit", "dept_approve", "approve", "publish", "refused")] == [
        "submit", "dept_approve", "approve", "publish", "publish", "refused"]
    assert actions.count("update") == 3, "two values and one status word changed by the upload"
    trail_text = reporter.locator("#trail").inner_text()
    assert "demo-kw-reviewer" in trail_text and "demo-approver" in trail_text and "locked" in trail_text

    # 6. a reporter of another department does not even learn that the submission exists
    other_ctx, other = log_in(browser, base, "demo-sw-reporter")
    assert other.goto(submission_url).status == 404
    for ctx in (reporter_ctx, reviewer_ctx, approver_ctx, other_ctx):
        ctx.close()
    public.close()


def test_dashboard_shows_status_in_words_and_colour(browser, monitoring_server: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = log_in(browser, monitoring_server, "demo-viewer")
    assert page.url.endswith("/dashboard")
    t2 = page.locator("#board tr[data-task=T2]")
    assert "每万人发明专利拥有量" in t2.inner_text()
    badges = page.locator("#board .badge").evaluate_all(
        "bs => bs.map(b => [b.dataset.colour, getComputedStyle(b).backgroundColor, b.innerText])")
    assert badges and all(text.strip() for _, _, text in badges), "every badge has words"
    colours = {c: bg for c, bg, _ in badges}
    assert colours["red"] != colours["grey"] and "打造技术要素交易高地" in t2.inner_text()
    assert "红 · 已逾期" in t2.inner_text()
    ctx.close()
