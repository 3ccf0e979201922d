"""Bulky-waste bookings: validate items and date, take a slot atomically, create the report.

``BookingRequest`` is what every way of booking collects: the phone desk
(``workflow.bookings.desk.book_by_phone``), the LINE dialogue
(``workflow.line.bookings.book_by_line``); demo data and benchmarks call ``book`` directly.
Each booking keeps its own ``booking_contact`` row (name, phone, address line, put-out place),
written here in the same transaction, so every channel stores them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.models import Booking, BookingContact, BookingItem, BulkyItem, CollectionDay
from workflow.bookings.calendar import BookingWindow, zone_of
from workflow.bookings.place import Whereabouts, check_whereabouts
from workflow.bookings.views import Contact
from workflow.clock import today_tokyo
from workflow.errors import CapacityFullError, InvalidInputError, NotFoundError
from workflow.reports.create import ReportDraft, create_report
from workflow.texts.resident.booking import date_ja

MAX_ITEMS_PER_BOOKING = 10
BULKY_CATEGORY = "bulky_pickup"


@dataclass(frozen=True)
class ItemLine:
    item_id: int
    quantity: int


@dataclass(frozen=True)
class BookingRequest:
    """A pickup request, however it came. lon/lat in EPSG:4326; ``service_date`` in Asia/Tokyo.

    ``address`` is the pickup place as given (the report and the crew's sheet show it);
    ``contact`` the name and phone of the person booking and ``whereabouts`` the address line
    and put-out place: personal data, stored apart in the booking's own ``booking_contact``
    row, never on the report. Demo data books without them.
    """

    lon: float
    lat: float
    service_date: dt.date
    items: tuple[ItemLine, ...]
    address: str | None = None
    contact: Contact | None = None
    note: str | None = None
    whereabouts: Whereabouts | None = None


def _check_lines(items: tuple[ItemLine, ...]) -> None:
    if not items:
        raise InvalidInputError("items_missing", field="items")
    for line in items:
        if not 1 <= line.quantity <= MAX_ITEMS_PER_BOOKING:
            raise InvalidInputError(
                "quantity_out_of_range", field="items.quantity", max=MAX_ITEMS_PER_BOOKING
            )
    if sum(line.quantity for line in items) > MAX_ITEMS_PER_BOOKING:
        raise InvalidInputError("too_many_items", field="items", max=MAX_ITEMS_PER_BOOKING)


def _load_items(
    session: Session, municipality_id: int, items: tuple[ItemLine, ...]
) -> dict[int, BulkyItem]:
    ids = {line.item_id for line in items}
    found = {
        i.id: i
        for i in session.scalars(
            select(BulkyItem).where(
                BulkyItem.municipality_id == municipality_id, BulkyItem.id.in_(ids)
            )
        )
    }
    for item_id in ids - found.keys():
        raise NotFoundError("item_not_found", field="items.item_id", item_id=item_id)
    for item in found.values():
        if not item.accepted:
            raise InvalidInputError(
                "item_not_accepted",
                field="items.item_id",
                name=item.name,
                reason=item.refusal_reason,
            )
    return found


def take_slot(session: Session, municipality_id: int, zone_id: int, day: dt.date) -> None:
    """Take one slot of a zone-day atomically; the row lock serialises concurrent bookings.

    Raises:
        CapacityFullError: the day is full (「満枠」).
        InvalidInputError: the zone does not collect on that day, or the day is closed.
    """
    taken = session.execute(
        text(
            "UPDATE collection_day SET booked = booked + 1 WHERE municipality_id = :m "
            "AND zone_id = :z AND service_date = :d AND NOT closed AND booked < capacity "
            "RETURNING booked"
        ),
        {"m": municipality_id, "z": zone_id, "d": day},
    ).first()
    if taken is not None:
        return
    exists = session.get(CollectionDay, (municipality_id, zone_id, day))
    if exists is None:
        raise InvalidInputError("not_collection_day", field="service_date")
    if exists.closed:
        raise InvalidInputError("day_closed", field="service_date", reason=exists.closed_reason)
    raise CapacityFullError("capacity_full", field="service_date")


def _add_booking(
    session: Session,
    municipality_id: int,
    request: BookingRequest,
    report_id: int,
    zone_id: int,
    items: dict[int, BulkyItem],
    resident_id: int | None,
) -> Booking:
    booking = Booking(
        municipality_id=municipality_id,
        report_id=report_id,
        zone_id=zone_id,
        service_date=request.service_date,
        resident_id=resident_id,
        fee_total_yen=sum((items[x.item_id].fee_yen or 0) * x.quantity for x in request.items),
        size_points_total=sum(items[x.item_id].size_points * x.quantity for x in request.items),
        resident_note=request.note,
    )
    session.add(booking)
    session.flush()
    session.add_all(
        BookingItem(
            municipality_id=municipality_id,
            booking_id=booking.id,
            item_id=x.item_id,
            quantity=x.quantity,
            fee_yen=items[x.item_id].fee_yen or 0,
            size_points=items[x.item_id].size_points,
        )
        for x in request.items
    )
    return booking


def _check_window(request: BookingRequest, today: dt.date, window: BookingWindow) -> None:
    if not window.holds(request.service_date, today):
        raise InvalidInputError(
            "date_outside_window",
            field="service_date",
            first=date_ja(window.first_day(today)),
            last=date_ja(window.last_day(today)),
        )


def _checked_place(request: BookingRequest) -> Whereabouts | None:
    # Checked again here, so a request built by hand cannot store an unchecked place.
    place = request.whereabouts
    if place is None:
        return None
    return check_whereabouts(place.address_line, place.put_out, place.put_out_note)


def _add_contact(
    session: Session, booking: Booking, request: BookingRequest, place: Whereabouts | None
) -> None:
    """The booking's own contact row; none when the request carries neither contact nor place."""
    contact = request.contact
    if contact is None and place is None:
        return
    session.add(
        BookingContact(
            municipality_id=booking.municipality_id,
            booking_id=booking.id,
            name=contact.name if contact else None,
            phone=contact.phone if contact else None,
            address_line=place.address_line if place else None,
            put_out=place.put_out if place else None,
            put_out_note=place.put_out_note if place else None,
        )
    )


def book(
    session: Session,
    municipality_id: int,
    request: BookingRequest,
    *,
    channel: str,
    resident_id: int | None = None,
    today: dt.date | None = None,
    window: BookingWindow | None = None,
) -> Booking:
    """Book a pickup inside the caller's transaction (report + booking + items + contact).

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        request: place, date, items, address, contact, whereabouts and note.
        channel: the way of booking, as the report records it (``phone``, ``line``).
        resident_id: the resident booking, if known.
        today: the Asia/Tokyo date the booking window counts from; defaults to today.
        window: how many days ahead may be booked.

    Raises:
        OutsideAreaError: the place is outside every collection zone.
        InvalidInputError / NotFoundError: bad items, quantity, date, address line or put-out
            place (see ``check_whereabouts``).
        CapacityFullError: no slot left that day.
    """
    _check_lines(request.items)
    place = _checked_place(request)
    items = _load_items(session, municipality_id, request.items)
    zone_id, _zone_name = zone_of(session, municipality_id, request.lon, request.lat)
    _check_window(request, today or today_tokyo(), window or BookingWindow())
    take_slot(session, municipality_id, zone_id, request.service_date)
    draft = ReportDraft(
        BULKY_CATEGORY,
        request.lon,
        request.lat,
        channel,
        address=request.address,
        resident_id=resident_id,
    )
    report = create_report(session, municipality_id, draft)
    mid = municipality_id
    booking = _add_booking(session, mid, request, report.id, zone_id, items, resident_id)
    _add_contact(session, booking, request, place)
    return booking
