"""Platform operator sessions and bearer tokens, kept apart from the staff's.

Everything differs from ``api.security`` on purpose: the cookie's name and path
(``machi_platform`` on ``/platform`` only, so browsers never send it to a staff route), and
the signing salts (``platform-session``, ``platform-token``), so a staff cookie or token does
not verify here and an operator's does not verify on a staff route, though one secret key
signs both. The operator is loaded again on every request: disabling the account ends its
sessions and tokens at once.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from itsdangerous import URLSafeTimedSerializer

from api.deps import SessionDep, SettingsDep
from api.security import bearer_data, check_csrf, read_signed
from machi.settings import Settings
from workflow.platform.auth import OperatorIdentity, load_operator

COOKIE = "machi_platform"
LOGIN_CSRF_COOKIE = "machi_platform_login_csrf"
COOKIE_PATH = "/platform"
SESSION_SALT = "platform-session"
TOKEN_SALT = "platform-token"
SESSION_MAX_AGE_S = 8 * 3600
TOKEN_MAX_AGE_S = 3600
_KIND = "platform-operator"


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=salt)


def _read(settings: Settings, salt: str, value: str, max_age: int) -> dict[str, Any] | None:
    data = read_signed(settings, salt, value, max_age)
    return data if data is not None and data.get("kind") == _KIND else None


def issue_session(response: Response, settings: Settings, who: OperatorIdentity) -> str:
    """Set the operator's session cookie; returns the session's CSRF token."""
    csrf = secrets.token_urlsafe(24)
    value = _serializer(settings, SESSION_SALT).dumps({"kind": _KIND, "op": who.id, "csrf": csrf})
    response.set_cookie(
        COOKIE,
        value,
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=settings.env == "production",
        path=COOKIE_PATH,
    )
    return csrf


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


def issue_token(settings: Settings, who: OperatorIdentity) -> str:
    """A bearer token for ``/platform/api/*`` (``Authorization: Bearer ...``)."""
    return _serializer(settings, TOKEN_SALT).dumps({"kind": _KIND, "op": who.id})


async def optional_operator(
    request: Request, session: SessionDep, settings: SettingsDep
) -> OperatorIdentity | None:
    """The signed-in operator (bearer token, or session cookie + CSRF), or None."""
    data = bearer_data(request, lambda v: _read(settings, TOKEN_SALT, v, TOKEN_MAX_AGE_S))
    if data is None:
        raw = request.cookies.get(COOKIE)
        data = _read(settings, SESSION_SALT, raw, SESSION_MAX_AGE_S) if raw else None
        if data is None:
            return None
        await check_csrf(request, data)
    who = await run_in_threadpool(load_operator, session, int(data["op"]))
    if who is not None:
        request.state.platform_csrf = data.get("csrf")
    return who


async def current_operator(
    who: Annotated[OperatorIdentity | None, Depends(optional_operator)],
) -> OperatorIdentity:
    """The signed-in operator; 401 otherwise (staff credentials do not count)."""
    if who is None:
        raise HTTPException(
            401, detail="platform operator login required", headers={"WWW-Authenticate": "Bearer"}
        )
    return who


CurrentOperator = Annotated[OperatorIdentity, Depends(current_operator)]
OptionalOperator = Annotated[OperatorIdentity | None, Depends(optional_operator)]
