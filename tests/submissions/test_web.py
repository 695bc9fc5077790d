"""Submission pages and API in-process: login and cookies, CSRF, the form, the upload with per-cell errors,
approval, 409 on a locked value or a stale version, and the JSON API's answers."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from kechuang.core.settings import Settings
from kechuang.submissions.excel import SHEET
from tests.monitoring.web import csrf_of, make_app

ClientAs = Callable[[str], tuple[TestClient, str]]


def kw_submission_id(client: TestClient) -> int:
    subs = client.get("/api/v1/submissions").json()
    return int(next(x["id"] for x in subs if x["department"]["code"] == "KW"))


def test_login_cookie_flags_and_home_pages(web_app: FastAPI) -> None:
    with TestClient(web_app) as c:
        page = c.get("/login")
        assert "HttpOnly" in page.headers["set-cookie"]
        r = c.post("/login", data={"username": "demo-kw-reporter", "password": "kechuang-demo",
                                   "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/inbox")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("kc_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie, "plain http allowed when KECHUANG_SECURE_COOKIES is off"
        inbox = c.get("/inbox").text
        assert "区科委填报员（演示）" in inbox and "2022年度" in inbox
        c.post("/logout", data={"csrf_token": csrf_of(inbox)})
        assert c.get("/inbox", follow_redirects=False).headers["location"] == "/login?next=/inbox"


def test_secure_cookie_by_default(seeded_sqlite_template: Path, tmp_path: Path) -> None:
    app = make_app(seeded_sqlite_template, tmp_path)
    app.state.account_settings = Settings()
    with TestClient(app, base_url="https://testserver") as c:
        page = c.get("/login")
        r = c.post("/login", data={"username": "demo-admin", "password": "kechuang-demo",
                                   "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert r.headers["location"] == "/dashboard"
        assert "Secure" in r.headers["set-cookie"]


def test_wrong_password_and_throttling(web_app: FastAPI) -> None:
    web_app.state.account_settings = Settings(secure_cookies=False, login_max_failures=2,
                                                     login_delay_seconds=900, login_max_delay_seconds=900)
    with TestClient(web_app) as c:
        token = csrf_of(c.get("/login").text)
        for _ in range(2):
            r = c.post("/login", data={"username": "demo-admin", "password": "nope", "csrf_token": token})
            assert r.status_code == 401 and "用户名或密码错误" in r.text
        r = c.post("/login", data={"username": "demo-admin", "password": "kechuang-demo", "csrf_token": token})
        assert r.status_code == 429 and "登录失败次数过多" in r.text and int(r.headers["retry-after"]) > 800


def test_every_unsafe_request_needs_the_csrf_token(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    assert c.post(f"/submissions/{sub_id}/values", data={"value_IND_PATENTS_PER_10K": "125"}).status_code == 403
    assert c.post(f"/submissions/{sub_id}/values", data={"csrf_token": "forged"}).status_code == 403
    r = c.put(f"/api/v1/submissions/{sub_id}/values/IND_PATENTS_PER_10K", json={"value": 125, "version": 1})
    assert r.status_code == 403 and r.json()["detail"].startswith("missing or wrong CSRF token")
    with TestClient(c.app) as anonymous:
        assert anonymous.post("/login", data={"username": "demo-admin", "password": "kechuang-demo"}).status_code == 403


def test_form_save_validation_and_conflict(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    page = c.get(f"/submissions/{sub_id}").text
    assert 'name="version_IND_PATENTS_PER_10K" value="1"' in page
    form = {"csrf_token": token, "value_IND_PATENTS_PER_10K": "-1", "final_IND_PATENTS_PER_10K": "final",
            "version_IND_PATENTS_PER_10K": "1", "value_IND_HNTE": "", "version_IND_HNTE": "1"}
    bad = c.post(f"/submissions/{sub_id}/values", data=form)
    assert bad.status_code == 422 and "每万人发明专利拥有量：-1 小于允许的最小值 0。" in bad.text
    ok = c.post(f"/submissions/{sub_id}/values", data={**form, "value_IND_PATENTS_PER_10K": "125"},
                follow_redirects=False)
    assert ok.status_code == 303
    stale = c.post(f"/submissions/{sub_id}/values", data={**form, "value_IND_PATENTS_PER_10K": "126"})
    assert stale.status_code == 409 and "changed by demo-kw-reporter meanwhile" in stale.text
    assert c.get(f"/api/v1/submissions/{sub_id}").json()["values"][1]["value"] == 125


def test_upload_errors_name_the_cell_then_the_fixed_file_is_saved(client_as: ClientAs) -> None:
    c, token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(c)
    template = c.get(f"/submissions/{sub_id}/template.xlsx")
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(template.content))
    wb[SHEET]["E5"], wb[SHEET]["E6"] = 1100, "12O"
    bad, good = io.BytesIO(), io.BytesIO()
    wb.save(bad)
    wb[SHEET]["E6"] = 125
    wb.save(good)
    r = c.post(f"/submissions/{sub_id}/upload", data={"csrf_token": token},
               files={"file": ("kw.xlsx", bad.getvalue())})
    assert r.status_code == 422
    assert 'data-cell="填报!E6"' in r.text and "“12O”不是数值。" in r.text
    assert c.get(f"/api/v1/submissions/{sub_id}").json()["values"][0]["value"] is None, "nothing saved"
    r = c.post(f"/submissions/{sub_id}/upload", data={"csrf_token": token},
               files={"file": ("kw.xlsx", good.getvalue())}, follow_redirects=False)
    assert r.status_code == 303
    values = {v["indicator"]: v["value"] for v in c.get(f"/api/v1/submissions/{sub_id}").json()["values"]}
    assert values == {"IND_HNTE": 1100, "IND_PATENTS_PER_10K": 125}


def test_api_cycle_and_locked_value(client_as: ClientAs) -> None:
    rep, rep_token = client_as("demo-kw-reporter")
    sub_id = kw_submission_id(rep)
    api = f"/api/v1/submissions/{sub_id}"
    h = {"X-CSRF-Token": rep_token}
    invalid = rep.put(f"{api}/values/IND_PATENTS_PER_10K", json={"value": 2000, "version": 1}, headers=h)
    assert invalid.status_code == 422
    assert [e["reason_en"] for e in invalid.json()["errors"]][0] == \
        "Invention patents held per 10,000 people: 2000 is above the maximum 1000."
    assert rep.put(f"{api}/values/IND_PATENTS_PER_10K", json={"value": 125, "final": True, "version": 1},
                   headers=h).status_code == 200
    assert rep.put(f"{api}/values/IND_HNTE", json={"value": 1100, "version": 1}, headers=h).status_code == 200
    assert rep.post(f"{api}/transitions", json={"action": "submit"}, headers=h).json()["state"] == "submitted"
    rev, rev_token = client_as("demo-kw-reviewer")
    assert rev.post(f"{api}/transitions", json={"action": "dept_approve"},
                    headers={"X-CSRF-Token": rev_token}).json()["state"] == "dept_approved"
    app_, app_token = client_as("demo-approver")
    assert [x["id"] for x in app_.get("/api/v1/review-queue").json()] == [sub_id]
    assert app_.post(f"{api}/transitions", json={"action": "approve"},
                     headers={"X-CSRF-Token": app_token}).json()["state"] == "approved"
    locked = rep.put(f"{api}/values/IND_PATENTS_PER_10K", json={"value": 130, "version": 2}, headers=h)
    assert locked.status_code == 409 and locked.headers["content-type"] == "application/problem+json"
    assert "locked" in locked.json()["detail"]
    trail = rep.get(f"{api}/audit").json()
    assert trail[-1]["action"] == "refused" and trail[-1]["actor"] == "demo-kw-reporter"
    progress = rep.get("/api/v1/progress/indicators/IND_PATENTS_PER_10K").json()
    assert progress["assessment"]["status_zh"] == "快于预期" and progress["uses_demo_data"] is True
    history = rep.get("/api/v1/indicators/IND_PATENTS_PER_10K").json()["observations"]
    assert [(o["year"], o["value"], o["source_kind"]) for o in history] == [(2020, 99.04, "plan_text"),
                                                                            (2022, 125, "demo")]
