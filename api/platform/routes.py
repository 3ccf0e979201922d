"""``/platform/*``: the operator's login, the towns' health page and its JSON, bearer tokens.

These routes act for no town: they never read ``request.state.town``, and the health
figures are read one town at a time by ``workflow.platform.health``. Only aggregates are
shown; no resident's personal data reaches this module. Not in the public OpenAPI schema:
this is the operator's interface, not the municipal API.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import EngineDep, SessionDep, SettingsDep
from api.platform.security import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    TOKEN_MAX_AGE_S,
    CurrentOperator,
    OptionalOperator,
    clear_session,
    issue_session,
    issue_token,
)
from api.security import csrf_matches
from api.templating import templates
from workflow.clock import TOKYO, now_tokyo
from workflow.platform.auth import OperatorLogin, sign_in_operator
from workflow.platform.health import town_health
from workflow.texts import platform as texts

router = APIRouter(prefix="/platform", tags=["platform"], include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _login_page(request: Request, error: str | None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request,
        "platform/login.html",
        {"csrf_token": token, "error": error},
        status_code=status,
        headers=NO_STORE,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path=COOKIE_PATH
    )
    return response


def _refusal(outcome: OperatorLogin) -> str:
    if outcome.locked_until is not None:
        return texts.LOGIN_LOCKED_JA.format(until=f"{outcome.locked_until.astimezone(TOKYO):%H:%M}")
    return texts.LOGIN_FAILED_JA


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request, None)


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return _login_page(request, texts.LOGIN_EXPIRED_JA, 403)
    outcome = sign_in_operator(session, username, password)
    if outcome.identity is None:
        return _login_page(request, _refusal(outcome), 401)
    response = RedirectResponse("/platform/", status_code=303)
    issue_session(response, settings, outcome.identity)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
def logout(_who: CurrentOperator) -> Response:
    response = RedirectResponse("/platform/login", status_code=303)
    clear_session(response)
    return response


@router.get("/", response_class=HTMLResponse)
async def towns_page(request: Request, engine: EngineDep, who: OptionalOperator) -> Response:
    if who is None:
        return RedirectResponse("/platform/login", status_code=303)
    now = now_tokyo()
    towns = await run_in_threadpool(town_health, engine, now)
    context = {
        "who": who,
        "csrf_token": request.state.platform_csrf,
        "towns": towns,
        "now": now,
        "tz": TOKYO,
        "problem_labels": texts.PROBLEM_LABELS_JA,
        "line_states": texts.LINE_STATES_JA,
        "age": texts.age_ja,
    }
    return templates.TemplateResponse(request, "platform/towns.html", context, headers=NO_STORE)


@router.get("/api/towns")
async def towns_json(engine: EngineDep, _who: CurrentOperator) -> JSONResponse:
    now = now_tokyo()
    towns = await run_in_threadpool(town_health, engine, now)
    body = {"generated_at": now.isoformat(), "towns": [t.as_dict() for t in towns]}
    return JSONResponse(body, headers=NO_STORE)


@router.post("/api/token")
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> JSONResponse:
    outcome = sign_in_operator(session, form.username, form.password)
    if outcome.identity is None:
        raise HTTPException(401, detail=_refusal(outcome), headers={"WWW-Authenticate": "Bearer"})
    body: dict[str, Any] = {
        "access_token": issue_token(settings, outcome.identity),
        "token_type": "bearer",
        "expires_in": TOKEN_MAX_AGE_S,
    }
    return JSONResponse(body, headers=NO_STORE)
