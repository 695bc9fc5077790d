"""提交审核 posts the form: its values are saved, then submitted; a save that fails submits nothing; a save
that passes but cannot be submitted (a required value is empty) keeps the values and says why."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.submissions.test_web import kw_submission_id

ClientAs = Callable[[str], tuple[TestClient, str]]


def _state(c: TestClient, sub_id: int) -> tuple[str, dict[str, float | None]]:
    got = c.get(f"/api/v1/submissions/{sub_id}").json()
    return got["state"], {v["indicator"]: v["value"] for v in got["values"]}


def test_submit_button_saves_then_submits(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    form = {"csrf_token": token, "then": "submit", "submission_version": "1",
            "value_IND_HNTE": "1,000", "version_IND_HNTE": "1",
            "value_IND_PATENTS_PER_10K": "", "version_IND_PATENTS_PER_10K": "1"}
    r = c.post(f"/submissions/{sub_id}/values", data=form)
    assert r.status_code == 422
    assert "所填数值已保存为草稿，但未能提交审核：" in r.text and "每万人发明专利拥有量：必填，不能为空。" in r.text
    assert "本次提交的数据均未保存" not in r.text
    assert _state(c, sub_id) == ("draft", {"IND_HNTE": 1000, "IND_PATENTS_PER_10K": None}), "saved, not submitted"
    bad = {**form, "value_IND_PATENTS_PER_10K": "1O5", "version_IND_HNTE": "2"}
    r = c.post(f"/submissions/{sub_id}/values", data=bad)
    assert r.status_code == 422 and "“1O5”不是数值。" in r.text and "本次提交的数据均未保存" in r.text
    assert _state(c, sub_id) == ("draft", {"IND_HNTE": 1000, "IND_PATENTS_PER_10K": None})
    good = {**bad, "value_IND_PATENTS_PER_10K": "105"}
    r = c.post(f"/submissions/{sub_id}/values", data=good, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/submissions/{sub_id}?done=submit")
    assert _state(c, sub_id) == ("submitted", {"IND_HNTE": 1000, "IND_PATENTS_PER_10K": 105})
