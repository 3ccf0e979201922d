"""Staff login (page + session cookie), logout, bearer tokens for the JSON API."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.security import (
    LOGIN_CSRF_COOKIE,
    CurrentStaff,
    OptionalStaff,
    clear_session,
    csrf_matches,
    issue_session,
    issue_token,
)
from api.templating import templates
from workflow.clock import TOKYO
from workflow.desk.auth import LoginOutcome, sign_in

router = APIRouter(tags=["staff auth"])
MAX_CREDENTIAL_CHARS = 200  # a user name or password longer than this is not one of ours


def _login_page(request: Request, error: str | None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request, "staff/login.html", {"csrf_token": token, "error": error}, status_code=status
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/staff")
    return response


@router.get("/staff/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request, None)


def _error_text(outcome: LoginOutcome) -> str:
    if outcome.locked_until is not None:
        until = outcome.locked_until.astimezone(TOKYO)
        return f"ログインの失敗が続いたため、{until:%H:%M} までロックしています。"
    return "ユーザー名またはパスワードが正しくありません。"


@router.post("/staff/login", include_in_schema=False)
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(request, "画面の有効期限が切れました。もう一度入力してください。", 403)
    outcome = sign_in(session, mid, username, password)
    if outcome.identity is None:
        return _login_page(request, _error_text(outcome), 401)
    target = "/crew/" if outcome.identity.role == "crew" else "/staff/"
    response = RedirectResponse(target, status_code=303)
    issue_session(response, settings, outcome.identity)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
    return response


@router.post("/staff/logout", include_in_schema=False)
def logout(_who: CurrentStaff) -> Response:
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session(response)
    return response


@router.get("/staff/", response_class=HTMLResponse, include_in_schema=False)
def staff_home(request: Request, who: OptionalStaff) -> Response:
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    return templates.TemplateResponse(
        request, "staff/home.html", {"who": who, "csrf_token": request.state.csrf}
    )


@router.post("/api/v1/token", tags=["staff auth"], summary="Bearer token (OAuth2 password)")
def token(
    username: Annotated[str, Form(min_length=1, max_length=MAX_CREDENTIAL_CHARS)],
    password: Annotated[str, Form(min_length=1, max_length=MAX_CREDENTIAL_CHARS)],
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> dict[str, Any]:
    """The OAuth2 password grant's form (``grant_type``, ``scope`` and the like are ignored).

    An empty field is a missing one (FastAPI reads forms so), hence at least one character.
    """
    outcome = sign_in(session, mid, username, password)
    if outcome.identity is None:
        raise HTTPException(
            401, detail=_error_text(outcome), headers={"WWW-Authenticate": "Bearer"}
        )
    return {"access_token": issue_token(settings, outcome.identity), "token_type": "bearer"}


@router.get("/api/v1/me", tags=["staff auth"], summary="The signed-in staff member")
def me(who: CurrentStaff) -> dict[str, Any]:
    return {
        "username": who.username,
        "display_name": who.display_name,
        "role": who.role,
        "department": who.department_name,
    }
