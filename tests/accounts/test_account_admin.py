"""The plan office administers accounts: no role is preselected for a new account (least privilege is a
choice, not a default), roles and departments can be changed (audited; never one's own role), and a reset
password must be replaced at the next login before the account can do anything."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from kechuang.accounts.models import Account
from tests.monitoring.web import client_as, csrf_of, login, web_app  # noqa: F401

ClientAs = Callable[[str], tuple[TestClient, str]]


def account_id(c: TestClient, username: str) -> int:
    page = c.get("/admin/accounts").text
    found = re.search(rf'action="/admin/accounts/(\d+)" class="inline-form" id="edit-{username}"', page)
    assert found, username
    return int(found.group(1))


def test_new_account_has_no_default_role(client_as: ClientAs) -> None:  # noqa: F811
    admin, token = client_as("demo-admin")
    page = admin.get("/admin/accounts").text
    new = page[page.index('id="new-account"'):]
    role_select = new[new.index('<select name="role"'):new.index("</select>")]
    assert '<option value="" selected disabled>— 请选择角色 —</option>' in role_select
    assert role_select.count(" selected") == 1, "no role preselected, least of all admin"
    r = admin.post("/admin/accounts", data={"csrf_token": token, "username": "zhang", "password": "zhang-password-1",
                                            "role": ""})
    assert r.status_code == 400 and "choose a role" in r.text
    assert "zhang" not in admin.get("/admin/accounts").text
    r = admin.post("/admin/accounts", data={"csrf_token": token, "username": "zhang", "password": "zhang-password-1",
                                            "role": "viewer"}, follow_redirects=False)
    assert r.status_code == 303 and "账号已创建。" in admin.get(r.headers["location"]).text


def test_role_and_department_are_edited_and_audited(web_app: FastAPI, client_as: ClientAs) -> None:  # noqa: F811
    admin, token = client_as("demo-admin")
    sw_reporter = account_id(admin, "demo-sw-reporter")
    page = admin.get("/admin/accounts").text
    kw = re.search(r'<option value="(\d+)">区科委（演示）</option>', page)
    assert kw
    r = admin.post(f"/admin/accounts/{sw_reporter}", data={"csrf_token": token, "role": "reviewer",
                                                            "department_id": kw.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    moved, _ = client_as("demo-sw-reporter")
    me = moved.get("/api/v1/me").json()
    assert (me["role"], me["department"]) == ("reviewer", "区科委（演示）"), "takes effect at once"
    audit = admin.get("/api/v1/audit?entity=account").json()
    changed = [(a["field"], a["old"], a["new"]) for a in audit if a["entity_id"] == str(sw_reporter)
               and a["action"] == "update"]
    assert sorted(c[0] for c in changed) == ["department_id", "role"]
    assert ("role", "reporter", "reviewer") in changed
    r = admin.post(f"/admin/accounts/{sw_reporter}", data={"csrf_token": token, "role": "reporter",
                                                            "department_id": ""})
    assert r.status_code == 400 and "acts for a department" in r.text
    with web_app.state.sessions() as s:
        admin_id = s.scalar(select(Account.id).where(Account.username == "demo-admin"))
    r = admin.post(f"/admin/accounts/{admin_id}", data={"csrf_token": token, "role": "viewer", "department_id": ""})
    assert r.status_code == 403 and "cannot change their own role" in r.text
    assert admin.get("/api/v1/me").json()["role"] == "admin"


def test_reset_password_forces_a_new_one_at_the_next_login(web_app: FastAPI, client_as: ClientAs) -> None:  # noqa: F811
    admin, token = client_as("demo-admin")
    reporter, _ = client_as("demo-kw-reporter")
    assert reporter.get("/api/v1/me").status_code == 200
    target = account_id(admin, "demo-kw-reporter")
    r = admin.post(f"/admin/accounts/{target}/password", data={"csrf_token": token, "password": "temporary-123"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert "下次登录须改密码" in admin.get("/admin/accounts").text
    assert reporter.get("/api/v1/me").status_code == 401, "the account's sessions ended"
    with TestClient(web_app) as c:
        page = c.get("/login")
        r = c.post("/login", data={"username": "demo-kw-reporter", "password": "temporary-123",
                                   "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert r.status_code == 200 and "设置新密码" in r.text and "kc_session" not in r.headers.get("set-cookie", "")
        assert c.get("/inbox", follow_redirects=False).status_code == 303, "no session with the temporary password"
        form = {"csrf_token": csrf_of(r.text), "username": "demo-kw-reporter", "current": "temporary-123"}
        again = c.post("/login/new-password", data={**form, "new": "temporary-123"}, follow_redirects=False)
        assert again.status_code == 400 and "新密码不能与当前密码相同。" in again.text
        wrong = c.post("/login/new-password", data={**form, "current": "guess-guess-1", "new": "my-own-pass-77"})
        assert wrong.status_code == 401
        ok = c.post("/login/new-password", data={**form, "new": "my-own-pass-77"}, follow_redirects=False)
        assert (ok.status_code, ok.headers["location"]) == (303, "/inbox")
        assert c.get("/inbox").status_code == 200
    with TestClient(web_app) as c:
        login(c, "demo-kw-reporter", "my-own-pass-77")
        assert c.get("/inbox").status_code == 200, "a normal login from now on"
    audit = admin.get("/api/v1/audit?entity=account").json()
    actions = [(a["action"], a["actor"]) for a in audit if a["entity_id"] == str(target)]
    assert ("reset_password", "demo-admin") in actions and ("change_password", "demo-kw-reporter") in actions
