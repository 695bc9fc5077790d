"""Logging in and out, and changing one's password."""

from __future__ import annotations

import math
import secrets

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from kechuang.accounts import service as accounts
from kechuang.accounts.models import Account
from kechuang.core import clock
from kechuang.core.access import PLAN_OFFICE, Principal, Role
from kechuang.core.settings import Settings
from kechuang.store.base import utcnow
from kechuang.web.i18n import request_lang
from kechuang.web.pages import render
from kechuang.web.security import CSRF_COOKIE, SESSION_COOKIE, account_settings, db, principal, set_session_cookie

router = APIRouter(include_in_schema=False)


def home_of(who: Principal) -> str:
    """Where an account starts: reporters their inbox, reviewers and approvers their queue, the plan office
    the dashboard."""
    if who.role is Role.REPORTER:
        return "/inbox"
    if who.role in (Role.REVIEWER, Role.APPROVER):
        return "/review"
    return "/dashboard" if who.role in PLAN_OFFICE else "/"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _login_page(request: Request, *, error: str = "", status_code: int = 200, next_: str | None = None,
                username: str = "", retry_at: str = "") -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "monitoring/login.html", status_code=status_code, csrf_token=token, error=error,
                      next=_safe_next(next_) or "", username=username, retry_at=retry_at)
    settings: Settings = request.app.state.account_settings
    response.set_cookie(CSRF_COOKIE, token, httponly=True, secure=settings.secure_cookies, samesite="lax", path="/")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = Query(None)) -> Response:
    who = getattr(request.state, "principal", None)
    if who is not None:
        return RedirectResponse(_safe_next(next) or home_of(who), status_code=303)
    return _login_page(request, next_=next)


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form(""),
          s: Session = Depends(db), settings: Settings = Depends(account_settings)) -> Response:
    ip = request.client.host if request.client else ""
    try:
        account = accounts.authenticate(s, username, password, ip=ip, settings=settings)
    except accounts.LoginThrottled as exc:
        s.commit()
        return _throttled(request, exc, next, username)
    except accounts.LoginFailed:
        s.commit()
        return _login_page(request, error="login_failed", status_code=401, next_=next, username=username)
    if account.must_change_password:
        s.commit()
        return _new_password_page(request, username=account.username, next_=next)
    return _logged_in(s, account, next, settings)


def _logged_in(s: Session, account: Account, next_: str, settings: Settings) -> Response:
    opened = accounts.open_session(s, account, settings)
    who = accounts.principal_of(account)
    s.commit()
    response = RedirectResponse(_safe_next(next_) or home_of(who), status_code=303)
    set_session_cookie(response, opened.token, settings)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def _new_password_page(request: Request, *, username: str, next_: str, error: str = "",
                       status_code: int = 200) -> HTMLResponse:
    """After a reset: no session until the account sets a password of its own (the pre-login CSRF cookie
    protects the form)."""
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "monitoring/login_new_password.html", status_code=status_code, csrf_token=token,
                      username=username, next=_safe_next(next_) or "", error=error)
    settings: Settings = request.app.state.account_settings
    response.set_cookie(CSRF_COOKIE, token, httponly=True, secure=settings.secure_cookies, samesite="lax", path="/")
    return response


@router.post("/login/new-password")
def login_new_password(request: Request, username: str = Form(""), current: str = Form(""), new: str = Form(""),
                       next: str = Form(""), s: Session = Depends(db),
                       settings: Settings = Depends(account_settings)) -> Response:
    """Log in with the temporary password and set a new one in one step."""
    ip = request.client.host if request.client else ""
    try:
        account = accounts.authenticate(s, username, current, ip=ip, settings=settings)
    except accounts.LoginThrottled as exc:
        s.commit()
        return _throttled(request, exc, next, username)
    except accounts.LoginFailed:
        s.commit()
        return _new_password_page(request, username=username, next_=next, error="login_failed", status_code=401)
    if account.must_change_password:
        try:
            accounts.change_password(s, accounts.principal_of(account), account.id, new)
        except accounts.AccountError as exc:
            s.rollback()
            return _new_password_page(request, username=username, next_=next, error=exc.reason(request_lang(request)),
                                      status_code=400)
    return _logged_in(s, account, next, settings)


def _throttled(request: Request, exc: accounts.LoginThrottled, next_: str, username: str) -> HTMLResponse:
    response = _login_page(request, error="login_throttled", status_code=429, next_=next_, username=username,
                           retry_at=clock.time_text(exc.until, seconds=True))
    response.headers["Retry-After"] = str(max(1, math.ceil((exc.until - utcnow()).total_seconds())))
    return response


@router.post("/logout")
def logout(request: Request, s: Session = Depends(db)) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.close_session(s, token)
        s.commit()
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, who: Principal = Depends(principal)) -> HTMLResponse:
    return render(request, "monitoring/account.html", who=who, message="")


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, current: str = Form(""), new: str = Form(""),
                    who: Principal = Depends(principal), s: Session = Depends(db),
                    settings: Settings = Depends(account_settings)) -> Response:
    ip = request.client.host if request.client else ""
    try:
        accounts.authenticate(s, who.username, current, ip=ip, settings=settings)
    except (accounts.LoginFailed, accounts.LoginThrottled):
        s.commit()
        return render(request, "monitoring/account.html", status_code=400, who=who, message="wrong_password")
    assert who.id is not None
    accounts.change_password(s, who, who.id, new)
    s.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
