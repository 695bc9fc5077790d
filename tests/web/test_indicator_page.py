"""The public indicator page: chart, downloads equal to the table shown."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient

URL = "/monitoring/indicators/IND_PATENTS_PER_10K"


def _table_rows(html: str) -> list[tuple[str, str]]:
    body = html.split('<table id="history">')[1].split("</table>")[0]
    row = r'<tr data-year="(\d+)"[^>]*><td>[^<]*</td><td class="num">([^<]+)</td>'
    return list(re.findall(row, body))


def test_history_downloads_equal_the_table(client: TestClient) -> None:
    html = client.get(URL).text
    shown = _table_rows(html)
    assert shown == [("2020", "99.04")]
    rows = list(csv.DictReader(io.StringIO(client.get(URL + "/history.csv").text)))
    assert [(r["year"], r["value"]) for r in rows] == shown
    assert rows[0]["source_kind"] == "plan_text" and "杨府发〔2021〕3号" in rows[0]["source"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(URL + "/history.xlsx").content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(v["year"], v["value"]) for v in values] == [(2020, 99.04)]
    assert client.get(URL + "/history.json").json()
    assert client.get(URL + "/history.pdf").status_code == 404


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_indicator_chart_renders(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server + URL)
    page.locator("#indicator-chart[data-ready='1'] svg").wait_for()  # drawn as SVG: its labels are text
    drawn = page.evaluate("() => document.querySelectorAll('#indicator-chart svg path').length")
    assert drawn > 5
    assert "2020" in page.locator("#indicator-chart svg").text_content()  # the baseline year on the axis
