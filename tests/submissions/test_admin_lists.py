"""The plan office's lists say what they did and find what is asked: opening a period names what it created
and for which frequency (and says so when nothing is reported at that frequency); the indicator list can be
searched and filtered by owner and by what is not yet set."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kechuang.indicators.models import Indicator, Observation
from tests.submissions.test_numbers_in_out import _settings_form

ClientAs = Callable[[str], tuple[TestClient, str]]


def test_opening_a_period_says_what_it_created(client_as: ClientAs) -> None:
    admin, token = client_as("demo-admin")
    r = admin.post("/admin/periods", data={"csrf_token": token, "code": "2023", "label_zh": "2023年度",
                                           "due_on": "2024-03-31"})
    assert r.status_code == 200 and r.url.path == "/admin/periods"
    flash = r.text[r.text.index('id="flash"'):r.text.index("</div>", r.text.index('id="flash"'))]
    assert "已开启报送期 2023年度（年度）：已为以下部门生成填报，部门数： 1" in flash
    assert "区科委（演示）：2 指标" in flash
    r = admin.post("/admin/periods", data={"csrf_token": token, "code": "2026Q1", "label_zh": "2026年第一季度",
                                           "due_on": "2026-04-15"})
    flash = r.text[r.text.index('id="flash"'):]
    assert "已开启报送期 2026年第一季度（季度）：没有生成任何填报：没有指标按此频率报送。" in flash
    assert 'class="error" role="status" id="flash"' in r.text, "nothing created is not shown as a success"


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-indicator="(\w+)">', page)


def test_indicator_list_search_and_filters(web_app: FastAPI, client_as: ClientAs) -> None:
    with web_app.state.sessions() as s:
        plan_id = s.scalar(select(Indicator.plan_id).limit(1))
        s.add(Indicator(plan_id=plan_id, code="IND_TECH_SMES", name_zh="科技型中小企业", unit_zh="家"))
        s.commit()
    admin, _ = client_as("demo-admin")
    assert rows(admin.get("/admin/indicators").text) == ["IND_HNTE", "IND_PATENTS_PER_10K", "IND_TECH_SMES"]
    page = admin.get("/admin/indicators?q=专利").text
    assert rows(page) == ["IND_PATENTS_PER_10K"] and "显示 1 / 3" in page
    assert rows(admin.get("/admin/indicators?q=high-tech").text) == ["IND_HNTE"]
    kw = re.search(r'<option value="(\d+)">区科委（演示）</option>', admin.get("/admin/indicators").text)
    assert kw
    assert rows(admin.get(f"/admin/indicators?department={kw.group(1)}").text) == ["IND_HNTE", "IND_PATENTS_PER_10K"]
    assert rows(admin.get("/admin/indicators?department=none").text) == ["IND_TECH_SMES"]
    for missing in ("owner", "baseline", "target"):
        assert rows(admin.get(f"/admin/indicators?missing={missing}").text) == ["IND_TECH_SMES"], missing


def test_baseline_prefilled_from_the_plan_text(web_app: FastAPI, client_as: ClientAs) -> None:
    with web_app.state.sessions() as s:
        plan_id = s.scalar(select(Indicator.plan_id).limit(1))
        ind = Indicator(plan_id=plan_id, code="IND_TECH_SMES", name_zh="科技型中小企业", unit_zh="家")
        s.add(ind)
        s.flush()
        s.add(Observation(indicator_id=ind.id, ref="fact:tech_smes", year=2020, value=8000, qualifier="more_than",
                          source_kind="plan_text", source="一、发展基础", quote="科技型中小企业达8000余家"))
        s.commit()
    admin, _ = client_as("demo-admin")
    page = admin.get("/admin/indicators/IND_TECH_SMES").text
    assert ('基期值尚未设定，已按规划文本预填（保存后生效）：<q lang="zh-CN">科技型中小企业达8000余家</q>（余/超过）'
            in page)
    fields = _settings_form(admin, "IND_TECH_SMES")
    assert (fields["baseline_year"], fields["baseline_value"], fields["baseline_source"]) == (
        "2020", "8000", "一、发展基础：科技型中小企业达8000余家")
    assert admin.post("/admin/indicators/IND_TECH_SMES", data=fields, follow_redirects=False).status_code == 303
    assert 'id="baseline-suggestion"' not in admin.get("/admin/indicators/IND_TECH_SMES").text, "now it is set"
    assert rows(admin.get("/admin/indicators?missing=baseline").text) == []
    assert 'id="baseline-suggestion"' not in admin.get("/admin/indicators/IND_HNTE").text, "the control: set already"
