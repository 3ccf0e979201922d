"""Bulky-waste bookings from the web form ``/r/bulky`` (residents without LINE), one commit each.

The same steps and rules as the LINE dialogue and the phone desk: a place inside a collection
zone, the address line and put-out place (``workflow.bookings.place``), catalogue items and
quantities, a free day of the zone, a name and phone (``workflow.bookings.contact``), then the
one ``book()`` with its row-locked slot. Each booking gets its own resident row without LINE
(like a phone caller's) carrying the argon2 hash of a PIN; the receipt number and that PIN
open the booking again to see it, move it to another day or cancel it before the cut-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import BulkyItem, Resident
from workflow.bookings.book import MAX_ITEMS_PER_BOOKING, BookingRequest, ItemLine, book
from workflow.bookings.calendar import BookingWindow
from workflow.bookings.contact import MAX_NAME_CHARS, clean_name, clean_phone
from workflow.bookings.place import Whereabouts, check_whereabouts
from workflow.bookings.views import BookingView, Contact, booking_view
from workflow.clock import TOKYO, now_tokyo
from workflow.db import unit_of_work
from workflow.desk.passwords import hash_password
from workflow.errors import InvalidInputError, WorkflowError
from workflow.web.pins import new_pin

CHANNEL = "web"


@dataclass(frozen=True)
class WebBookingForm:
    """The web form as sent, already typed by the edge (lon/lat EPSG:4326, date Asia/Tokyo).

    ``None`` (or empty text) where the resident gave nothing usable; the checks say so.
    """

    lon: float | None
    lat: float | None
    address_line: str
    put_out: str
    put_out_note: str
    items: tuple[ItemLine, ...]
    service_date: dt.date | None
    name: str
    phone: str


@dataclass(frozen=True)
class WebBookingReceipt:
    """What the resident is shown once: receipt number, PIN, day, items and fee."""

    receipt_no: str
    pin: str
    service_date: str  # ISO date (the receipt travels as JSON in a signed cookie)
    zone_name: str
    items: list[tuple[str, int]]
    fee_total_yen: int
    tickets: tuple[int, int]
    change_deadline: str  # ISO datetime, Asia/Tokyo


@dataclass(frozen=True)
class CartLine:
    """An item of the form's cart, to show it again after a refusal."""

    item_id: int
    name: str
    fee_yen: int | None
    quantity: int


def _whereabouts(form: WebBookingForm, errors: list[WorkflowError]) -> Whereabouts | None:
    try:
        return check_whereabouts(form.address_line, form.put_out, form.put_out_note)
    except InvalidInputError as exc:
        errors.append(exc)
        return None


def _contact(form: WebBookingForm, errors: list[WorkflowError]) -> Contact | None:
    name, phone = clean_name(form.name), clean_phone(form.phone)
    if name is None:
        errors.append(InvalidInputError("name_invalid", field="name", max=MAX_NAME_CHARS))
    if phone is None:
        errors.append(InvalidInputError("phone_invalid", field="phone"))
    return Contact(name, phone) if name and phone else None


def _items_errors(items: tuple[ItemLine, ...]) -> list[WorkflowError]:
    if not items:
        return [InvalidInputError("items_missing", field="items")]
    if any(not 1 <= line.quantity <= MAX_ITEMS_PER_BOOKING for line in items):
        return [
            InvalidInputError("quantity_out_of_range", field="items", max=MAX_ITEMS_PER_BOOKING)
        ]
    if sum(line.quantity for line in items) > MAX_ITEMS_PER_BOOKING:
        return [InvalidInputError("too_many_items", field="items", max=MAX_ITEMS_PER_BOOKING)]
    return []


def check_web_booking(
    form: WebBookingForm,
) -> tuple[BookingRequest | None, tuple[WorkflowError, ...]]:
    """Check every field of the form without I/O; every problem, not only the first.

    Returns:
        The request to book when there is no problem, else None and one error per problem
        (each with its ``field``: location, address_line, put_out, put_out_note, items,
        service_date, name, phone). The zone, the items' catalogue rows and the day's
        capacity are checked by ``book`` inside the transaction.
    """
    errors: list[WorkflowError] = []
    if form.lon is None or form.lat is None:
        errors.append(InvalidInputError("location_missing", field="location"))
    place = _whereabouts(form, errors)
    errors.extend(_items_errors(form.items))
    if form.service_date is None:
        errors.append(InvalidInputError("service_date_missing", field="service_date"))
    contact = _contact(form, errors)
    if errors or form.lon is None or form.lat is None or form.service_date is None:
        return None, tuple(errors)
    request = BookingRequest(
        lon=form.lon,
        lat=form.lat,
        service_date=form.service_date,
        items=form.items,
        contact=contact,
        whereabouts=place,
    )
    return request, ()


def _receipt(view: BookingView, pin: str) -> WebBookingReceipt:
    return WebBookingReceipt(
        receipt_no=view.receipt_no,
        pin=pin,
        service_date=view.service_date.isoformat(),
        zone_name=view.zone_name,
        items=[(line.name, line.quantity) for line in view.lines],
        fee_total_yen=view.fee_total_yen,
        tickets=view.tickets,
        change_deadline=view.change_deadline.isoformat(),
    )


def submit_web_booking(
    session: Session, municipality_id: int, request: BookingRequest, now: dt.datetime | None = None
) -> WebBookingReceipt:
    """Book a pickup for a resident without LINE: resident (PIN hash) + booking, one commit.

    Args:
        session: a session with nothing pending; this use case commits it.
        municipality_id: tenant.
        request: as ``check_web_booking`` made it (place, day, items, contact, whereabouts).
        now: current time (aware); decides the booking window.

    Raises:
        OutsideAreaError: the place is outside every collection zone.
        InvalidInputError / NotFoundError: items, date or whereabouts refused (see ``book``).
        CapacityFullError: the day filled up meanwhile; nothing was written.
    """
    now = now or now_tokyo()
    pin = new_pin()
    pin_hash = hash_password(pin)  # slow on purpose: done before the transaction opens
    with unit_of_work(session):
        resident = Resident(municipality_id=municipality_id, line_user_id=None, following=False)
        resident.web_pin_hash = pin_hash
        session.add(resident)
        session.flush()
        booking = book(
            session,
            municipality_id,
            request,
            channel=CHANNEL,
            resident_id=resident.id,
            today=now.astimezone(TOKYO).date(),
            window=BookingWindow(),
        )
        session.flush()
        view = booking_view(session, booking, now)
    return _receipt(view, pin)


def cart_lines(
    session: Session, municipality_id: int, items: tuple[ItemLine, ...]
) -> tuple[CartLine, ...]:
    """The form's item lines with their names and fees (unknown ids left out), read only."""
    ids = [line.item_id for line in items]
    rows = {
        row.id: row
        for row in session.scalars(
            select(BulkyItem).where(
                BulkyItem.municipality_id == municipality_id, BulkyItem.id.in_(ids)
            )
        )
    }
    return tuple(
        CartLine(line.item_id, rows[line.item_id].name, rows[line.item_id].fee_yen, line.quantity)
        for line in items
        if line.item_id in rows
    )
