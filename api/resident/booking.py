"""``/r/bulky``: a bulky-waste pickup booked on the web by a resident without LINE.

One mobile-first page asks the LINE dialogue's questions one at a time (map pin, address
line and put-out place, items with the running fee, a free day, name and phone, confirm);
its script reads the public item search and calendar (``api.resident.bulky``). The server
checks everything again and books through the one ``book()``; a refusal comes back next to
its field with nothing written. The receipt (number + PIN) is shown once after a redirect.
Seeing, moving and cancelling the booking later: ``api.resident.booking_manage``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.basemap import basemap_of
from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.resident import booking_manage
from api.resident.booking_form import (
    BookingFields,
    ParsedBooking,
    add_errors,
    cart_json,
    parse_booking,
)
from api.resident.csrf import form_token_ok
from api.resident.pages import page, page_with_token
from machi.settings import Settings
from workflow.bookings.book import MAX_ITEMS_PER_BOOKING
from workflow.db import Session
from workflow.errors import WorkflowError
from workflow.texts.resident import web as web_texts
from workflow.texts.resident import web_booking as t
from workflow.texts.resident.booking import date_ja, deadline_ja, ticket_text
from workflow.texts.resident.bulky import PUT_OUT_LABELS
from workflow.web.bookings import (
    WebBookingReceipt,
    cart_lines,
    check_web_booking,
    submit_web_booking,
)
from workflow.web.places import load_web_facts

router = APIRouter(prefix="/bulky", include_in_schema=False)  # included under /r
router.include_router(booking_manage.router)

RECEIPT_COOKIE: Final = "machi_r_booking_receipt"
RECEIPT_PATH: Final = "/r/bulky/done"
RECEIPT_MAX_AGE_S: Final = 30 * 60


def _context(
    session: Session, mid: int, settings: Settings, parsed: ParsedBooking | None
) -> dict[str, Any]:
    lines = cart_lines(session, mid, parsed.form.items) if parsed else ()
    return {
        "facts": load_web_facts(session, mid),
        "basemap": basemap_of(settings).config(),
        "put_out_labels": PUT_OUT_LABELS,
        "max_items": MAX_ITEMS_PER_BOOKING,
        "cart": cart_json(lines),
        "messages": {**t.SCRIPT_MESSAGES, "max": str(MAX_ITEMS_PER_BOOKING)},
    }


@router.get("", response_class=HTMLResponse)
def booking_form(
    request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> HTMLResponse:
    context = {**_context(session, mid, settings, None), "fields": BookingFields(), "errors": {}}
    return page_with_token(request, settings, "booking_form.html", context)


def _again(
    request: Request,
    session: Session,
    settings: Settings,
    mid: int,
    fields: BookingFields,
    parsed: ParsedBooking,
    status: int,
) -> HTMLResponse:
    errors = dict(parsed.errors)
    errors.setdefault("form", web_texts.FORM_HAS_ERRORS)
    context = {**_context(session, mid, settings, parsed), "fields": fields, "errors": errors}
    return page_with_token(request, settings, "booking_form.html", context, status)


def _receipt_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="resident-booking-receipt")


def _receipt_redirect(settings: Settings, receipt: WebBookingReceipt) -> Response:
    response = RedirectResponse(RECEIPT_PATH, status_code=303)
    response.set_cookie(
        RECEIPT_COOKIE,
        _receipt_serializer(settings).dumps(vars(receipt)),
        max_age=RECEIPT_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=settings.env == "production",
        path=RECEIPT_PATH,
    )
    return response


@router.post("", response_class=HTMLResponse, response_model=None)
def booking_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    address_line: Annotated[str, Form(max_length=400)] = "",
    put_out: Annotated[str, Form(max_length=32)] = "",
    put_out_note: Annotated[str, Form(max_length=400)] = "",
    item_id: Annotated[list[str] | None, Form(max_length=12)] = None,
    quantity: Annotated[list[str] | None, Form(max_length=4)] = None,
    service_date: Annotated[str, Form(max_length=16)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    items, counts = tuple(item_id or ()), tuple(quantity or ())
    fields = BookingFields(
        lon, lat, address_line, put_out, put_out_note, items, counts, service_date, name, phone
    )
    parsed = parse_booking(fields)
    if not form_token_ok(request, settings, csrf_token):
        parsed.errors = {"form": web_texts.FORM_EXPIRED}
        return _again(request, session, settings, mid, fields, parsed, 403)
    booking, problems = check_web_booking(parsed.form)
    add_errors(parsed.errors, problems)
    if booking is None or parsed.errors:
        return _again(request, session, settings, mid, fields, parsed, 422)
    try:
        receipt = submit_web_booking(session, mid, booking)
    except WorkflowError as exc:
        add_errors(parsed.errors, (exc,))
        return _again(request, session, settings, mid, fields, parsed, 422)
    return _receipt_redirect(settings, receipt)


@router.get("/done", response_class=HTMLResponse, response_model=None)
def booking_receipt(
    request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> Response:
    raw = request.cookies.get(RECEIPT_COOKIE, "")
    try:
        data = _receipt_serializer(settings).loads(raw, max_age=RECEIPT_MAX_AGE_S)
        receipt = WebBookingReceipt(**data)
    except (BadSignature, TypeError):
        return RedirectResponse("/r/bulky", status_code=303)
    context = {
        "facts": load_web_facts(session, mid),
        "receipt": receipt,
        "day": date_ja(dt.date.fromisoformat(receipt.service_date)),
        "deadline": deadline_ja(dt.datetime.fromisoformat(receipt.change_deadline)),
        "tickets": ticket_text((receipt.tickets[0], receipt.tickets[1])),
    }
    return page(request, "booking_done.html", context)
