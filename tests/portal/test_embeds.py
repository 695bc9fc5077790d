"""Embeds and permalinks: each indicator's chart as a page of its own (…/embed, for an iframe) and as an SVG
drawn on the server (…/chart.svg), each with the source and the date of the data, years as plain years, the demo
label where demo values went in, and the indicator's stable address; the indicator page offers both."""

from __future__ import annotations

from fastapi.testclient import TestClient
from lxml import etree, html

from kechuang.demo.seed import HISTORY
from tests.portal.test_indicator_list import LATEST_YEAR, PATENTS

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(client: TestClient, code: str, lang: str) -> list[str]:
    r = client.get(f"/monitoring/indicators/{code}/chart.svg", params={"lang": lang})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    root = etree.fromstring(r.content)  # well-formed SVG
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_the_chart_as_svg_says_source_date_and_years_plainly(demo_client: TestClient) -> None:
    zh = svg_texts(demo_client, PATENTS, "zh")
    assert zh[0].startswith("每万人发明专利拥有量")
    years = sorted(y for y in HISTORY["每万人发明专利拥有量"] if y <= LATEST_YEAR)
    assert str(years[0]) in zh and str(LATEST_YEAR) in zh and not any("," in t and t[:1] == "2" for t in zh)
    assert any(t.startswith("来源：") and f"数据截至 {LATEST_YEAR}" in t and "演示数据" in t for t in zh), zh
    assert any(t.startswith("目标 ") for t in zh)  # the demo target as a point
    en = svg_texts(demo_client, PATENTS, "en")
    assert any(t.startswith("Source: ") and f"data as of {LATEST_YEAR}" in t and "demo data" in t for t in en), en
    # control: an indicator without values says so instead of drawing an empty line
    assert "尚无数据" in svg_texts(demo_client, "IDX_Brand", "zh") and "尚无数据" not in zh  # a sub-index: no values


def test_the_embed_page_and_the_indicator_page_link_each_other(demo_client: TestClient) -> None:
    r = demo_client.get(f"/monitoring/indicators/{PATENTS}/embed", params={"lang": "zh"})
    assert r.status_code == 200
    page = html.fromstring(r.text)
    assert page.xpath("//header") == []  # the chart alone, without the site's menu
    assert page.xpath("//figure[@id='embed-chart']/*[local-name()='svg']")
    assert page.xpath("//a[@id='permalink']/@href") == [f"/monitoring/indicators/{PATENTS}?lang=zh"]
    assert f"数据截至 {LATEST_YEAR}" in page.xpath("//figcaption")[0].text_content()
    ind = html.fromstring(demo_client.get(f"/monitoring/indicators/{PATENTS}", params={"lang": "zh"}).text)
    assert ind.xpath("//a[@id='chart-embed']/@href") == [f"/monitoring/indicators/{PATENTS}/embed?lang=zh"]
    assert ind.xpath("//a[@id='chart-svg']/@href") == [f"/monitoring/indicators/{PATENTS}/chart.svg?lang=zh"]
    assert "<iframe" in ind.xpath("//details[@class='embed-code']//code")[0].text_content()
    assert demo_client.get("/monitoring/indicators/NO_SUCH/embed").status_code == 404  # control
