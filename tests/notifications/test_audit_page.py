"""The /audit page for people: codes and values in words in both languages, filters by who, what, when and
department, and the filtered rows as CSV and XLSX; a bad filter is refused with the filter named."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from kechuang.core.spreadsheet import open_xlsx

ClientAs = Callable[[str], tuple[TestClient, str]]


def _cells(page: str, cell: str) -> list[str]:
    return re.findall(rf'<td data-cell="{cell}"(?: class="[^"]*")?>([^<]*)</td>', page)


def test_values_and_codes_are_in_words_in_both_languages(client_as: ClientAs) -> None:
    admin, _ = client_as("demo-admin")
    zh = admin.get("/audit", params={"lang": "zh", "entity": "account"}).text
    news = _cells(zh, "new")
    assert any("用户名：demo-kw-reporter；角色：部门填报员；" in n and "演示数据：是" in n for n in news), news[:3]
    assert not any("{" in n or "'" in n for n in news), "no Python dict left"
    assert set(_cells(zh, "department")) >= {"区科委（演示）", ""}
    en = admin.get("/audit", params={"lang": "en", "entity": "account"}).text
    assert any("user name: demo-kw-reporter; role: Department reporter;" in n and "demo: yes" in n
               for n in _cells(en, "new"))


def test_filters_by_who_what_when_and_department(client_as: ClientAs) -> None:
    admin, token = client_as("demo-admin")
    made = admin.post("/admin/accounts", data={"csrf_token": token, "username": "li", "password": "li-password-12",
                                               "role": "viewer"}, follow_redirects=False)
    assert made.status_code == 303
    every = admin.get("/audit").text
    assert {"system", "demo-admin"} <= set(re.findall(r"<td><code>([\w-]+)</code> <span class=\"note\">", every))
    by_admin = admin.get("/audit", params={"who": "demo-admin"}).text
    assert set(re.findall(r"<td><code>([\w-]+)</code> <span class=\"note\">", by_admin)) == {"demo-admin"}
    targets = admin.get("/audit", params={"action": "set_target"}).text
    assert set(re.findall(r'data-action="(\w+)"', targets)) == {"set_target"}
    assert len(re.findall(r'data-action="', every)) > len(re.findall(r'data-action="', targets)) > 0
    kw = re.search(r'<option value="(\d+)">区科委（演示）</option>', every)
    assert kw
    kw_only = admin.get("/audit", params={"department": kw.group(1), "entity": "account"}).text
    assert set(_cells(kw_only, "department")) == {"区科委（演示）"} and len(_cells(kw_only, "department")) == 2
    assert "<td colspan=\"8\">" in admin.get("/audit", params={"since": "2999-01-01"}).text  # nothing that late
    assert 'data-action="' in admin.get("/audit", params={"since": "2000-01-01", "until": "2999-12-31"}).text
    bad = admin.get("/audit", params={"since": "2023-13-01"})
    assert bad.status_code == 400 and "since: &#39;2023-13-01&#39; is not a date of the form YYYY-MM-DD" in bad.text


def test_export_as_csv_and_xlsx_with_the_filters(client_as: ClientAs) -> None:
    admin, _ = client_as("demo-admin")
    page = admin.get("/audit", params={"action": "set_target", "lang": "zh"}).text
    shown = len(re.findall(r'data-action="set_target"', page))
    r = admin.get("/audit", params={"action": "set_target", "format": "csv", "lang": "zh"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert table[0][:4] == ["时间", "操作人", "角色", "动作"] and len(table) == shown + 1
    assert {row[3] for row in table[1:]} == {"设定目标"}
    x = admin.get("/audit", params={"action": "set_target", "format": "xlsx", "lang": "en"})
    ws = open_xlsx(x.content).active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    assert values[0][3] == "Action" and len(values) == shown + 1 and {v[3] for v in values[1:]} == {"target set"}
    assert admin.get("/audit", params={"format": "pdf"}).status_code == 400


def test_a_department_sees_and_exports_only_its_own(client_as: ClientAs) -> None:
    reporter, _ = client_as("demo-sw-reporter")
    r = reporter.get("/audit", params={"format": "csv", "lang": "zh"})
    departments = {row[6] for row in list(csv.reader(io.StringIO(r.content.decode("utf-8"))))[1:]}
    assert departments and departments <= {"区商务委（演示）", ""}
