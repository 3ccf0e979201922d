"""A web booking opened again with its receipt number and PIN: see it, move it, cancel it.

``open_web_booking`` checks the pair behind the same guard as the report status page
(``workflow.web.pins``: failures counted per receipt number and per client, then locked); it
answers a ``BookingKey`` that the edge keeps (signed) for the next few requests, so the PIN is
asked once. Moves and cancels are ``workflow.bookings.changes`` with the booking's own
resident, so the cut-off, capacity and audit trail are the LINE dialogue's and the desk's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from geo.models import Booking, Resident
from workflow.bookings.calendar import BookingWindow, ZoneDay, zone_days
from workflow.bookings.changes import cancel_booking, reschedule_booking
from workflow.bookings.views import BookingView, booking_view, find_booking
from workflow.clock import TOKYO, now_tokyo
from workflow.db import unit_of_work
from workflow.desk.passwords import verify_password
from workflow.errors import NotFoundError
from workflow.reports.transitions import Actor
from workflow.web.pins import PinRefusedError, dummy_hash, record_failure, refuse_when_locked

RESIDENT = Actor("resident:web")


@dataclass(frozen=True)
class BookingKey:
    """What a right receipt number + PIN pair opens: that booking of that resident."""

    receipt_no: str
    resident_id: int


@dataclass(frozen=True)
class WebBookingPage:
    """The booking as its resident sees it, with the zone's days to move it to."""

    view: BookingView
    days: tuple[ZoneDay, ...]


def _web_booking(session: Session, mid: int, receipt_no: str) -> tuple[Booking, str] | None:
    """The booking and its resident's PIN hash, for bookings made on the web only."""
    try:
        booking = find_booking(session, mid, receipt_no)
    except NotFoundError:
        return None
    resident = session.get(Resident, (mid, booking.resident_id)) if booking.resident_id else None
    if resident is None or resident.line_user_id or not resident.web_pin_hash:
        return None
    return booking, resident.web_pin_hash


def open_web_booking(
    session: Session,
    mid: int,
    receipt_no: str,
    pin: str,
    client_key: str,
    now: dt.datetime | None = None,
) -> BookingKey:
    """The key to the web booking this receipt number and PIN open; failures are recorded.

    Args:
        session: a session with nothing pending; this use case commits it (a failure is
            written even though the look-up is refused).
        mid: municipality id.
        receipt_no: as shown on the receipt (``B-2026-000042``).
        pin: the digits given with it.
        client_key: an opaque key of the asking client (a keyed hash of its address).
        now: aware time of the attempt.

    Raises:
        PinLockedError: too many wrong attempts lately for this receipt number or client.
        PinRefusedError: unknown receipt number, not a web booking, or a wrong PIN.
    """
    now = now or now_tokyo()
    with unit_of_work(session):
        refuse_when_locked(session, mid, receipt_no, client_key, now)
        found = _web_booking(session, mid, receipt_no)
        pin_hash = found[1] if found else dummy_hash()  # the same argon2 cost either way
        if verify_password(pin_hash, pin) and found is not None and found[0].resident_id:
            return BookingKey(receipt_no, found[0].resident_id)
        record_failure(session, mid, receipt_no, client_key, now)
    raise PinRefusedError("pin_refused", field="pin")


def _owned(session: Session, mid: int, key: BookingKey) -> Booking:
    booking = find_booking(session, mid, key.receipt_no)
    if booking.resident_id != key.resident_id:
        raise NotFoundError("booking_not_found", field="receipt_no", receipt_no=key.receipt_no)
    return booking


def web_booking_page(
    session: Session, mid: int, key: BookingKey, now: dt.datetime | None = None
) -> WebBookingPage:
    """The booking a key opens, with its zone's days inside the booking window (read only).

    Raises:
        NotFoundError: the booking is gone or is not the key's resident's.
    """
    now = now or now_tokyo()
    booking = _owned(session, mid, key)
    today = now.astimezone(TOKYO).date()
    days = zone_days(session, mid, booking.zone_id, today, BookingWindow())
    return WebBookingPage(booking_view(session, booking, now), days)


def move_web_booking(
    session: Session, mid: int, key: BookingKey, new_date: dt.date, now: dt.datetime | None = None
) -> BookingView:
    """Move the key's booking to another day of its zone before the cut-off, one commit.

    Raises:
        NotFoundError: not the key's booking.
        InvalidInputError: past the cut-off, same date, outside the window, not a collection
            day, already cancelled or collected.
        CapacityFullError: the new day is full; nothing changed.
    """
    with unit_of_work(session):
        return reschedule_booking(
            session, mid, key.receipt_no, new_date, RESIDENT, now, resident_id=key.resident_id
        )


def cancel_web_booking(
    session: Session, mid: int, key: BookingKey, now: dt.datetime | None = None
) -> BookingView:
    """Cancel the key's booking before the cut-off (its slot given back), one commit.

    Raises:
        NotFoundError: not the key's booking.
        InvalidInputError: past the cut-off, already cancelled or collected.
    """
    with unit_of_work(session):
        return cancel_booking(
            session, mid, key.receipt_no, RESIDENT, now, resident_id=key.resident_id
        )
