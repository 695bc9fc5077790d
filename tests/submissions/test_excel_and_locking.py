"""The Excel template (protection, hidden identifiers, per-cell errors) and the guarantees that nothing is
lost: an upload failing midway keeps the previous values; two people saving one value cannot silently
overwrite each other (optimistic locking with a version column) — on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from kechuang.core.access import StaleEdit
from kechuang.submissions import service as submissions
from kechuang.submissions.excel import META_SHEET, SHEET
from kechuang.submissions.service import ValueChange
from tests.monitoring.helpers import who
from tests.submissions.test_workflow import kw_submission


def filled(template: bytes, cells: dict[str, object]) -> bytes:
    """The template with some unlocked cells filled in, as a user would in Excel."""
    wb = load_workbook(io.BytesIO(template))
    for address, value in cells.items():
        wb[SHEET][address] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def values_of(s: Session, sub_id: int) -> dict[str, tuple[float | None, bool, str]]:
    sub = submissions.get_submission(s, who(s, "demo-kw-reporter"), sub_id)
    return {v.indicator.code: (v.value, v.final, v.note) for v in sub.values}


def test_template_is_protected_with_hidden_identifiers(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub = kw_submission(s)
        name, data = submissions.template(s, who(s, "demo-kw-reporter"), sub.id)
        assert name == f"kechuang-2022-KW-{sub.id}.xlsx"
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    assert ws.protection.sheet is True and ws.protection.password
    assert wb.security.lockStructure is True
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert wb[META_SHEET]["B2"].value == str(sub.id)
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["I"].hidden
    assert [ws[f"A{r}"].value for r in (5, 6)] == ["IND_HNTE", "IND_PATENTS_PER_10K"]
    assert [ws[f"B{r}"].value for r in (5, 6)] == ["高新技术企业", "每万人发明专利拥有量"]
    assert ws["D6"].value == "99.04（2020年）"
    assert ws["H6"].value == "取值范围 0 至 1000；较上期变动超过 ±30% 须在说明中写明原因；必填"
    locked = {c: ws[f"{c}6"].protection.locked for c in "ABCDEFGHI"}
    assert locked == {"A": True, "B": True, "C": True, "D": True, "E": False, "F": False, "G": False, "H": True,
                      "I": True}


def test_upload_reports_each_bad_cell_and_saves_nothing(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        rep = who(s, "demo-kw-reporter")
        _, data = submissions.template(s, rep, sub_id)
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.import_workbook(s, rep, sub_id, filled(data, {"E5": 1100, "E6": "一百二十五", "F5": "估计数"}))
        assert [(p.where, p.reason_zh) for p in caught.value.problems] == [
            ("填报!F5", "数据状态“估计数”应为 初步数 或 正式数。"),
            ("填报!E6", "“一百二十五”不是数值。"),
        ]
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.import_workbook(s, rep, sub_id, filled(data, {"E5": 1100, "E6": 1250}))
        assert [(p.where, p.reason_zh) for p in caught.value.problems] == [
            ("填报!E6", "每万人发明专利拥有量：1250 大于允许的最大值 1000。"),
            ("填报!E6", "每万人发明专利拥有量：较上期（2020 年 99.04）变动 +1162.1%，超过 ±30%；"
                        "请核实，或在“说明”中写明原因。"),
        ]
        s.rollback()
        assert values_of(s, sub_id) == {"IND_HNTE": (None, False, ""), "IND_PATENTS_PER_10K": (None, False, "")}
        assert submissions.import_workbook(s, rep, sub_id, filled(data, {"E5": 1100, "E6": 125, "F6": "正式数"})) == 2
        s.commit()
        assert values_of(s, sub_id) == {"IND_HNTE": (1100, False, ""), "IND_PATENTS_PER_10K": (125, True, "")}


def test_upload_of_another_file_is_refused(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        rep = who(s, "demo-kw-reporter")
        for junk, reason in ((b"not a workbook", "不是有效的 Excel（.xlsx）文件。"),):
            with pytest.raises(submissions.ValidationFailed) as caught:
                submissions.import_workbook(s, rep, sub_id, junk)
            assert [p.reason_zh for p in caught.value.problems] == [reason]
        _, data = submissions.template(s, rep, sub_id)
        wb = load_workbook(io.BytesIO(data))
        wb[META_SHEET]["B2"] = str(sub_id + 99)
        wb[SHEET]["A6"] = "rd_spending"
        out = io.BytesIO()
        wb.save(out)
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.import_workbook(s, rep, sub_id, out.getvalue())
        assert caught.value.problems[-1].reason_zh.startswith("此文件是 KW 2022 的模板，不属于本次填报")


def test_upload_after_someone_changed_a_value_is_refused_per_cell(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        _, data = submissions.template(s, who(s, "demo-kw-reporter"), sub_id)
    with seeded() as s:
        submissions.save_values(s, who(s, "demo-kw-reporter"), sub_id, [ValueChange("IND_PATENTS_PER_10K", 120, False)])
        s.commit()
    with seeded() as s:
        with pytest.raises(submissions.ValidationFailed) as caught:
            submissions.import_workbook(s, who(s, "demo-kw-reporter"), sub_id, filled(data, {"E5": 1100, "E6": 125}))
        assert [(p.where, p.reason_zh) for p in caught.value.problems] == [
            ("填报!E6", "下载模板后此值已被 demo-kw-reporter 改为 120；为免覆盖，请重新下载模板后再填。")]


def test_failure_in_the_middle_of_an_upload_keeps_the_previous_state(seeded: sessionmaker[Session]) -> None:
    """Rows are written one after the other; the second row was changed by someone else after the upload
    read it, so its versioned UPDATE matches nothing and the whole upload is rolled back."""
    with seeded() as s:
        sub_id = kw_submission(s).id
        submissions.save_values(s, who(s, "demo-kw-reporter"), sub_id,
                                [ValueChange("IND_HNTE", 1000, False), ValueChange("IND_PATENTS_PER_10K", 110, False)])
        s.commit()
        _, data = submissions.template(s, who(s, "demo-kw-reporter"), sub_id)
    upload = seeded()
    rep = who(upload, "demo-kw-reporter")
    parsed = [ValueChange("IND_HNTE", 1100, False), ValueChange("IND_PATENTS_PER_10K", 125, False)]
    prepared = submissions.prepare_changes(upload, rep, sub_id, parsed)
    with seeded() as other:
        submissions.save_values(other, who(other, "demo-kw-reporter"), sub_id,
                                [ValueChange("IND_PATENTS_PER_10K", 111, False)])
        other.commit()
    with pytest.raises(StaleEdit, match="nothing was saved"):
        submissions.apply_changes(upload, rep, prepared, via="Excel upload")
    upload.rollback()
    upload.close()
    with seeded() as s:
        assert values_of(s, sub_id) == {"IND_HNTE": (1000, False, ""), "IND_PATENTS_PER_10K": (111, False, "")}


def test_two_editors_cannot_overwrite_each_other(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        sub_id = kw_submission(s).id
        version = next(v.version for v in kw_submission(s).values if v.indicator.code == "IND_PATENTS_PER_10K")
    # Both opened the form at `version`; the first save wins, the second is told and nothing is overwritten.
    with seeded() as first:
        submissions.save_values(first, who(first, "demo-kw-reporter"), sub_id,
                                [ValueChange("IND_PATENTS_PER_10K", 120, False, "", version)])
        first.commit()
    with seeded() as second:
        with pytest.raises(StaleEdit, match="changed by demo-kw-reporter meanwhile"):
            submissions.save_values(second, who(second, "demo-kw-reporter"), sub_id,
                                    [ValueChange("IND_PATENTS_PER_10K", 121, False, "", version)])
    with seeded() as s:
        assert values_of(s, sub_id)["IND_PATENTS_PER_10K"] == (120, False, "")


def test_simultaneous_saves_race_is_caught_by_the_version_column(seeded: sessionmaker[Session]) -> None:
    """Both sessions read version n and pass the check; the database then sees two UPDATE … WHERE version = n
    and only the first matches."""
    with seeded() as s:
        sub_id = kw_submission(s).id
    a, b = seeded(), seeded()
    prepared = [submissions.prepare_changes(x, who(x, "demo-kw-reporter"), sub_id,
                                            [ValueChange("IND_PATENTS_PER_10K", value, False)])
                for x, value in ((a, 120), (b, 121))]
    submissions.apply_changes(a, who(a, "demo-kw-reporter"), prepared[0], via="form")
    a.commit()
    with pytest.raises(StaleEdit):
        submissions.apply_changes(b, who(b, "demo-kw-reporter"), prepared[1], via="form")
    b.rollback()
    a.close()
    b.close()
    with seeded() as s:
        assert values_of(s, sub_id)["IND_PATENTS_PER_10K"] == (120, False, "")
