"""A bulky-waste booking as people see it: items, fee, tickets, change deadline, contact.

Read-only helpers shared by the desk, the JSON API and the LINE dialogue. The contact and the
whereabouts come from the booking's own ``booking_contact`` row, never from the resident's
(a resident's later booking must not change what an earlier one says).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import (
    Booking,
    BookingContact,
    BookingItem,
    BulkyItem,
    CollectionZone,
    Report,
)
from workflow.bookings.calendar import change_deadline
from workflow.bookings.fees import tickets_for_points
from workflow.bookings.place import Whereabouts
from workflow.clock import TOKYO
from workflow.errors import NotFoundError
from workflow.texts.resident import booking as texts

YEN_PER_POINT = 100


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    address: str | None = None


@dataclass(frozen=True)
class BookingLine:
    item_id: int
    name: str
    quantity: int
    fee_yen: int  # per unit, as charged at booking time
    subtotal_yen: int


@dataclass(frozen=True)
class BookingView:
    """A booking as the desk sees it; ``contact`` and ``whereabouts`` are personal data."""

    booking_id: int
    report_id: int
    receipt_no: str
    status: str
    report_status: str
    payment_status: str
    service_date: dt.date
    zone_name: str
    lines: tuple[BookingLine, ...]
    fee_total_yen: int
    tickets: tuple[int, int]
    change_deadline: dt.datetime
    changeable: bool
    resident_id: int | None
    contact: Contact | None
    note: str | None
    whereabouts: Whereabouts | None = None

    @property
    def ticket_instructions(self) -> str:
        return texts.ticket_text(self.tickets)

    @property
    def put_out_instructions(self) -> tuple[str, ...]:
        return texts.PUT_OUT_INSTRUCTIONS

    @property
    def facts(self) -> texts.ReminderFacts:
        items = [(line.name, line.quantity) for line in self.lines]
        return texts.ReminderFacts(
            self.receipt_no, self.service_date, items, self.fee_total_yen, self.tickets
        )


def find_booking(
    session: Session, municipality_id: int, receipt_no: str, lock: bool = False
) -> Booking:
    """The booking whose report has ``receipt_no`` (``lock``: FOR UPDATE of the booking row).

    Raises:
        NotFoundError: no bulky booking with that number.
    """
    query = (
        select(Booking)
        .join(
            Report,
            (Report.municipality_id == Booking.municipality_id) & (Report.id == Booking.report_id),
        )
        .where(Booking.municipality_id == municipality_id, Report.receipt_no == receipt_no)
    )
    booking = session.scalars(query.with_for_update(of=Booking) if lock else query).first()
    if booking is None:
        raise NotFoundError("booking_not_found", field="receipt_no", receipt_no=receipt_no)
    return booking


def _lines(session: Session, booking: Booking) -> tuple[BookingLine, ...]:
    rows = session.execute(
        select(BookingItem, BulkyItem.name)
        .join(
            BulkyItem,
            (BulkyItem.municipality_id == BookingItem.municipality_id)
            & (BulkyItem.id == BookingItem.item_id),
        )
        .where(
            BookingItem.municipality_id == booking.municipality_id,
            BookingItem.booking_id == booking.id,
        )
        .order_by(BookingItem.id)
    ).all()
    return tuple(
        BookingLine(i.item_id, name, i.quantity, i.fee_yen, i.fee_yen * i.quantity)
        for i, name in rows
    )


def _own_contact(session: Session, booking: Booking) -> BookingContact | None:
    return session.get(BookingContact, (booking.municipality_id, booking.id))


def _contact(row: BookingContact | None, report: Report) -> Contact | None:
    if row is None or not (row.name or row.phone):
        return None
    return Contact(row.name or "", row.phone or "", report.address)


def _whereabouts(row: BookingContact | None) -> Whereabouts | None:
    if row is None or row.address_line is None or row.put_out is None:
        return None
    return Whereabouts(row.address_line, row.put_out, row.put_out_note)


def booking_view(session: Session, booking: Booking, now: dt.datetime) -> BookingView:
    """The staff view of a booking, with items, fee, tickets and the change deadline."""
    mid = booking.municipality_id
    report = session.get_one(Report, (mid, booking.report_id))
    zone = session.get_one(CollectionZone, (mid, booking.zone_id))
    deadline = change_deadline(booking.service_date, TOKYO)
    own = _own_contact(session, booking)
    return BookingView(
        booking_id=booking.id,
        report_id=report.id,
        receipt_no=report.receipt_no,
        status=booking.status,
        report_status=report.status,
        payment_status=booking.payment_status,
        service_date=booking.service_date,
        zone_name=zone.name,
        lines=_lines(session, booking),
        fee_total_yen=booking.fee_total_yen,
        tickets=tickets_for_points(booking.fee_total_yen // YEN_PER_POINT),
        change_deadline=deadline,
        changeable=booking.status == "booked" and now <= deadline,
        resident_id=booking.resident_id,
        contact=_contact(own, report),
        note=booking.resident_note,
        whereabouts=_whereabouts(own),
    )


def resident_bookings(
    session: Session, municipality_id: int, resident_id: int, now: dt.datetime
) -> tuple[BookingView, ...]:
    """A resident's bookings still to come (``booked``), soonest first (for 「予約の確認」).

    Args:
        session: open session (read only).
        municipality_id: tenant.
        resident_id: the resident (LINE or web).
        now: current time (aware); earlier collection days are left out.
    """
    bookings = session.scalars(
        select(Booking)
        .where(
            Booking.municipality_id == municipality_id,
            Booking.resident_id == resident_id,
            Booking.status == "booked",
            Booking.service_date >= now.astimezone(TOKYO).date(),
        )
        .order_by(Booking.service_date, Booking.id)
    ).all()
    return tuple(booking_view(session, b, now) for b in bookings)
