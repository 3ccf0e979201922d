"""Staff sessions (signed HttpOnly cookie), bearer tokens, CSRF and role checks."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.deps import SessionDep, get_municipality_id
from machi.settings import Settings
from workflow.db import Session
from workflow.desk.auth import StaffIdentity, cached_identity, staff_identity

SESSION_COOKIE = "machi_session"
LOGIN_CSRF_COOKIE = "machi_login_csrf"
SESSION_MAX_AGE_S = 12 * 3600
TOKEN_MAX_AGE_S = 8 * 3600
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=salt)


def issue_session(response: Response, settings: Settings, who: StaffIdentity) -> str:
    """Set the session cookie; returns the session's CSRF token."""
    csrf = secrets.token_urlsafe(24)
    value = _serializer(settings, "session").dumps(
        {"uid": who.id, "mid": who.municipality_id, "csrf": csrf}
    )
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=settings.env == "production",
        path="/",
    )
    return csrf


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def issue_token(settings: Settings, who: StaffIdentity) -> str:
    """A bearer token for the JSON API (``Authorization: Bearer ...``)."""
    return _serializer(settings, "token").dumps({"uid": who.id, "mid": who.municipality_id})


def sign_confirmation(settings: Settings, purpose: str, payload: dict[str, Any]) -> str:
    """A signed, time-stamped token carrying what a person confirmed (e.g. a segment push)."""
    return _serializer(settings, f"confirm:{purpose}").dumps(payload)


def read_confirmation(
    settings: Settings, purpose: str, token: str, max_age_s: int
) -> dict[str, Any] | None:
    """The payload of a confirmation token, or None when forged, for another purpose or old."""
    return read_signed(settings, f"confirm:{purpose}", token, max_age_s)


def read_signed(settings: Settings, salt: str, value: str, max_age: int) -> dict[str, Any] | None:
    """The dict signed with the secret key and ``salt`` at most ``max_age`` s ago, or None."""
    try:
        data = _serializer(settings, salt).loads(value, max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def session_data(request: Request, settings: Settings) -> dict[str, Any] | None:
    """The verified session cookie's payload, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    return read_signed(settings, "session", raw, SESSION_MAX_AGE_S) if raw else None


def bearer_data(
    request: Request, read: Callable[[str], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """The payload of the ``Authorization: Bearer`` token as ``read`` verifies it.

    None when the request has no bearer token; 401 when it has one that does not verify.
    """
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    data = read(header[7:].strip())
    if data is None:
        raise HTTPException(
            401, detail="invalid or expired token", headers={"WWW-Authenticate": "Bearer"}
        )
    return data


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens; missing values never match."""
    return bool(expected and given and hmac.compare_digest(expected, given))


async def check_csrf(request: Request, data: dict[str, Any]) -> None:
    """403 unless an unsafe request carries the session's CSRF token (header or form field)."""
    if request.method not in UNSAFE_METHODS:
        return
    given = request.headers.get("x-csrf-token")
    if given is None and "form" in request.headers.get("content-type", ""):
        given = str((await request.form()).get("csrf_token") or "")
    if not csrf_matches(str(data.get("csrf")), given):
        raise HTTPException(403, detail="CSRF token missing or wrong")


async def signed_in(request: Request, session: Session) -> StaffIdentity | None:
    """The signed-in staff member (bearer token or session cookie + CSRF), or None."""
    settings = request.app.state.settings
    data = bearer_data(request, lambda v: read_signed(settings, "token", v, TOKEN_MAX_AGE_S))
    if data is None:
        data = session_data(request, settings)
        if data is None:
            return None
        await check_csrf(request, data)
    if int(data["mid"]) != get_municipality_id(request):
        return None
    mid, uid = int(data["mid"]), int(data["uid"])
    who = cached_identity(mid, uid)
    if who is None:  # a blocking DB read: off the event loop, or every request queues here
        who = await run_in_threadpool(staff_identity, session, mid, uid)
    if who is not None:
        request.state.csrf = data.get("csrf")
    return who


# The three gates are one dependency each, not a chain of them: FastAPI resolves every level
# of a chain per request, which cost more than a cached map answer (profiled at 1M reports).
async def optional_staff(request: Request, session: SessionDep) -> StaffIdentity | None:
    """The signed-in staff member, or None."""
    return await signed_in(request, session)


async def current_staff(request: Request, session: SessionDep) -> StaffIdentity:
    """The signed-in staff member; 401 when nobody is signed in."""
    who = await signed_in(request, session)
    if who is None:
        raise HTTPException(401, detail="login required", headers={"WWW-Authenticate": "Bearer"})
    return who


async def desk_staff(request: Request, session: SessionDep) -> StaffIdentity:
    """Admin or department staff (crews cannot open the desk)."""
    who = await current_staff(request, session)
    if who.role not in {"admin", "staff"}:
        raise HTTPException(403, detail="staff only")
    return who


CurrentStaff = Annotated[StaffIdentity, Depends(current_staff)]
DeskStaff = Annotated[StaffIdentity, Depends(desk_staff)]
OptionalStaff = Annotated[StaffIdentity | None, Depends(optional_staff)]
