"""Uploaded workbooks are checked before they are parsed: the 166 KB decompression bomb (a million empty
rows, 56 MB of XML) is refused in under 2 s with the server's memory growing by less than 50 MB; rows,
columns, cell length and DOCTYPE declarations are limited; every refusal is a 422 naming the problem."""

from __future__ import annotations

import gc
import io
import re
import threading
import time
import zipfile
from collections.abc import Callable

import psutil
import pytest
from fastapi.testclient import TestClient

from kechuang.core.spreadsheet import ReadLimits, SpreadsheetRejected, check_xlsx

SHEET_XML = "xl/worksheets/sheet1.xml"
SST_XML = "xl/sharedStrings.xml"


def rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook ``data`` with one zip part changed, or added as ``change(b"")`` (compressed as tightly as
    zip allows)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                    compresslevel=9) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, change(body) if info.filename == part else body)
        if part not in src.namelist():
            dst.writestr(part, change(b""))
    return out.getvalue()


def before_sheet_end(extra: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)


def million_empty_rows(xml: bytes) -> bytes:
    """A million empty rows (rows without ``r`` follow the previous one), 56 bytes each."""
    return before_sheet_end(b'<row spans="1:9" ht="15" customHeight="1" hidden="0"/>\n' * 1_000_000)(xml)


class Upload:
    """A reporter's client on submission ``sub_id`` with its template."""

    def __init__(self, client: TestClient, csrf: str, sub_id: int) -> None:
        self.client, self.csrf, self.sub_id = client, csrf, sub_id
        self.template = client.get(f"/submissions/{sub_id}/template.xlsx").content

    def page(self, data: bytes):  # type: ignore[no-untyped-def]
        return self.client.post(f"/submissions/{self.sub_id}/upload", data={"csrf_token": self.csrf},
                                files={"file": ("t.xlsx", data)}, follow_redirects=False)

    def api(self, data: bytes):  # type: ignore[no-untyped-def]
        return self.client.post(f"/api/v1/submissions/{self.sub_id}/workbook", headers={"X-CSRF-Token": self.csrf},
                                files={"file": ("t.xlsx", data)})


@pytest.fixture
def upload(client_as) -> Upload:  # type: ignore[no-untyped-def]
    client, csrf = client_as("demo-kw-reporter")
    found = re.search(r'href="/submissions/(\d+)"', client.get("/inbox").text)
    assert found
    return Upload(client, csrf, int(found.group(1)))


def peak_rss_during(action: Callable[[], object]) -> tuple[object, float, int]:
    """Run ``action``; its result, the seconds it took and the peak growth of this process's RSS (bytes)."""
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    try:
        result = action()
    finally:
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    return result, seconds, max(peak[0], proc.memory_info().rss) - base


def test_the_decompression_bomb_is_refused_fast_and_small(upload: Upload) -> None:
    bomb = rewrite(upload.template, SHEET_XML, million_empty_rows)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        inflated = zf.getinfo(SHEET_XML).file_size
    assert len(bomb) < 200_000 and inflated > 55_000_000, (len(bomb), inflated)
    assert upload.page(upload.template).status_code == 303, "control: the template itself is accepted"
    assert upload.page(b"not a workbook").status_code == 422  # the error page is compiled before measuring
    gc.collect()
    r, seconds, grown = peak_rss_during(lambda: upload.page(bomb))
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "解压后" in r.text and "压缩炸弹" in r.text  # type: ignore[attr-defined]
    assert seconds < 2, seconds
    assert grown < 50 * 1024 * 1024, grown / 1024 / 1024
    api = upload.api(bomb)
    assert api.status_code == 422 and api.headers["content-type"] == "application/problem+json"
    [error] = api.json()["errors"]
    assert "decompression bomb" in error["reason_en"] and error["field"] == "file"


@pytest.mark.parametrize(("part", "change", "zh", "en"), [
    (SHEET_XML, before_sheet_end(b'<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row>'),
     "超过上限 10000 行", "beyond the limit of 10000 rows"),
    (SHEET_XML, before_sheet_end(b'<row r="20"><c r="ZZ20" t="n"><v>1</v></c></row>'),
     "超过上限 100 列", "beyond the limit of 100"),
    (SHEET_XML, before_sheet_end(b'<row r="20"><c r="B20" t="inlineStr"><is><t>' + b"x" * 40_000
                                 + b"</t></is></c></row>"), "超过 32767 个字符", "more than 32767 characters"),
    (SHEET_XML, lambda xml: b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">'
                            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + xml,
     "DOCTYPE/ENTITY", "DOCTYPE/ENTITY declaration"),
    (SST_XML, lambda _: b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
                        + b"y" * 40_000 + b"</t></si></sst>",
     "超过 32767 个字符", "more than 32767 characters"),
    (SHEET_XML, lambda xml: xml[: len(xml) // 2], "不是有效的 Excel", "not a valid .xlsx workbook"),
])
def test_each_limit_is_a_422_naming_the_problem(upload: Upload, part: str, change: Callable[[bytes], bytes],
                                               zh: str, en: str) -> None:
    bad = rewrite(upload.template, part, change)
    r = upload.page(bad)
    assert r.status_code == 422 and zh in r.text
    api = upload.api(bad)
    assert api.status_code == 422 and en in api.json()["errors"][0]["reason_en"]
    assert upload.page(upload.template).status_code == 303, "control: the unchanged template is accepted"


def test_limits_of_the_zip_itself() -> None:
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for n in range(6):
            zf.writestr(f"p{n}.bin", b"")
    with pytest.raises(SpreadsheetRejected, match="holds 6 parts, more than 5"):
        check_xlsx(many.getvalue(), ReadLimits(max_entries=5))
    with pytest.raises(SpreadsheetRejected, match="exceeds 1 MB"):
        check_xlsx(b"x" * (1024 * 1024 + 1), ReadLimits(max_bytes=1024 * 1024))
    with pytest.raises(SpreadsheetRejected, match="not a valid .xlsx"):
        check_xlsx(b"PK\x03\x04 not really a zip")
    check_xlsx(many.getvalue())
