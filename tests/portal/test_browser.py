"""The portal in a real browser (Playwright + Debian Chromium): the map draws, a CSV download equals the
table on the page, a comment goes from submission through moderation to an official reply, HTML in a
comment stays inert, the form works from the keyboard, and axe-core finds no serious or critical
accessibility violations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.portal.conftest import PASSWORD, SETTINGS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"
REPLY = "上海技术交易所的交易数据按季度在其网站公布。<script>x</script>"
HOSTILE = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">请公开交易数据 & 说明'


def painted_pixels(page, selector: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("""(sel) => {
        const c = document.querySelector(sel);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n; }""", selector))


def test_map_draws_districts_and_places_offline(page, portal_server: str) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(portal_server + "/map")
    page.wait_for_selector("#map-chart[data-ready='1']", timeout=15000)
    canvas = page.locator("#map-chart canvas")
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert painted_pixels(page, "#map-chart canvas") > 20000
    assert page.evaluate("() => echarts.getMap('district').geoJSON.features.length") == 4
    points = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('map-chart')).getOption()"
                           ".series.reduce((n, s) => n + s.data.length, 0)")
    assert points == 23
    assert all(u.startswith(portal_server) for u in requested), "no tile server, no CDN"
    assert errors == []
    assert page.locator("#places-table tbody tr").count() == 28


def test_csv_download_equals_the_table_on_the_page(page, portal_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(portal_server + "/opendata/tasks")
    header = page.locator("#data thead th").evaluate_all("ths => ths.map(th => th.dataset.field)")
    shown = page.locator("#data tbody tr").evaluate_all(
        "trs => trs.map(tr => Array.from(tr.cells).map(td => td.textContent))")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "tasks.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == header
    assert rows[1:] == shown
    assert len(shown) == 12 and shown[0][:3] == ["T1", "1", "持续深化区校融合发展"]


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


def test_comment_submit_moderate_publish_reply_with_html_inert(browser, portal_server: str) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    visitor = browser.new_context(locale="zh-CN")
    office = browser.new_context(locale="zh-CN")
    try:
        v = visitor.new_page()
        v.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        v.goto(portal_server + "/opinions/project/T2.M1.P1")
        v.fill("#author_name", "<b>市民乙</b>")
        v.fill("#body", HOSTILE)
        v.wait_for_timeout(SETTINGS.comment_min_seconds * 1000 + 100)
        v.click("#comment-form button[type=submit]")
        v.wait_for_url("**/opinions/project/T2.M1.P1?sent=1#comment-form")
        assert v.locator("#sent").inner_text() == "已收到您的意见，审核通过后将在本页公开。"
        assert v.locator("article.comment").count() == 0

        o = office.new_page()
        o.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(o, portal_server, "office")
        o.goto(portal_server + "/admin/opinions")
        card = o.locator("article.comment", has_text="请公开交易数据")
        assert card.locator(".comment-body").inner_text() == HOSTILE, "shown literally to the moderator"
        assert o.evaluate("() => window.__pwned") is None
        card.get_by_role("button", name="公开", exact=True).click()
        o.wait_for_url("**/admin/opinions?status=pending")
        o.goto(portal_server + "/admin/opinions?status=published")
        card = o.locator("article.comment", has_text="请公开交易数据")
        card.locator("textarea[name=body]").fill(REPLY)
        card.locator("select[name=department]").select_option(label="区科委")
        card.get_by_role("button", name="发布答复").click()
        o.wait_for_url("**/admin/opinions?status=published#c*")

        v.goto(portal_server + "/opinions/project/T2.M1.P1")
        comment = v.locator("article.comment")
        assert comment.count() == 1
        assert comment.locator(".author").inner_text() == "<b>市民乙</b>"
        assert comment.locator(".comment-body").inner_text() == HOSTILE
        assert comment.locator(".reply .dept").inner_text() == "区科委"
        assert comment.locator(".reply-body").inner_text() == REPLY
        assert comment.locator("img, b, script").count() == 0, "no element made from the comment's text"
        assert v.evaluate("() => window.__pwned") is None
        assert dialogs == []
    finally:
        visitor.close()
        office.close()


def test_comment_form_by_keyboard_skips_the_honeypot(page, portal_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(portal_server + "/opinions/task/T1")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "跳到正文"
    page.focus("#comment-form button[type=submit]")
    page.focus("#author_name")
    order = []
    for _ in range(3):
        order.append(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))
        page.keyboard.press("Tab")
    assert order == ["author_name", "body", "BUTTON"]
    page.focus("#author_name")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.id") != "website"


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # evaluated by the browser, outside the page's CSP
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", ["/", "/tasks/T1", "/map", "/projects", "/coverage", "/opinions",
                                  "/opinions/task/T1", "/opinions/project/T2.M1.P1", "/opendata", "/opendata/tasks",
                                  "/map?lang=en"])
def test_axe_finds_no_serious_violations(page, portal_server: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(portal_server + path)
    if path.startswith("/map"):
        page.wait_for_selector("#map-chart[data-ready='1']", timeout=15000)
    assert axe_violations(page) == []


def test_axe_on_the_moderation_page(browser, portal_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN")
    try:
        p = context.new_page()
        login(p, portal_server, "office")
        for status in ("pending", "published"):
            p.goto(f"{portal_server}/admin/opinions?status={status}")
            assert axe_violations(p) == []
    finally:
        context.close()


def test_the_axe_check_does_catch_violations(page, portal_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(portal_server + "/opendata")
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<img src=\"/static/favicon.svg\"><button></button>')")
    found = axe_violations(page)
    assert [v.split(" ")[0] for v in found] == ["button-name", "image-alt"]
