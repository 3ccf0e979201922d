"""``/r/bulky/open``, ``/r/bulky/booking``: a web booking seen, moved or cancelled.

The receipt number and PIN are checked once (``workflow.web.booking_changes``, rate-limited
like ``/r/status``); the key it answers is kept for ``KEY_MAX_AGE_S`` in a signed, HttpOnly,
SameSite=Strict cookie scoped to ``/r/bulky``, so the PIN is never put in a URL or a form
again. Changes are POSTs with the form's CSRF token, then a redirect back to the booking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.resident.csrf import form_token_ok
from api.resident.pages import page_with_token
from api.resident.status import client_key
from machi.settings import Settings
from workflow.db import Session
from workflow.errors import InvalidInputError, WorkflowError
from workflow.texts.resident import web as web_texts
from workflow.texts.resident import web_booking as t
from workflow.texts.resident.booking import date_ja, deadline_ja
from workflow.texts.resident.bulky import PUT_OUT_LABELS
from workflow.texts.sentences import error_text
from workflow.web.booking_changes import (
    BookingKey,
    cancel_web_booking,
    move_web_booking,
    open_web_booking,
    web_booking_page,
)
from workflow.web.pins import PinLockedError, PinRefusedError
from workflow.web.places import load_web_facts

router = APIRouter(include_in_schema=False)  # included by api.resident.booking under /r/bulky

KEY_COOKIE: Final = "machi_r_booking_key"
KEY_PATH: Final = "/r/bulky"
KEY_MAX_AGE_S: Final = 30 * 60
DONE_NOTICES: Final = ("moved", "cancelled")


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="resident-booking-key")


def _key_of(request: Request, settings: Settings) -> BookingKey | None:
    try:
        data = _serializer(settings).loads(
            request.cookies.get(KEY_COOKIE, ""), max_age=KEY_MAX_AGE_S
        )
        return BookingKey(str(data["receipt_no"]), int(data["resident_id"]))
    except (BadSignature, TypeError, KeyError, ValueError):
        return None


def _open_form(
    request: Request,
    session: Session,
    settings: Settings,
    mid: int,
    receipt_no: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {"facts": load_web_facts(session, mid), "receipt_no": receipt_no}
    context["errors"] = errors or {}
    return page_with_token(request, settings, "booking_open.html", context, status)


@router.get("/open", response_class=HTMLResponse)
def open_form(
    request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> HTMLResponse:
    return _open_form(request, session, settings, mid)


@router.post("/open", response_class=HTMLResponse, response_model=None)
def open_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    receipt_no: Annotated[str, Form(max_length=40)] = "",
    pin: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    receipt_no, pin = receipt_no.strip().upper(), pin.strip()
    if not form_token_ok(request, settings, csrf_token):
        errors = {"form": web_texts.FORM_EXPIRED}
        return _open_form(request, session, settings, mid, receipt_no, errors, 403)
    if not receipt_no or not pin:
        errors = {"pin": t.OPEN_FIELDS_MISSING}
        return _open_form(request, session, settings, mid, receipt_no, errors, 422)
    try:
        key = open_web_booking(session, mid, receipt_no, pin, client_key(request, settings))
    except (PinLockedError, PinRefusedError) as exc:
        status = 429 if isinstance(exc, PinLockedError) else 401
        errors = {"pin": error_text(exc)}
        return _open_form(request, session, settings, mid, receipt_no, errors, status)
    response = RedirectResponse(f"{KEY_PATH}/booking", status_code=303)
    response.set_cookie(
        KEY_COOKIE,
        _serializer(settings).dumps(vars(key)),
        max_age=KEY_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=settings.env == "production",
        path=KEY_PATH,
    )
    return response


def _notice_text(notice: str | None, day: dt.date) -> str | None:
    if notice == "moved":
        return t.MOVED.format(date=date_ja(day))
    return t.CANCELLED if notice == "cancelled" else None


def _booking_page(
    request: Request,
    session: Session,
    settings: Settings,
    mid: int,
    key: BookingKey,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    shown = web_booking_page(session, mid, key)
    context: dict[str, Any] = {
        "facts": load_web_facts(session, mid),
        "view": shown.view,
        "days": [d for d in shown.days if d.free and not d.closed_reason],
        "date_ja": date_ja,
        "deadline": deadline_ja(shown.view.change_deadline),
        "put_out_labels": PUT_OUT_LABELS,
        "notice": _notice_text(notice, shown.view.service_date),
        "errors": errors or {},
    }
    return page_with_token(request, settings, "booking_view.html", context, status)


def _expired(request: Request, session: Session, settings: Settings, mid: int) -> HTMLResponse:
    errors = {"form": t.KEY_EXPIRED}
    return _open_form(request, session, settings, mid, "", errors, 401)


@router.get("/booking", response_class=HTMLResponse)
def booking_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    done: str = "",
) -> HTMLResponse:
    key = _key_of(request, settings)
    if key is None:
        return _expired(request, session, settings, mid)
    notice = done if done in DONE_NOTICES else None
    try:
        return _booking_page(request, session, settings, mid, key, notice)
    except WorkflowError:  # the booking is gone: ask for a number again
        return _expired(request, session, settings, mid)


def _change(
    request: Request,
    session: Session,
    settings: Settings,
    mid: int,
    csrf_token: str,
    change: Callable[[BookingKey], str],
) -> Response:
    key = _key_of(request, settings)
    if key is None:
        return _expired(request, session, settings, mid)
    if not form_token_ok(request, settings, csrf_token):
        errors = {"form": web_texts.FORM_EXPIRED}
        return _booking_page(request, session, settings, mid, key, None, errors, 403)
    try:
        done = change(key)
    except WorkflowError as exc:
        errors = {exc.field if exc.field == "service_date" else "form": error_text(exc)}
        return _booking_page(request, session, settings, mid, key, None, errors, 422)
    return RedirectResponse(f"{KEY_PATH}/booking?done={done}", status_code=303)


@router.post("/move", response_class=HTMLResponse, response_model=None)
def move_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    service_date: Annotated[str, Form(max_length=16)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def move(key: BookingKey) -> str:
        try:
            day = dt.date.fromisoformat(service_date)
        except ValueError:
            raise InvalidInputError("service_date_missing", field="service_date") from None
        move_web_booking(session, mid, key, day)
        return "moved"

    return _change(request, session, settings, mid, csrf_token, move)


@router.post("/cancel", response_class=HTMLResponse, response_model=None)
def cancel_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def cancel(key: BookingKey) -> str:
        cancel_web_booking(session, mid, key)
        return "cancelled"

    return _change(request, session, settings, mid, csrf_token, cancel)
