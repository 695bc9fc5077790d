"""The 2023 mid-term pack in the order practice uses, each section's heading and a data-driven fact of it checked
against the database; the cut-off applied to opinions, replies, progress reports and index runs; the official
index figure leading the first page."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kechuang.accounts.models import Department
from kechuang.assessment import progress
from kechuang.comments import service as comments
from kechuang.comments.models import Comment
from kechuang.comments.schemas import CommentForm
from kechuang.core import clock
from kechuang.core.access import Forbidden
from kechuang.core.settings import Settings
from kechuang.index_results import service as ir
from kechuang.index_results.rebuild import runs
from kechuang.indicators.models import Indicator, Observation
from kechuang.plan import service as plans
from kechuang.progress import Standing, Status
from kechuang.reports import narratives
from kechuang.reports.evaluation import WRITTEN_LABEL
from kechuang.reports.model import DEMO_LABEL, Paragraph, Report, ReportError, content_hash
from kechuang.reports.sections import RULE_LABEL
from kechuang.reports.service import Pack, build_report
from kechuang.store.db import transaction
from kechuang.supervision import service as supervision
from tests.reports.demo_data import COMMENT_SETTINGS, DEMO_DAY, PATENTS, who
from tests.reports.test_documents import assert_fonts_and_ink, pdf_text

pytestmark = pytest.mark.xdist_group("reports")

HEADINGS = ["一、总体评价", "二、主要指标完成情况", "三、重点任务推进情况", "四、重大项目", "五、保障措施落实",
            "六、外部环境变化", "七、存在问题", "八、下一步工作建议和规划调整建议", "附件：数据来源与质量"]
#: the day after the 2023 index (374.0, edition 2.0) was released on 2024-11-20
AFTER_RELEASE = dt.date(2024, 12, 1)


def paragraphs(report: Report, section: str) -> str:
    return " ".join(b.text for b in report.section(section).blocks if b.type == "paragraph")  # type: ignore[union-attr]


def headline(report: Report) -> Paragraph:
    """The first paragraph of the pack that is not the plan office's narrative (or the note that it is missing)."""
    return next(b for b in report.section("summary").blocks
                if isinstance(b, Paragraph) and not b.text.startswith(("【待规划办撰写】", WRITTEN_LABEL, "（第 ")))


@pytest.fixture(scope="module")
def report(demo_sessions: sessionmaker[Session]) -> Report:
    with demo_sessions() as s:
        return build_report(s, "midterm", 2023, as_of=DEMO_DAY)


def test_sections_in_the_order_practice_uses(report: Report, packs: dict[str, Pack]) -> None:
    assert [s.title for s in report.sections] == HEADINGS
    document = docx.Document(str(packs["midterm"].files["docx"]))
    texts = [p.text for p in document.paragraphs]
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions), "the Word file has the sections in the same order"


def test_indicators_targets_and_the_52_facts(report: Report, demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        version = plans.latest_version(s)
        finals = progress.final_years(version)
        facts = plans.elements(s, version, "fact")
        lagging = 0
        for row in report.table("indicator_completion").rows:
            ind = s.scalar(select(Indicator).where(Indicator.code == row["code"]))
            assert ind is not None
            p = progress.indicator_progress(s, ind, finals)
            lagging += p.assessment.standing in (Standing.BEHIND, Standing.PARTIAL)
        patents = s.scalar(select(Indicator).where(Indicator.code == PATENTS))
        assert patents is not None
        latest_patents = max((o for o in patents.observations if o.source_kind != "plan_text" and o.year <= 2023),
                             key=lambda o: o.year)
        target = plans.element(s, version, "T7.M1.TG1", "target")
    assert lagging == 2 == len(report.table("growth_needed").rows)
    assert f"{lagging} 项指标滞后或需加快" in paragraphs(report, "problems")
    tg = next(r for r in report.table("plan_targets").rows if r["code"] == "T7.M1.TG1")
    assert tg["value"] == "2–3 家" and tg["year"] == int(target.attrs["year"]) == 2025
    assert tg["current"] == 1.0 and tg["status"] == "尚未达到" and tg["_demo"]
    table = report.table("baseline_facts")
    assert len(facts) == 52 == len(table.rows)
    assert [r["code"] for r in table.rows] == [f.code for f in facts]
    f04 = next(r for r in table.rows if r["code"] == "F04")
    assert (f04["fact_value"], f04["latest"], f04["latest_year"]) == (99.04, latest_patents.value, 2023)
    assert f04["change"] == pytest.approx(latest_patents.value - 99.04) and f04["_demo"]
    text = paragraphs(report, "indicators")
    assert RULE_LABEL + "规划第一章“发展基础”列出的量化数据 52 项" in text


def test_summary_and_annex_facts_against_the_database(report: Report, demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        version = plans.latest_version(s)
        items = supervision.plan_items(s, version.plan_id)
        overdue = [i for i in items if supervision.item_status(i, DEMO_DAY).status is Status.OVERDUE]
        received = s.scalar(select(func.count(Comment.id)).where(Comment.plan_id == version.plan_id))
        run = next(r for r in runs(s) if r.until_year == 2023)
        demo_2023 = ir.series(s, run, [run.index_code])[run.index_code]
    summary = paragraphs(report, "summary")
    assert f"督办事项共 {len(items)} 项" in summary and f"逾期 {len(overdue)} 项" in summary
    assert f"共收到公众意见 {received} 条" in summary
    value_2023 = dict(demo_2023)[2023]
    assert f"{value_2023:.1f}" in summary and f"（{DEMO_LABEL}）" in summary, "the demo index, labelled, in the summary"
    assert report.meta["index_run"]["run_id"] == run.id and report.meta["index_run"]["is_demo"]
    record = {r["item"]: r["value"] for r in report.table("build_record").rows}
    assert record["规划版本哈希（SHA-256）"] == version.content_hash and record["数据截止日期"] == "2024-03-01"


def test_facts_are_not_joined_across_an_index_edition(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        later = build_report(s, "midterm", 2023, as_of=AFTER_RELEASE)
    f01 = next(r for r in later.table("baseline_facts").rows if r["code"] == "F01")
    assert (f01["fact_value"], f01["latest"], f01["latest_year"]) == (261.4, 374.0, 2023)
    assert f01["change"] is None and "1.0版→2.0版" in f01["note"]
    # control: a fact of no index edition against an approved value is compared
    f05 = next(r for r in later.table("baseline_facts").rows if r["code"] == "F05")
    assert f05["change"] is not None


def test_tasks_projects_and_safeguards_from_the_supervision_items(report: Report,
                                                                  demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        version = plans.latest_version(s)
        items = supervision.plan_items(s, version.plan_id)
        overdue = {i.title_zh for i in items if supervision.item_status(i, DEMO_DAY).status is Status.OVERDUE}
        projects = plans.elements(s, version, "project")
        measured = {i.element_code for i in items}
        safeguards = plans.elements(s, version, "safeguard")
    assert {r["item"] for r in report.table("overdue_items").rows} == overdue and len(overdue) == 2
    rows = report.table("key_projects").rows
    assert not report.table("key_projects").annex_only
    assert len(rows) == len(projects) == 123
    unsupervised = [p for p in projects if p.code not in measured and p.parent_code not in measured]
    assert unsupervised, "control: some project has no supervision item"
    by_code = {r["code"]: r for r in rows}
    assert all(by_code[p.code]["status"] == "无督办事项" for p in unsupervised)
    t2 = next(p for p in projects if p.parent_code == "T2.M1")
    assert by_code[t2.code]["status"].startswith("已逾期"), "a project under the overdue T2.M1 item is overdue"
    assert f"逾期 {sum(r['status'].startswith('已逾期') for r in rows)} 个" in paragraphs(report, "projects")
    assert [r["title"] for r in report.table("safeguards").rows] == [e.title_zh for e in safeguards]
    assert f"督办事项 {len(items)} 项" in paragraphs(report, "safeguards")


def test_external_change_problems_and_annex(report: Report, demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions() as s:
        shortcomings = plans.elements(s, plans.latest_version(s), "shortcoming")
        sci = s.scalars(select(Observation).join(Observation.indicator).where(
            Indicator.code == "IND_SCI", Observation.source_kind == "published")).all()
    shown = sorted((o for o in sci if o.released_on[:10] <= DEMO_DAY.isoformat()), key=lambda o: o.year)
    editions = report.table("index_editions").rows
    assert [(r["year"], r["value"]) for r in editions] == [(o.year, o.value) for o in shown]
    assert {r["version"] for r in editions} == {"1.0", "2.0"}
    text = paragraphs(report, "external")
    assert "2.0版自 2023-11-14 起发布" in text and "不可直接比较" in text
    table = report.table("shortcomings")
    assert [r["shortcoming"] for r in table.rows] == [e.title_zh for e in shortcomings] and len(table.rows) == 4
    assert "2. 提高科技成果转化效率" in table.rows[0]["tasks"]
    assert "每万人发明专利拥有量（滞后）" in table.rows[0]["indicators"]
    assert len(report.table("data_quality").rows) == len(report.table("indicator_completion").rows)


def test_official_figure_leads_and_demo_values_do_not(demo_sessions: sessionmaker[Session], tmp_path: Path) -> None:
    from kechuang.reports.service import write_pack

    with demo_sessions() as s:
        early = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        later = build_report(s, "midterm", 2023, as_of=AFTER_RELEASE)
    first = headline(early)
    assert first.text.startswith("杨浦双创综合指数官方发布值：2022 年为 340.0（2.0版")
    assert "2023 年数值尚未发布" in first.text and DEMO_LABEL not in first.text
    texts = [b.text for b in early.section("summary").blocks if isinstance(b, Paragraph)]
    demo_index = next(i for i, t in enumerate(texts) if f"（{DEMO_LABEL}） 2023 年为 233.1" in t)
    assert demo_index > texts.index(first.text), "the 2024 pack: the demo index, labelled, after the headline"
    lead = headline(later)
    assert lead.text.startswith("杨浦双创综合指数官方发布值：2023 年为 374.0")
    assert DEMO_LABEL not in lead.text
    pack = write_pack(later, tmp_path / "p", ("pdf",))
    text = subprocess.run(["pdftotext", "-layout", str(pack.files["pdf"]), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert text.index("374.0") < text.index("117.8"), "the official figure comes before any demo value"


def test_cut_off_applies_to_opinions_replies_reports_items_values_and_runs(
        copy_sessions: sessionmaker[Session]) -> None:
    late = dt.datetime.combine(DEMO_DAY + dt.timedelta(days=5), dt.time(3, 0), tzinfo=dt.UTC)
    with transaction(copy_sessions) as s:
        plan_id = plans.get_plan(s).id
        admin = who(s, "demo-admin")
        token = comments.issue_token(COMMENT_SETTINGS, "task", "T2", late - dt.timedelta(minutes=5))
        c = comments.submit(s, COMMENT_SETTINGS, plan_id, CommentForm(
            target_kind="task", target_code="T2", token=token, author_name="演示用户",
            body="（演示数据）截止日之后提交的意见。"), client_ip="192.0.2.11", now=late)
        comments.publish(s, admin, c.id, now=late)
        comments.reply(s, admin, c.id, "（演示数据）截止日之后的答复。", now=late)
        item = next(i for i in supervision.plan_items(s, plan_id) if i.element_code == "T2.M1")
        supervision.report_progress(s, who(s, "demo-kw-reporter"), item.id, text="演示：进展", percent=40,
                                    settings=Settings())
        other = next(i for i in supervision.plan_items(s, plan_id) if i.element_code == "T1.M1")
        supervision.report_progress(s, who(s, "demo-kw-reporter"), other.id, text="演示：完成", percent=100,
                                    settings=Settings())
        supervision.review(s, admin, other.id, close=True, comment="演示：办结", today=DEMO_DAY + dt.timedelta(days=5))
        kw = s.scalar(select(Department).where(Department.code == "KW"))
        assert kw is not None
        late_item = supervision.create_item(
            s, admin, plan_id=plan_id, element_code="T9.M1", title_zh="（演示数据）截止日之后交办的督办事项",
            lead_department_id=kw.id, deadline=DEMO_DAY - dt.timedelta(days=1), is_demo=True)
        patents = s.scalar(select(Indicator).where(Indicator.code == PATENTS))
        assert patents is not None
        # a value stored after the cut-off (as an approval after it stores one)
        s.add(Observation(indicator_id=patents.id, year=2023, value=999.0, source_kind="demo", is_demo=True,
                          ref="approved after the cut-off", source="演示数据：截止日之后审批"))
    with copy_sessions() as s:
        before = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        after = build_report(s, "midterm", 2023, as_of=clock.today())
        run = ir.latest_run(s)
        assert run is not None
    assert "共收到公众意见 1 条" in paragraphs(before, "summary")
    assert all("截止日之后" not in r["body"] for r in before.table("opinion_replies").rows)
    assert "共收到公众意见 2 条" in paragraphs(after, "summary")
    assert any("截止日之后" in r["body"] for r in after.table("opinion_replies").rows), "control"
    t2 = {r["task"]: r for r in before.table("supervision_items").rows}["2. 提高科技成果转化效率"]
    assert t2["percent"] == 0.0
    assert {r["task"]: r for r in after.table("supervision_items").rows}["2. 提高科技成果转化效率"]["percent"] == 0.4
    t1_before = {r["task"]: r for r in before.table("supervision_items").rows}["1. 持续深化区校融合发展"]
    t1_after = {r["task"]: r for r in after.table("supervision_items").rows}["1. 持续深化区校融合发展"]
    assert t1_after["status"].startswith("已办结") and t1_after["stage"] == "办结/销号"
    assert not t1_before["status"].startswith("已办结") and t1_before["stage"] == "反馈", "closed after the cut-off"
    titles = {r["item"] for r in before.table("supervision_items").rows}
    assert late_item.title_zh not in titles and late_item.title_zh not in {
        r["item"] for r in before.table("overdue_items").rows}, "a 督办 item set up after the cut-off"
    assert late_item.title_zh in {r["item"] for r in after.table("overdue_items").rows}, "control"
    before_patents = {r["code"]: r for r in before.table("indicator_completion").rows}[PATENTS]
    assert before_patents["current"] == 117.8, "a value approved after the cut-off is not used"
    assert {r["code"]: r for r in after.table("indicator_completion").rows}[PATENTS]["current"] == 999.0, "control"
    with copy_sessions() as s:
        dated_2024 = next(r for r in runs(s) if r.created_by == "kechuang init --demo" and r.until_year == 2023)
        assert dated_2024.is_demo and clock.local(dated_2024.created_at).isoformat() == "2024-01-01T00:00:00+08:00"
    assert before.meta["index_run"]["run_id"] == dated_2024.id, "the demo run of the data up to 2023, dated 2024-01-01"
    assert before.meta["index_run"]["is_demo"] and DEMO_LABEL in paragraphs(before, "external")
    assert after.meta["index_run"]["run_id"] == run.id != dated_2024.id, "the run of all the data, dated 2025-01-01"
    assert content_hash(before) != content_hash(after)


def test_narratives_are_written_by_people_versioned_and_required_for_final(
        copy_sessions: sessionmaker[Session]) -> None:
    with copy_sessions() as s:
        blank = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
    assert paragraphs(blank, "problems").startswith("【待规划办撰写】")
    with transaction(copy_sessions) as s:
        with pytest.raises(ReportError, match="summary, problems, next_steps have no narrative"):
            narratives.mark_final(s, who(s, "demo-admin"), "midterm", 2023, DEMO_DAY)
        with pytest.raises(Forbidden):
            narratives.write(s, who(s, "demo-kw-reporter"), "midterm", 2023, "summary", "部门不能撰写")
        with pytest.raises(ReportError, match="'summary' is empty"):
            narratives.write(s, who(s, "demo-admin"), "midterm", 2023, "summary", "   ")
        narratives.write(s, who(s, "demo-admin"), "midterm", 2023, "summary", "初稿：规划实施总体顺利。")
        narratives.write(s, who(s, "demo-approver"), "midterm", 2023, "summary", "修改稿：规划实施总体符合预期。")
        narratives.write(s, who(s, "demo-admin"), "midterm", 2023, "problems", "科技成果转化仍需加快。")
        with pytest.raises(ReportError, match="next_steps have no narrative"):
            narratives.mark_final(s, who(s, "demo-admin"), "midterm", 2023, DEMO_DAY)
    with transaction(copy_sessions) as s:
        narratives.write(s, who(s, "demo-admin"), "midterm", 2023, "next_steps", "加快大学科技园示范园建设。")
        with pytest.raises(ReportError, match="next_steps, problems, summary have not been reviewed"):
            narratives.mark_final(s, who(s, "demo-admin"), "midterm", 2023, DEMO_DAY)
        with pytest.raises(ReportError, match="version 1 of section 'summary' is not the newest"):
            narratives.review(s, who(s, "demo-approver"), "midterm", 2023, "summary", 1)
        for section, version in (("summary", 2), ("problems", 1), ("next_steps", 1)):
            narratives.review(s, who(s, "demo-approver"), "midterm", 2023, section, version)
        final = narratives.mark_final(s, who(s, "demo-admin"), "midterm", 2023, DEMO_DAY)
        plan_id = plans.get_plan(s).id
        versions = [(n.section, n.version, n.author, n.text)
                    for n in narratives.history(s, plan_id, "midterm", 2023)]
        written = build_report(s, "midterm", 2023, as_of=DEMO_DAY)
        final_hash = final.content_sha256
    assert versions == [("next_steps", 1, "demo-admin", "加快大学科技园示范园建设。"),
                        ("problems", 1, "demo-admin", "科技成果转化仍需加快。"),
                        ("summary", 1, "demo-admin", "初稿：规划实施总体顺利。"),
                        ("summary", 2, "demo-approver", "修改稿：规划实施总体符合预期。")]
    summary = paragraphs(written, "summary")
    assert WRITTEN_LABEL + "修改稿：规划实施总体符合预期。" in summary and "初稿" not in summary
    assert "第 2 版，demo-approver 撰写于" in summary
    assert final_hash == content_hash(written) != content_hash(blank)


def test_word_file_converts_with_libreoffice_to_a_pdf_that_passes_the_pdf_checks(
        packs: dict[str, Pack], report: Report, tmp_path: Path) -> None:
    source = packs["midterm"].files["docx"]
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "out" / (source.stem + ".pdf")
    text = pdf_text(pdf)
    flat = "".join(text.split())
    for heading in HEADINGS:
        assert heading in flat, heading
    assert DEMO_LABEL in text
    for row in report.table("indicator_completion").rows:
        assert row["name"] in flat, "every row of the completion table is in the converted PDF"
    assert "T7.M1.TG1" in flat and "2–3家" in flat, "the plan target row"
    assert "大学科技园示范园" in flat and "无督办事项" in flat
    assert_fonts_and_ink(pdf, tmp_path)
