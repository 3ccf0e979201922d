"""Bulky-waste use cases of the LINE dialogue: zone, catalogue, days, booking and changes.

Each runs inside the caller's transaction (the LINE processor's, one per webhook event).
Writes go through a savepoint, so a refused booking, cancel or move leaves nothing behind
while the dialogue's own state and replies still commit. The booking itself is
``workflow.bookings.book.book`` (the same row-locked slot as the phone desk); the name, phone,
address line and put-out place go only to that booking's ``booking_contact`` row, never onto the
report, and never over an earlier booking's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from geo.areas_db import find_zone
from geo.models import Booking
from workflow.bookings.book import BookingRequest, book
from workflow.bookings.calendar import BookingWindow, ZoneDay, zone_days
from workflow.bookings.catalogue import ItemHit, search_items
from workflow.bookings.changes import cancel_booking, reschedule_booking
from workflow.bookings.desk import check_contact, check_place, contact_of
from workflow.bookings.views import BookingView, booking_view, find_booking
from workflow.clock import TOKYO
from workflow.errors import InvalidInputError, NotFoundError
from workflow.reports.transitions import Actor

RESIDENT = Actor("resident:line")
MAX_HITS = 30


@dataclass(frozen=True)
class OpenedBooking:
    """A resident's booking about to change, with its zone's days for a move."""

    view: BookingView
    days: tuple[ZoneDay, ...]


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(TOKYO).date()


def zone_name_at(session: Session, municipality_id: int, lon: float, lat: float) -> str | None:
    """The name of the collection zone containing lon/lat (EPSG:4326), None outside all."""
    zone = find_zone(session, municipality_id, lon, lat)
    return zone.name if zone else None


def find_items(session: Session, municipality_id: int, query: str) -> tuple[ItemHit, ...]:
    """Catalogue hits for what the resident typed, best first; none for an unusable query."""
    try:
        return search_items(session, municipality_id, query, limit=MAX_HITS)
    except InvalidInputError:  # e.g. only punctuation: nothing to search for
        return ()


def days_at(
    session: Session, municipality_id: int, lon: float, lat: float, now: dt.datetime
) -> tuple[ZoneDay, ...]:
    """The booking window's days of the zone containing lon/lat; none outside every zone.

    Args:
        session: open session (read only).
        municipality_id: tenant.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.
        now: current time (aware); the window counts from its Asia/Tokyo date.
    """
    zone = find_zone(session, municipality_id, lon, lat)
    if zone is None:
        return ()
    return zone_days(session, municipality_id, zone.id, _today(now), BookingWindow())


def book_by_line(
    session: Session,
    municipality_id: int,
    resident_id: int,
    request: BookingRequest,
    now: dt.datetime,
) -> BookingView:
    """Book a pickup for a LINE resident: report + booking + items + its contact, or nothing.

    Args:
        session: open session inside the caller's transaction.
        municipality_id: tenant.
        resident_id: the LINE resident.
        request: what the dialogue collected: the name and phone as ``contact``, the address
            line and put-out place as ``whereabouts``.
        now: current time (aware); decides the booking window.

    Raises:
        InvalidInputError: bad name or phone, address line or put-out place, items, quantity
            or date.
        NotFoundError: an item no longer in the catalogue.
        OutsideAreaError: the place is outside every collection zone.
        CapacityFullError: the day filled up meanwhile (「満枠」).
    """
    contact = check_contact(contact_of(request))
    place = check_place(request)
    with session.begin_nested():
        booking = book(
            session,
            municipality_id,
            replace(request, contact=contact, whereabouts=place),
            channel="line",
            resident_id=resident_id,
            today=_today(now),
        )
        session.flush()
        return booking_view(session, booking, now)


def open_booking(
    session: Session, municipality_id: int, resident_id: int, receipt_no: str, now: dt.datetime
) -> OpenedBooking | None:
    """The resident's booking with ``receipt_no`` and its zone's days; None if not theirs.

    Another resident's number answers None too, so nobody learns that it exists.
    """
    try:
        booking: Booking = find_booking(session, municipality_id, receipt_no)
    except NotFoundError:
        return None
    if booking.resident_id != resident_id:
        return None
    days = zone_days(session, municipality_id, booking.zone_id, _today(now), BookingWindow())
    return OpenedBooking(booking_view(session, booking, now), days)


def cancel_from_line(
    session: Session, municipality_id: int, resident_id: int, receipt_no: str, now: dt.datetime
) -> BookingView:
    """Cancel the resident's booking before the cut-off (slot given back), or change nothing.

    Raises:
        NotFoundError: not the resident's booking.
        InvalidInputError: already cancelled or collected, or past the cut-off.
    """
    with session.begin_nested():
        return cancel_booking(
            session, municipality_id, receipt_no, RESIDENT, now, resident_id=resident_id
        )


def move_from_line(
    session: Session,
    municipality_id: int,
    resident_id: int,
    receipt_no: str,
    new_date: dt.date,
    now: dt.datetime,
) -> BookingView:
    """Move the resident's booking to another day of its zone, or change nothing.

    Raises:
        NotFoundError: not the resident's booking.
        InvalidInputError: past the cut-off, same date, outside the window, not a collection day.
        CapacityFullError: the new day is full.
    """
    with session.begin_nested():
        return reschedule_booking(
            session, municipality_id, receipt_no, new_date, RESIDENT, now, resident_id=resident_id
        )
