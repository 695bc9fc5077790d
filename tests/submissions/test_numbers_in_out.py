"""Numbers in, numbers out: what people type or paste is read by one parser on every write path (JSON API,
web form, Excel template), what the pages put into input boxes saves back unchanged, NaN/Infinity and
formula cells without a result are refused with the cell named, and no write goes through without the
version it was read at."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update

from kechuang.indicators.models import Indicator
from kechuang.submissions.excel import SHEET
from tests.submissions.test_web import kw_submission_id

ClientAs = Callable[[str], tuple[TestClient, str]]
NOTE = "含迁入企业"  # explains a change beyond ±30 % against 973 (2020)


def values(c: TestClient, sub_id: int) -> dict[str, float | None]:
    return {v["indicator"]: v["value"] for v in c.get(f"/api/v1/submissions/{sub_id}").json()["values"]}


@pytest.mark.parametrize(("body", "status", "stored", "reason"), [
    ('{"value": NaN, "version": 1}', 422, None, "IND_HNTE.value: “nan”不是有限数值；请填写具体数字，没有数据时留空。"),
    ('{"value": Infinity, "version": 1}', 422, None,
     "IND_HNTE.value: “inf”不是有限数值；请填写具体数字，没有数据时留空。"),
    ('{"value": "NaN", "version": 1}', 422, None,
     "IND_HNTE.value: “NaN”不是有限数值；请填写具体数字，没有数据时留空。"),
    ('{"value": "-Infinity", "version": 1}', 422, None,
     "IND_HNTE.value: “-Infinity”不是有限数值；请填写具体数字，没有数据时留空。"),
    ('{"value": "1,320", "version": 1, "note": "含迁入企业"}', 200, 1320, None),
    ('{"value": "１３２０", "version": 1, "note": "含迁入企业"}', 200, 1320, None),
    ('{"value": "1.2万", "version": 1, "note": "含迁入企业"}', 200, 12000, None),
    ('{"value": "13.2%", "version": 1}', 422, None,
     "IND_HNTE.value: “13.2%”带百分号，但本指标的单位是“家”；请填写以该单位计的数值。"),
    ('{"value": 1320, "note": "含迁入企业"}', 422, None, None),
    ('{"value": true, "version": 1}', 422, None, None),
])
def test_api_values_as_documented(client_as: ClientAs, body: str, status: int, stored: float | None,
                                  reason: str | None) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    r = c.put(f"/api/v1/submissions/{sub_id}/values/IND_HNTE", content=body.encode(),
              headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert values(c, sub_id)["IND_HNTE"] == stored
    if reason is not None:
        assert r.json()["detail"] == reason
        assert r.json()["errors"][0]["indicator"] == "IND_HNTE"
    if status == 422 and reason is None:  # no version, or a boolean: refused by the schema
        assert {e["loc"][1] for e in r.json()["detail"]} == ({"value"} if "true" in body else {"version"})


def test_api_percent_is_accepted_only_for_a_percent_unit(client_as: ClientAs) -> None:
    """The control of the row above: the same "13.2%" is 13.2 once the indicator's unit is %."""
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    percent_unit(c)
    r = c.put(f"/api/v1/submissions/{sub_id}/values/IND_HNTE", json={"value": "13.2%", "version": 1,
                                                                     "note": NOTE},
              headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    assert values(c, sub_id)["IND_HNTE"] == 13.2


def percent_unit(c: TestClient) -> None:
    """Make 高新技术企业 an indicator in % (the excerpt has no % indicator)."""
    with c.app.state.sessions() as s:  # type: ignore[attr-defined]
        s.execute(update(Indicator).where(Indicator.code == "IND_HNTE").values(unit_zh="%"))
        s.commit()


def test_form_refills_the_raw_value_and_resaves_unchanged(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    api = f"/api/v1/submissions/{sub_id}/values/IND_HNTE"
    assert c.put(api, json={"value": 1320, "version": 1, "note": NOTE}, headers={"X-CSRF-Token": token}).is_success
    page = c.get(f"/submissions/{sub_id}").text
    boxes = re.findall(r'<input name="value_IND_HNTE"[^>]* value="([^"]*)"', page)
    assert boxes == ["1320"], "the raw value, never the display format 1,320"
    form = {"csrf_token": token, "value_IND_HNTE": "1320", "version_IND_HNTE": "2", "note_IND_HNTE": NOTE,
            "final_IND_HNTE": "provisional", "value_IND_PATENTS_PER_10K": "", "version_IND_PATENTS_PER_10K": "1"}
    r = c.post(f"/submissions/{sub_id}/values", data=form, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/submissions/{sub_id}?saved=0")
    assert values(c, sub_id)["IND_HNTE"] == 1320


def test_form_without_a_version_is_refused_and_changes_nothing(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    form = {"csrf_token": token, "value_IND_HNTE": "1,000", "value_IND_PATENTS_PER_10K": "110",
            "version_IND_PATENTS_PER_10K": "1"}
    r = c.post(f"/submissions/{sub_id}/values", data=form)
    assert r.status_code == 422
    assert "高新技术企业：表单缺少版本号" in r.text
    assert values(c, sub_id) == {"IND_HNTE": None, "IND_PATENTS_PER_10K": None}, "neither value saved"
    r = c.post(f"/submissions/{sub_id}/values", data={**form, "version_IND_HNTE": "1"}, follow_redirects=False)
    assert r.status_code == 303, "the control: with its version the same form saves"
    assert values(c, sub_id) == {"IND_HNTE": 1000, "IND_PATENTS_PER_10K": 110}


def test_form_reports_every_problem_at_once_and_keeps_what_was_typed(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    form = {"csrf_token": token, "value_IND_HNTE": "abc", "version_IND_HNTE": "1", "note_IND_HNTE": "年末口径",
            "final_IND_HNTE": "final", "value_IND_PATENTS_PER_10K": "2000", "version_IND_PATENTS_PER_10K": "1",
            "note_IND_PATENTS_PER_10K": "统计局快报"}
    r = c.post(f"/submissions/{sub_id}/values", data=form)
    assert r.status_code == 422
    assert "高新技术企业：“abc”不是数值。" in r.text
    assert "每万人发明专利拥有量：2000 大于允许的最大值 1000。" in r.text, "the range error comes in the same round"
    assert 'id="err-value-IND_HNTE-1"' in r.text and 'id="err-value-IND_PATENTS_PER_10K-1"' in r.text
    for typed in ('value="abc"', 'value="年末口径"', 'value="2000"', 'value="统计局快报"'):
        assert typed in r.text
    assert '<option value="final" selected>' in r.text
    assert values(c, sub_id) == {"IND_HNTE": None, "IND_PATENTS_PER_10K": None}


def _template(c: TestClient, sub_id: int):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(c.get(f"/submissions/{sub_id}/template.xlsx").content))


def _upload(c: TestClient, token: str, sub_id: int, wb) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    wb.save(out)
    r = c.post(f"/submissions/{sub_id}/upload", data={"csrf_token": token}, files={"file": ("kw.xlsx", out.getvalue())},
               follow_redirects=False)
    return r.status_code, r.text


def test_workbook_with_emptied_version_is_refused(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    wb = _template(c, sub_id)
    wb[SHEET]["E5"], wb[SHEET]["G5"], wb[SHEET]["E6"] = "1,320", NOTE, 110
    wb[SHEET]["I5"] = None
    status, text = _upload(c, token, sub_id, wb)
    assert status == 422 and 'data-cell="填报!I5"' in text and "隐藏的版本列（I5）被清空或改动" in text
    assert values(c, sub_id) == {"IND_HNTE": None, "IND_PATENTS_PER_10K": None}
    wb[SHEET]["I5"] = 1
    assert _upload(c, token, sub_id, wb)[0] == 303, "the control: the same file with its version saves"
    assert values(c, sub_id) == {"IND_HNTE": 1320, "IND_PATENTS_PER_10K": 110}


def test_workbook_formula_without_result_is_refused_and_pasted_text_is_read(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    wb = _template(c, sub_id)
    wb[SHEET]["E5"], wb[SHEET]["G5"] = "１，３２０", NOTE
    wb[SHEET]["E6"] = "=E5/12"  # openpyxl writes the formula without a computed result
    status, text = _upload(c, token, sub_id, wb)
    assert status == 422 and 'data-cell="填报!E6"' in text
    assert "单元格是公式（=E5/12），但文件中没有保存计算结果" in text
    assert values(c, sub_id) == {"IND_HNTE": None, "IND_PATENTS_PER_10K": None}
    wb[SHEET]["E6"] = 110
    assert _upload(c, token, sub_id, wb)[0] == 303
    assert values(c, sub_id) == {"IND_HNTE": 1320, "IND_PATENTS_PER_10K": 110}


def test_template_value_cells_carry_data_validation(client_as: ClientAs) -> None:
    c, _ = client_as("demo-kw-reporter")
    ws = _template(c, kw_submission_id(c))[SHEET]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    patents = by_cell["E6"]
    assert (patents.type, patents.operator, patents.formula1, patents.formula2) == ("decimal", "between", "0.0",
                                                                                   "1000.0")
    assert patents.showInputMessage and patents.showErrorMessage and patents.errorStyle == "stop"
    assert patents.prompt.startswith("请填写 0 至 1000 之间的数字（单位：件）")
    assert by_cell["E5"].formula2 == "100000.0" and "（单位：家）" in by_cell["E5"].prompt
    assert by_cell["F5 F6"].type == "list", "the status list is still there"


def _settings_form(c: TestClient, code: str) -> dict[str, str]:
    """The settings form's fields as the page fills them (text inputs, selected options, checked boxes)."""
    page = c.get(f"/admin/indicators/{code}").text
    form = page[page.index('id="profile-form"'):page.index("</form>", page.index('id="profile-form"'))]
    fields = dict(re.findall(r'<input (?:type="hidden" )?name="(\w+)"[^>]*? value="([^"]*)"', form))
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', form):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        fields[name] = chosen.group(1) if chosen else ""
    fields |= {name: "1" for name in re.findall(r'type="checkbox" name="(\w+)" value="1" checked', form)}
    return fields


def test_indicator_settings_resave_and_field_errors(client_as: ClientAs) -> None:
    c, token = client_as("demo-admin")
    fields = _settings_form(c, "IND_HNTE")
    r = c.post("/admin/indicators/IND_HNTE", data={**fields, "baseline_value": "8,000", "valid_max": "５００００"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/indicators/IND_HNTE?saved=1"
    assert "指标设置已保存。" in c.get(r.headers["location"]).text
    fields = _settings_form(c, "IND_HNTE")
    assert (fields["baseline_value"], fields["valid_max"]) == ("8000", "50000"), "raw values, not 8,000"
    assert c.post("/admin/indicators/IND_HNTE", data=fields, follow_redirects=False).status_code == 303, \
        "the page's own values save unchanged"
    typed = {**_settings_form(c, "IND_HNTE"), "valid_min": "abc", "max_change_pct": "NaN",
             "rule_reason_zh": "高新技术企业数逐年认定，按序时进度评估"}
    r = c.post("/admin/indicators/IND_HNTE", data=typed)
    assert r.status_code == 422
    assert '<span class="field-error" id="err-valid_min">允许最小值：“abc”不是数值。</span>' in r.text
    assert "较上期最大变动（%）：“NaN”不是有限数值" in r.text
    assert 'value="高新技术企业数逐年认定，按序时进度评估"' in r.text, "the typed rule reason is kept"
    assert 'name="valid_min" inputmode="decimal" value="abc" aria-invalid="true"' in r.text
    r = c.post("/admin/indicators/IND_HNTE", data={**typed, "valid_min": "60000", "max_change_pct": "30"})
    assert r.status_code == 422 and "允许最大值：50000 小于允许最小值 60000。" in r.text
    assert 'value="高新技术企业数逐年认定，按序时进度评估"' in r.text
    no_version = {k: v for k, v in _settings_form(c, "IND_HNTE").items() if k != "version"}
    r = c.post("/admin/indicators/IND_HNTE", data={**no_version, "valid_max": "1"})
    assert r.status_code == 422 and "表单缺少版本号" in r.text
    assert _settings_form(c, "IND_HNTE")["valid_max"] == "50000", "nothing changed"


def test_target_form_reads_typed_numbers_and_keeps_them_on_error(client_as: ClientAs) -> None:
    c, token = client_as("demo-admin")
    r = c.post("/admin/indicators/IND_HNTE/targets", data={"csrf_token": token, "year": "2030", "value": "1,800",
                                                           "note": "中期目标"}, follow_redirects=False)
    assert r.status_code == 303
    assert "<td>2030</td><td class=\"num\">1,800</td>" in c.get("/admin/indicators/IND_HNTE").text
    r = c.post("/admin/indicators/IND_HNTE/targets", data={"csrf_token": token, "year": "2031", "value": "Infinity",
                                                           "note": "远期", "is_demo": "1"})
    assert r.status_code == 422
    assert re.search(r'<span class="field-error" id="err-target_value">[^<]*：“Infinity”不是有限数值', r.text)
    form = r.text[r.text.index('id="target-form"'):]
    assert 'value="2031"' in form and 'value="Infinity"' in form and 'value="远期"' in form
    assert 'name="is_demo" value="1" checked' in form
    profile = r.text[r.text.index('id="profile-form"'):r.text.index('id="target-form"')]
    assert 'name="required" value="1" checked' in profile, "the settings form still shows the stored settings"
    assert "<td>2031</td>" not in r.text


def test_workbook_percent_cells_follow_the_unit(client_as: ClientAs) -> None:
    """Excel stores 13.2% typed in a cell as 0.132 formatted as a percentage: 13.2 for unit %, refused for 家."""
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    wb = _template(c, sub_id)
    wb[SHEET]["E5"], wb[SHEET]["E6"] = 0.132, 110
    wb[SHEET]["E5"].number_format = "0.0%"
    status, text = _upload(c, token, sub_id, wb)
    assert status == 422 and "单元格是百分比格式（13.2%），但本指标的单位是“家”" in text
    percent_unit(c)
    wb[SHEET]["G5"] = NOTE
    assert _upload(c, token, sub_id, wb)[0] == 303
    assert values(c, sub_id) == {"IND_HNTE": 13.2, "IND_PATENTS_PER_10K": 110}
