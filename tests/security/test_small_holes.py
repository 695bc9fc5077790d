"""The smaller holes of the attack report: no 500 on a non-ASCII CSRF token, an id beyond the id columns,
an unknown ``?done=`` word or a download name with a quote or Chinese characters; viewers cannot
generate reports (5 s of server time each)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from kechuang.web.downloads import ascii_fallback, attachment

PARAM = re.compile(r';\s*([\w*]+)=("(?:[^"\\]|\\.)*"|[^;]*)')


def disposition(header: str) -> list[tuple[str, str]]:
    """The parameters of a Content-Disposition header (RFC 6266 grammar: token or quoted string values)."""
    return PARAM.findall(header)


def test_a_non_ascii_csrf_token_is_a_403_not_a_500(web_app: FastAPI) -> None:
    with TestClient(web_app) as client:
        client.get("/login")
        for token in ("令牌", "é" * 40, "\u202e"):
            r = client.post("/login", data={"username": "x", "password": "y", "csrf_token": token})
            assert r.status_code == 403, token
        r = client.post("/api/v1/submissions/1/transitions", json={"action": "submit"},
                        headers={"X-CSRF-Token": "é".encode("latin-1")})
        assert r.status_code in (401, 403)


@pytest.mark.parametrize("path", ["/submissions/9223372036854775808", "/submissions/99999999999999999999999",
                                  "/api/v1/submissions/2147483648", "/supervision/9223372036854775807",
                                  "/api/v1/submissions/-9223372036854775809", "/versions?a=9223372036854775808&b=1",
                                  "/opinions/summary.csv?campaign=99999999999999999999"])
def test_an_id_beyond_the_columns_is_a_404(client_as, path: str) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_as("demo-admin")
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert client.get("/submissions/2147483647").status_code == 404, "control: the largest id is looked up"


def test_an_unknown_done_word_shows_no_message(client_as) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_as("demo-kw-reporter")
    sub = re.search(r'href="/submissions/(\d+)"', client.get("/inbox").text)
    assert sub
    assert client.get(f"/submissions/{sub.group(1)}?done=<b>x</b>").status_code == 200
    assert 'id="flash"' in client.get(f"/submissions/{sub.group(1)}?done=submit").text, "control: a real action"


def test_download_names_cannot_inject_and_may_be_chinese() -> None:
    header = attachment('科委"; filename=evil.html.xlsx')["Content-Disposition"]
    [(plain, fallback), (star, encoded)] = disposition(header)
    assert (plain, fallback, star) == ("filename", '"____ filename=evil.html.xlsx"', "filename*")
    assert unquote(encoded.removeprefix("UTF-8''")) == '科委"; filename=evil.html.xlsx'
    header.encode("latin-1")  # sendable
    assert ascii_fallback("../../etc/passwd") == ".._.._etc_passwd" and ascii_fallback("报告") == "__"
    assert ascii_fallback("") == "download"


def test_a_template_of_a_chinese_department_code_downloads(client_as, web_app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    with web_app.state.sessions() as s:
        s.execute(text("UPDATE department SET code = '科委\"x' WHERE code = 'KW'"))
        s.commit()
    client, _ = client_as("demo-kw-reporter")
    sub = re.search(r'href="/submissions/(\d+)"', client.get("/inbox").text)
    assert sub
    r = client.get(f"/submissions/{sub.group(1)}/template.xlsx")
    assert r.status_code == 200
    [(plain, fallback), (star, encoded)] = disposition(r.headers["content-disposition"])
    assert (plain, fallback, star) == ("filename", f'"kechuang-2022-___x-{sub.group(1)}.xlsx"', "filename*")
    assert unquote(encoded.removeprefix("UTF-8''")) == f'kechuang-2022-科委"x-{sub.group(1)}.xlsx'


def test_viewers_cannot_generate_reports(client_as) -> None:  # type: ignore[no-untyped-def]
    viewer, token = client_as("demo-viewer")
    page = viewer.get("/reports")
    assert page.status_code == 200 and 'id="report-form"' not in page.text, "the packs are readable, no button"
    r = viewer.post("/reports", data={"kind": "midterm", "year": "2023", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403
    approver, token = client_as("demo-approver")
    assert 'id="report-form"' in approver.get("/reports").text
    r = approver.post("/reports", data={"kind": "nonsense", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 400, "control: the approver passes the role check (and gets the kind refused)"
