"""Who is asking, and may they: the session cookie, CSRF protection, role and department checks, and
the translation of the services' typed errors into HTTP answers (pages: a page or a redirect to the login;
``/api/``: problem+json).

``install(app)`` must run before the routers are included: it adds :func:`security_context` as a
dependency of every route, so every route knows its principal and every unsafe request (POST, PUT,
PATCH, DELETE) must carry the CSRF token — in the form field ``csrf_token`` or the ``X-CSRF-Token``
header. Logged in, the token is the session's; before login it is the ``kc_csrf`` cookie's (double submit).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kechuang.accounts import service as accounts
from kechuang.audit.service import RecordedRefusal
from kechuang.core.access import PLAN_OFFICE, Forbidden, NotAuthenticated, NotFound, Principal, Role, StaleEdit
from kechuang.core.settings import Settings, get_settings
from kechuang.indicators.profile_service import ProfileError
from kechuang.submissions.service import SubmissionError, ValidationFailed
from kechuang.supervision.service import SupervisionError
from kechuang.web.pages import render

SESSION_COOKIE = "kc_session"
CSRF_COOKIE = "kc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _resolve(request: Request, token: str) -> accounts.ResolvedSession | None:
    with request.app.state.sessions() as s:
        return accounts.resolve_session(s, token)


MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL


def _beyond_ids(request: Request) -> str | None:
    """The first path or query parameter that is an integer no database id can be (|n| > 2^31 - 1)."""
    for name, value in [*request.path_params.items(), *request.query_params.items()]:
        digits = value.lstrip("+-") if isinstance(value, str) else ""
        if digits.isascii() and digits.isdigit() and (len(digits) > 10 or int(digits) > MAX_ID):
            return name
    return None


async def security_context(request: Request) -> None:
    """Set ``request.state.principal`` (or None) and ``request.state.csrf``; refuse unsafe requests whose
    CSRF token is missing or wrong (403). An id beyond the id columns' range is "not found" (404) before any
    query: no object has it, and the databases cannot even compare it."""
    token = request.cookies.get(SESSION_COOKIE)
    resolved = await run_in_threadpool(_resolve, request, token) if token else None
    request.state.principal = resolved.principal if resolved else None
    request.state.department_name = resolved.department_name if resolved else ""
    request.state.department_name_en = resolved.department_name_en if resolved else ""
    request.state.csrf = resolved.csrf_token if resolved else request.cookies.get(CSRF_COOKIE, "")
    # rendered without a session and without a CSRF token: nothing personal, the page cache may share it
    request.state.public = resolved is None and not request.state.csrf
    beyond = _beyond_ids(request)
    if beyond is not None:
        raise NotFound(f"no object with this {beyond}")
    if request.method not in UNSAFE:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    expected = request.state.csrf
    # compared as bytes: compare_digest refuses non-ASCII str (a 500 on a forged token otherwise)
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


def account_settings(request: Request) -> Settings:
    return request.app.state.account_settings  # type: ignore[no-any-return]


def db(request: Request) -> Iterator[Session]:
    """A session for one request. Routes commit their writes themselves (before the response is sent);
    when a service refused an action and recorded the refusal, the record is committed here."""
    with request.app.state.sessions() as session:
        try:
            yield session
        except RecordedRefusal:
            session.commit()
            raise


def principal(request: Request) -> Principal:
    """The logged-in principal (NotAuthenticated otherwise)."""
    who = getattr(request.state, "principal", None)
    if who is None:
        raise NotAuthenticated("please log in")
    return who  # type: ignore[no-any-return]


def require(*roles: Role) -> Callable[[Request], Principal]:
    """A dependency: the logged-in principal, who must have one of ``roles`` (any role when none given)."""

    def dependency(request: Request) -> Principal:
        who = principal(request)
        if roles:
            who.require_role(*roles, action=f"{request.method} {request.url.path}")
        return who

    return dependency


plan_office = require(*PLAN_OFFICE)
admin_only = require(Role.ADMIN)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
                        status_code=status, media_type="application/problem+json")


def error_page(request: Request, status: int, title_key: str, detail: str) -> HTMLResponse:
    return render(request, "monitoring/error.html", status_code=status, title_key=title_key, detail=detail)


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        secure=settings.secure_cookies, samesite="lax", path="/")


def install(app: FastAPI) -> None:
    """Add the security context to every route included afterwards, the settings, and the error handlers."""
    app.router.dependencies.append(Depends(security_context))
    app.state.account_settings = get_settings()
    app.state.supervision_settings = get_settings()

    def handler(status: int, title: str, title_key: str) -> Callable[[Request, Exception], Response]:
        def handle(request: Request, exc: Exception) -> Response:
            if is_api(request):
                return problem(status, title, str(exc))
            return error_page(request, status, title_key, str(exc))

        return handle

    @app.exception_handler(NotAuthenticated)
    def _login(request: Request, exc: NotAuthenticated) -> Response:
        if is_api(request):
            return problem(401, "Unauthorized", str(exc))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(ValidationFailed)
    def _invalid(request: Request, exc: ValidationFailed) -> Response:
        errors = [{"indicator": p.code, "field": p.field, "sheet": p.sheet, "cell": p.cell, "reason_zh": p.reason_zh,
                   "reason_en": p.reason_en} for p in exc.problems]
        if is_api(request):
            return problem(422, "Validation failed", str(exc), errors=errors)
        return error_page(request, 422, "validation_failed", str(exc))

    app.add_exception_handler(Forbidden, handler(403, "Forbidden", "forbidden"))
    app.add_exception_handler(NotFound, handler(404, "Not Found", "not_found"))
    app.add_exception_handler(RecordedRefusal, handler(409, "Refused", "refused"))
    app.add_exception_handler(StaleEdit, handler(409, "Conflict", "conflict"))
    for bad in (SubmissionError, SupervisionError, ProfileError, accounts.AccountError):
        app.add_exception_handler(bad, handler(400, "Bad Request", "bad_request"))
