"""Public opinions over HTTP (in-process): the form and its anti-spam checks, moderation by the plan office,
replies, escaping, the summary export and access control."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook

from kechuang.comments import service as comments
from kechuang.core import clock
from kechuang.web import portal
from tests.portal.conftest import PASSWORD, SETTINGS


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the comment form (CSRF and the signed timestamp)."""
    form = html[html.index('<form id="comment-form"'):]
    return dict(re.findall(r'name="(csrf_token|token)" value="([^"]*)"', form))


def post_comment(client: TestClient, kind: str, code: str, body: str = "", *, age: float = 10,
                 **extra: str) -> Response:
    """Send a comment with a valid form issued ``age`` seconds ago (the CSRF token from the opinions page)."""
    fields = {"csrf_token": csrf_of(client.get("/opinions/task/T1").text)}
    token = comments.issue_token(SETTINGS, kind, code, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age))
    data = {"csrf_token": fields["csrf_token"], "token": token, "body": body, "author_name": "", "website": "",
            **extra}
    return client.post(f"/opinions/{kind}/{code}", data=data, follow_redirects=False)


def login(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"csrf_token": csrf, "username": username, "password": PASSWORD, "next": ""},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def logout(client: TestClient) -> None:
    client.cookies.delete("kc_session")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_the_form_carries_csrf_token_signed_timestamp_and_a_hidden_honeypot(portal_client: TestClient) -> None:
    r = portal_client.get("/opinions/task/T1")
    assert r.status_code == 200
    assert "<h1><span class=\"kind\">任务</span> 持续深化区校融合发展</h1>" in r.text
    fields = form_fields(r.text)
    assert re.fullmatch(r"\d+\.[0-9a-f]{64}", fields["token"])
    assert fields["csrf_token"] == portal_client.cookies.get("kc_csrf"), "double-submit CSRF before login"
    assert '<div class="hp" aria-hidden="true">' in r.text and 'tabindex="-1"' in r.text
    assert 'maxlength="1000"' in r.text


def test_a_real_submission_waits_for_moderation(portal_client: TestClient) -> None:
    page = portal_client.get("/opinions/measure/T1.M1").text
    fields = form_fields(page)
    time.sleep(SETTINGS.comment_min_seconds + 0.1)  # a person takes longer than the minimum to write
    r = portal_client.post("/opinions/measure/T1.M1", data={**fields, "body": "建议公布区校合作项目清单。",
                                                            "author_name": "市民甲", "website": ""},
                           follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/opinions/measure/T1.M1?sent=1#comment-form"
    after = portal_client.get(r.headers["location"]).text
    assert "已收到您的意见，审核通过后将在本页公开。" in after
    assert "建议公布区校合作项目清单" not in after, "not shown before the plan office publishes it"


@pytest.mark.parametrize(("extra", "message"), [
    ({"website": "http://spam.example"}, "提交未被接受（疑似自动提交）。"),
    ({"body": "短"}, "意见需为 5–1000 个字，且不能含控制字符。"),
    ({"body": "a http://x.example b http://y.example c http://z.example"}, "一条意见最多包含 2 个网址。"),
])
def test_refusals_show_the_reason_and_keep_the_text(portal_client: TestClient, extra: dict[str, str],
                                                    message: str) -> None:
    r = post_comment(portal_client, "task", "T2", **{"body": "一条会被拒绝的意见", **extra})
    assert r.status_code == 400
    html = r.text
    assert f'<p class="error" role="alert" id="form-error">{message}</p>' in html
    if "body" in extra:
        assert ">" + extra["body"].replace("/", "/") + "</textarea>" in html


def test_a_form_sent_too_fast_is_refused(portal_client: TestClient) -> None:
    fields = form_fields(portal_client.get("/opinions/task/T3").text)
    r = portal_client.post("/opinions/task/T3", data={**fields, "body": "机器人立刻提交的内容"}, follow_redirects=False)
    assert r.status_code == 400
    assert "提交太快或页面已过期" in r.text


def test_posts_without_the_csrf_token_are_refused(portal_client: TestClient) -> None:
    token = comments.issue_token(SETTINGS, "task", "T4", dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10))
    r = portal_client.post("/opinions/task/T4", data={"token": token, "body": "没有CSRF令牌的提交"})
    assert r.status_code == 403


def test_unknown_items_are_404(portal_client: TestClient) -> None:
    assert portal_client.get("/opinions/task/T99").status_code == 404
    assert portal_client.get("/opinions/area/A1").status_code == 404
    assert post_comment(portal_client, "task", "T99", "对不存在的任务提意见").status_code == 404


def test_moderation_needs_the_plan_office(portal_client: TestClient) -> None:
    r = portal_client.get("/admin/opinions", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/opinions"
    login(portal_client, "kw")
    try:
        page = portal_client.get("/admin/opinions")
        assert page.status_code == 200 and "待审核" not in page.text, "a reviewer sees only the reply tab"
        r = portal_client.post("/admin/opinions/1/publish", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 403
    finally:
        logout(portal_client)


def test_submit_moderate_publish_reply_and_summary(portal_client: TestClient) -> None:
    script = "<script>window.__pwned = 1</script><b>粗体</b> =SUM(A1:A9)"
    assert post_comment(portal_client, "project", "T2.M1.P1", script, author_name="<i>访客</i>").status_code == 303
    assert post_comment(portal_client, "indicator", "IND_HNTE", "高企数量的口径请说明。").status_code == 303
    login(portal_client, "office")
    try:
        queue = portal_client.get("/admin/opinions?status=pending").text
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;b&gt;粗体&lt;/b&gt;" in queue
        assert "<script>window.__pwned" not in queue
        articles = dict(re.findall(r'<article class="comment moderation" id="c(\d+)"(.*?)</article>', queue, re.S))
        project_id = next(int(i) for i, a in articles.items() if "window.__pwned" in a)
        indicator_id = next(int(i) for i, a in articles.items() if "高企数量的口径" in a)
        csrf = csrf_of(queue)
        assert portal_client.post(f"/admin/opinions/{project_id}/publish", data={"csrf_token": csrf},
                                  follow_redirects=False).status_code == 303
        no_reason = portal_client.post(f"/admin/opinions/{indicator_id}/reject",
                                       data={"csrf_token": csrf, "reason": ""})
        assert no_reason.status_code == 400 and "不予公开需要填写理由" in no_reason.text
        assert portal_client.post(f"/admin/opinions/{indicator_id}/reject",
                                  data={"csrf_token": csrf, "reason": "请到指标页提问"},
                                  follow_redirects=False).status_code == 303
        published = portal_client.get("/admin/opinions?status=published").text
        kw_id = re.search(r'<option value="(\d+)"[^>]*>区科委</option>', published).group(1)  # type: ignore[union-attr]
        r = portal_client.post(f"/admin/opinions/{project_id}/reply",
                               data={"csrf_token": csrf, "body": "上海技术交易所已于2021年投入运营。",
                                     "department": kw_id}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/admin/opinions?status=published#c{project_id}"
    finally:
        logout(portal_client)
    page = portal_client.get("/opinions/project/T2.M1.P1").text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page and "<script>window" not in page
    assert '<span class="author">&lt;i&gt;访客&lt;/i&gt;</span>' in page
    assert "<strong>官方答复</strong>" in page and '<span class="dept">区科委</span>' in page
    assert "上海技术交易所已于2021年投入运营。" in page
    assert "高企数量的口径" not in portal_client.get("/opinions/indicator/IND_HNTE").text, "rejected: not shown"

    rows = list(csv.DictReader(io.StringIO(portal_client.get("/opinions/summary.csv").text)))
    t2 = next(r for r in rows if r["topic_code"] == "T2")
    assert (t2["number"], t2["title_zh"], t2["published"], t2["replied"]) == ("2", "提高科技成果转化效率", "1", "1")
    hnte = next(r for r in rows if r["topic_code"] == "IND_HNTE")
    assert (hnte["topic_kind"], hnte["received"], hnte["rejected"]) == ("indicator", "1", "1")
    assert [r["topic_code"] for r in rows[:12]] == [f"T{i}" for i in range(1, 13)]
    ws = load_workbook(io.BytesIO(portal_client.get("/opinions/summary.xlsx").content))["summary"]
    sheet = {row[1]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert sheet["T2"][6] == 1 and sheet["IND_HNTE"][8] == 1  # published, rejected

    data = portal_client.get("/opendata/comments.csv").text
    assert "'=SUM" not in data and "<script>window.__pwned = 1</script><b>粗体</b> =SUM(A1:A9)" in data
    assert "区科委" in data


def test_campaign_created_by_the_plan_office_collects_comments(portal_client: TestClient) -> None:
    login(portal_client, "office")
    try:
        csrf = csrf_of(portal_client.get("/admin/opinions").text)
        today = clock.today()
        bad = portal_client.post("/admin/opinions/campaigns", data={
            "csrf_token": csrf, "title_zh": "中期评估意见征集", "starts_on": today.isoformat(),
            "ends_on": (today - dt.timedelta(days=1)).isoformat()})
        assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.text
        r = portal_client.post("/admin/opinions/campaigns", data={
            "csrf_token": csrf, "title_zh": "中期评估意见征集", "title_en": "Mid-term evaluation consultation",
            "description_zh": "征集对规划实施情况的意见", "starts_on": (today - dt.timedelta(days=1)).isoformat(),
            "ends_on": (today + dt.timedelta(days=30)).isoformat()}, follow_redirects=False)
        assert r.status_code == 303
    finally:
        logout(portal_client)
    home = portal_client.get("/opinions").text
    campaign_id = re.search(r'id="campaign-(\d+)"', home).group(1)  # type: ignore[union-attr]
    assert "中期评估意见征集" in home and '<span class="state state-open">进行中</span>' in home
    assert "正在进行的意见征集" in portal_client.get("/opinions/task/T5").text
    assert post_comment(portal_client, "task", "T5", "征集期间提交的意见").status_code == 303
    rows = list(csv.DictReader(io.StringIO(portal_client.get(f"/opinions/summary.csv?campaign={campaign_id}").text)))
    assert [(r["topic_code"], r["received"], r["pending"]) for r in rows if r["received"] != "0"] == [("T5", "1", "1")]
    assert portal_client.get("/opinions/summary.csv?campaign=999").status_code == 404


def test_rate_limit_answers_429_with_retry_after(portal_client: TestClient) -> None:
    app = portal_client.app
    strict = SETTINGS.model_copy(update={"comment_rate_limit": 2})
    app.dependency_overrides[portal.comment_settings] = lambda: strict  # type: ignore[attr-defined]
    try:
        with TestClient(app, client=("203.0.113.50", 1)) as other:
            codes = [post_comment(other, "task", "T6", f"第{i}条限流测试意见").status_code for i in range(3)]
            assert codes == [303, 303, 429]
            refused = post_comment(other, "task", "T6", "第四条限流测试意见")
            assert refused.status_code == 429 and 590 <= int(refused.headers["Retry-After"]) <= 600
            assert "提交次数过多，请于" in refused.text
    finally:
        app.dependency_overrides[portal.comment_settings] = lambda: SETTINGS  # type: ignore[attr-defined]
