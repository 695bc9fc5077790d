"""Request bodies are limited before anything parses them (form, JSON, the CSRF check): a body above its
class's limit (JSON API 1 MB, forms 1 MB, uploads 32 MB by default) is refused with 413 — a declared one
without reading it, a chunked one as soon as the count passes the limit. Driven through the real app as
an ASGI server calls it, counting how much of the body the app took."""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import socket
from collections.abc import Iterator
from typing import Any

import anyio
from fastapi import FastAPI

from kechuang.core.settings import Settings
from kechuang.web.limits import upload_routes
from tests.conftest import REPO
from tests.support.server import serve_in_thread

CHUNK = b"x" * 65536
MB = 1024 * 1024


def call(app: FastAPI, method: str, path: str, content_type: str, chunks: Iterator[bytes], *,
         length: int | None = None, cookie: str = "") -> tuple[int, dict[str, str], bytes, int]:
    """Send a request to ``app`` over ASGI; (status, headers, body, bytes of the request body the app read)."""
    consumed = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal consumed
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", b"testserver"), (b"content-type", content_type.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "query_string": b"", "headers": headers, "client": ("127.0.0.1", 50000),
             "server": ("testserver", 80), "scheme": "http", "root_path": ""}
    # in a thread of its own: a browser test in the same process may have left an event loop running here
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, app, scope, receive, send).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, consumed


def test_the_classes_follow_the_routes(web_app: FastAPI) -> None:
    uploads = upload_routes(web_app)
    assert any(p.match("/submissions/7/upload") for p in uploads)
    assert any(p.match("/api/v1/submissions/7/workbook") for p in uploads)
    assert any(p.match("/supervision/3/reports") for p in uploads)
    assert not any(p.match("/login") or p.match("/submissions/7/values") for p in uploads)


def test_a_chunked_json_body_is_cut_at_the_limit_before_parsing(web_app: FastAPI) -> None:
    status, headers, body, consumed = call(web_app, "PUT", "/api/v1/submissions/1/values/IND_HNTE",
                                           "application/json", itertools.repeat(CHUNK))
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["limit"] == MB and json.loads(body)["kind"] == "json"
    assert MB < consumed <= MB + len(CHUNK), "reading stopped right after the limit"


def test_a_declared_100_mb_body_is_not_read_at_all(web_app: FastAPI) -> None:
    status, _, _, consumed = call(web_app, "PUT", "/api/v1/submissions/1/values/IND_HNTE", "application/json",
                                  itertools.repeat(CHUNK), length=100 * MB)
    assert (status, consumed) == (413, 0)
    status, _, body, consumed = call(web_app, "POST", "/login", "application/x-www-form-urlencoded",
                                     itertools.repeat(CHUNK), length=100 * MB)
    assert (status, consumed) == (413, 0), "a form is refused before the CSRF check parses it"
    assert "请求内容超过 1 MB 的上限" in body.decode()


def test_control_a_body_within_the_limit_reaches_the_app(web_app: FastAPI) -> None:
    small = iter([b"username=x&password=y&csrf_token=wrong"])
    status, _, body, consumed = call(web_app, "POST", "/login", "application/x-www-form-urlencoded", small)
    assert status == 403 and consumed > 0, "the CSRF check ran on the parsed form"


def test_multipart_gets_the_upload_limit_only_on_upload_routes(web_app: FastAPI) -> None:
    web_app.state.request_limits = Settings(max_upload_bytes=3 * MB, max_form_bytes=MB)
    ctype = "multipart/form-data; boundary=XyZ"
    head = (b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="t.xlsx"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n")

    def endless() -> Iterator[bytes]:
        return itertools.chain([head], itertools.repeat(CHUNK))

    status, _, _, consumed = call(web_app, "POST", "/login", ctype, endless())
    assert status == 413 and consumed <= MB + len(CHUNK), "multipart elsewhere is a form"
    status, _, _, consumed = call(web_app, "POST", "/submissions/1/upload", ctype, endless())
    assert status == 413 and 3 * MB < consumed <= 3 * MB + len(CHUNK) + len(head)
    part = head + b"y" * (2 * MB) + b"\r\n--XyZ--\r\n"
    status, _, _, consumed = call(web_app, "POST", "/submissions/1/upload", ctype, iter([part]))
    assert status == 403 and consumed == len(part), "within the limit: read whole, then the CSRF check refuses"


def test_over_a_real_socket_the_server_answers_413_without_the_body(web_app: FastAPI) -> None:
    with serve_in_thread(web_app) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"PUT /api/v1/submissions/1/values/IND_HNTE HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n" + b"{" * 1000)
            answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


def test_every_limit_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = [n for n in Settings.model_fields if n.startswith("max_")]
    assert len(names) == 3 and [n for n in names if f"`KECHUANG_{n.upper()}`" not in readme] == []
