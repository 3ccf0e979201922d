"""Bulky-waste bookings at the desk: phone entry, look-up, who may act, contact checks.

Use cases take an open session and run inside the caller's transaction (the API wraps each
call in ``workflow.db.unit_of_work``; the LINE event loop in its own). Personal data goes only to
the booking's ``booking_contact`` row (written by ``book``); the report and booking rows carry
ids, never names, phone numbers or address lines.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import replace

from sqlalchemy.orm import Session

from geo.models import Resident
from workflow.bookings.book import BULKY_CATEGORY, BookingRequest, book
from workflow.bookings.calendar import BookingWindow
from workflow.bookings.contact import MAX_NAME_CHARS, clean_name, clean_phone
from workflow.bookings.place import Whereabouts, check_whereabouts
from workflow.bookings.views import BookingView, Contact, booking_view, find_booking
from workflow.clock import TOKYO, now_tokyo
from workflow.desk.auth import StaffIdentity
from workflow.errors import ForbiddenError, InvalidInputError
from workflow.reports.create import get_category
from workflow.reports.transitions import Actor

MAX_ADDRESS_CHARS = 200
MAX_NOTE_CHARS = 500


def require_bulky_desk(session: Session, municipality_id: int, who: StaffIdentity) -> None:
    """Only admins and staff of the department that owns bulky waste (環境課) may book.

    Raises:
        ForbiddenError: the staff member belongs to another department or is a crew member.
    """
    category = get_category(session, municipality_id, BULKY_CATEGORY)
    if who.is_admin or (who.role == "staff" and who.department_id == category.department_id):
        return
    raise ForbiddenError("bulky_desk_only", field="staff")


def check_contact(contact: Contact) -> Contact:
    """Trimmed, width-normalised contact details.

    Raises:
        InvalidInputError: name missing or too long, phone not a Japanese number, address too long.
    """
    name = clean_name(contact.name)
    phone = clean_phone(contact.phone)
    address = unicodedata.normalize("NFKC", contact.address or "").strip() or None
    if name is None:
        raise InvalidInputError("name_invalid", field="name", max=MAX_NAME_CHARS)
    if phone is None:
        raise InvalidInputError("phone_invalid", field="phone")
    if address is not None and len(address) > MAX_ADDRESS_CHARS:
        raise InvalidInputError("address_too_long", field="address", max=MAX_ADDRESS_CHARS)
    return Contact(name, phone, address)


def _new_caller(session: Session, municipality_id: int) -> Resident:
    """A resident without LINE for the caller (the contact goes with the booking)."""
    resident = Resident(municipality_id=municipality_id, line_user_id=None, following=False)
    session.add(resident)
    session.flush()
    return resident


def check_place(request: BookingRequest) -> Whereabouts:
    """The request's address line and put-out place, checked; every channel asks for both.

    Raises:
        InvalidInputError: missing or invalid (see ``check_whereabouts``).
    """
    place = request.whereabouts
    if place is None:
        raise InvalidInputError("address_line_missing", field="address_line")
    return check_whereabouts(place.address_line, place.put_out, place.put_out_note)


def contact_of(request: BookingRequest) -> Contact:
    """The contact details to check: the person's name and phone, the pickup address."""
    name, phone = (request.contact.name, request.contact.phone) if request.contact else ("", "")
    return Contact(name, phone, request.address)


def book_by_phone(
    session: Session,
    municipality_id: int,
    request: BookingRequest,
    who: StaffIdentity,
    now: dt.datetime | None = None,
) -> BookingView:
    """Book a pickup for a caller without LINE: resident + booking + its contact, one transaction.

    Args:
        session: open session; the caller commits, or rolls back on any error.
        municipality_id: tenant.
        request: place (EPSG:4326), date, items, the caller's contact details, the address
            line and put-out place, and a note.
        who: the staff member taking the call.
        now: current time (aware); decides today's booking window.

    Raises:
        ForbiddenError: not 環境課 or admin.
        InvalidInputError: contact details, address line or put-out place missing or invalid,
            note too long; see also ``book``.
        NotFoundError / OutsideAreaError / CapacityFullError: see ``book``.
    """
    now = now or now_tokyo()
    require_bulky_desk(session, municipality_id, who)
    contact = check_contact(contact_of(request))
    place = check_place(request)
    if request.note and len(request.note) > MAX_NOTE_CHARS:
        raise InvalidInputError("booking_note_too_long", field="note", max=MAX_NOTE_CHARS)
    resident = _new_caller(session, municipality_id)
    booking = book(
        session,
        municipality_id,
        replace(request, address=contact.address, contact=contact, whereabouts=place),
        channel="phone",
        resident_id=resident.id,
        today=now.astimezone(TOKYO).date(),
        window=BookingWindow(),
    )
    session.flush()
    return booking_view(session, booking, now)


def get_booking(
    session: Session,
    municipality_id: int,
    receipt_no: str,
    who: StaffIdentity,
    now: dt.datetime | None = None,
) -> BookingView:
    """The booking with ``receipt_no`` for the desk (includes the caller's contact details).

    Raises:
        ForbiddenError: not 環境課 or admin.
        NotFoundError: no such booking.
    """
    require_bulky_desk(session, municipality_id, who)
    booking = find_booking(session, municipality_id, receipt_no)
    return booking_view(session, booking, now or now_tokyo())


def staff_actor(who: StaffIdentity) -> Actor:
    """The audit-trail actor of a staff member, limited to their department unless admin."""
    return Actor(
        label=f"staff:{who.username}",
        staff_user_id=who.id,
        department_id=None if who.is_admin else who.department_id,
    )
