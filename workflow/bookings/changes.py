"""Changing a bulky-waste booking: cancel, move to another day, record the payment.

Cancel and move are allowed until 17:00 two working days before the collection date
(Asia/Tokyo), when the day's worksheets are being prepared. Each change runs inside the
caller's transaction: the booking row is locked, the slot counts and the report's audit trail
change together, so a failure leaves nothing half done.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import Booking, Department, Report, StatusHistory
from geo.models.bulky import PAYMENT_STATUSES
from workflow.bookings.book import take_slot
from workflow.bookings.calendar import BookingWindow, change_deadline
from workflow.bookings.views import BookingView, booking_view, find_booking
from workflow.clock import TOKYO, now_tokyo
from workflow.errors import ForbiddenError, InvalidInputError, NotFoundError
from workflow.reports.transitions import Actor, transition
from workflow.texts.resident import booking as texts
from workflow.texts.resident.booking import date_ja

CANCEL_TO_STATUS = "rejected"  # report_status has no 'cancelled'; see cancel_booking


def _load_for(
    session: Session, municipality_id: int, receipt_no: str, actor: Actor, resident_id: int | None
) -> Booking:
    booking = find_booking(session, municipality_id, receipt_no, lock=True)
    if resident_id is not None and booking.resident_id != resident_id:
        # A resident must not learn that someone else's number exists.
        raise NotFoundError("booking_not_found", field="receipt_no", receipt_no=receipt_no)
    if actor.department_id is not None:
        report = session.get_one(Report, (municipality_id, booking.report_id))
        if report.department_id != actor.department_id:
            raise ForbiddenError("bulky_change_only", field="staff")
    return booking


def _load_changeable(
    session: Session,
    municipality_id: int,
    receipt_no: str,
    action: str,
    now: dt.datetime,
    resident_id: int | None,
    actor: Actor,
) -> Booking:
    booking = _load_for(session, municipality_id, receipt_no, actor, resident_id)
    if booking.status != "booked":
        raise InvalidInputError("booking_not_booked", field="status", status=booking.status)
    deadline = change_deadline(booking.service_date, TOKYO)
    if now > deadline:
        report = session.get_one(Report, (municipality_id, booking.report_id))
        department = session.get_one(Department, (municipality_id, report.department_id))
        raise InvalidInputError(
            "too_late",
            field="service_date",
            action=action,
            deadline=deadline,
            phone=department.phone,
        )
    return booking


def release_slot(session: Session, municipality_id: int, zone_id: int, day: dt.date) -> None:
    """Give one slot of a zone-day back (``booked - 1``; the CHECK keeps it >= 0)."""
    session.execute(
        text(
            "UPDATE collection_day SET booked = booked - 1 WHERE municipality_id = :m "
            "AND zone_id = :z AND service_date = :d"
        ),
        {"m": municipality_id, "z": zone_id, "d": day},
    )


def cancel_booking(
    session: Session,
    municipality_id: int,
    receipt_no: str,
    actor: Actor,
    now: dt.datetime | None = None,
    resident_id: int | None = None,
) -> BookingView:
    """Cancel a booking before the cut-off and give its slot back, in the caller's transaction.

    The booking becomes ``cancelled``; its report is closed as ``rejected`` (grey, off the
    working map and out of route planning) with a history note saying it was a cancellation,
    not a refusal. No status notice is queued: the channel that cancels confirms it itself.
    Pending reminders of the booking are dropped.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        receipt_no: the booking's receipt number (``B-2026-000123``).
        actor: who cancels (staff, or ``resident:line``).
        now: current time (aware).
        resident_id: when a resident acts, their id; other residents' bookings are not found.

    Raises:
        NotFoundError: no such booking (or not the resident's).
        InvalidInputError: already cancelled or collected, or past the cut-off.
    """
    now = now or now_tokyo()
    booking = _load_changeable(
        session, municipality_id, receipt_no, "cancel", now, resident_id, actor
    )
    release_slot(session, municipality_id, booking.zone_id, booking.service_date)
    booking.status, booking.cancelled_at = "cancelled", now
    transition(
        session,
        municipality_id,
        booking.report_id,
        CANCEL_TO_STATUS,
        actor,
        note=texts.CANCEL_NOTE.format(by=actor.label),
        now=now,
    )
    _drop_reminders(session, municipality_id, booking.report_id)
    session.flush()
    return booking_view(session, booking, now)


def _drop_reminders(session: Session, municipality_id: int, report_id: int) -> None:
    session.execute(
        text(
            "DELETE FROM outbox_message WHERE municipality_id = :m AND report_id = :r "
            "AND purpose = 'reminder' AND status = 'pending'"
        ),
        {"m": municipality_id, "r": report_id},
    )


def _lock_days(session: Session, municipality_id: int, zone_id: int, days: list[dt.date]) -> None:
    # Lock both zone-days in date order so two opposite moves cannot deadlock.
    session.execute(
        text(
            "SELECT 1 FROM collection_day WHERE municipality_id = :m AND zone_id = :z "
            "AND service_date = ANY(:days) ORDER BY service_date FOR UPDATE"
        ),
        {"m": municipality_id, "z": zone_id, "days": sorted(days)},
    )


def reschedule_booking(
    session: Session,
    municipality_id: int,
    receipt_no: str,
    new_date: dt.date,
    actor: Actor,
    now: dt.datetime | None = None,
    resident_id: int | None = None,
) -> BookingView:
    """Move a booking to another collection day of its zone before the cut-off.

    The new day's slot is taken and the old one released in the same transaction.

    Raises:
        NotFoundError: no such booking.
        InvalidInputError: past the cut-off, same date, outside the window, not a collection day.
        CapacityFullError: the new day is full.
    """
    now = now or now_tokyo()
    booking = _load_changeable(
        session, municipality_id, receipt_no, "move", now, resident_id, actor
    )
    if new_date == booking.service_date:
        raise InvalidInputError("same_date", field="service_date")
    _check_window(new_date, now.astimezone(TOKYO).date(), BookingWindow())
    old = booking.service_date
    _lock_days(session, municipality_id, booking.zone_id, [old, new_date])
    take_slot(session, municipality_id, booking.zone_id, new_date)
    release_slot(session, municipality_id, booking.zone_id, old)
    booking.service_date = new_date
    note = texts.RESCHEDULE_NOTE.format(
        old=texts.date_ja(old), new=texts.date_ja(new_date), by=actor.label
    )
    _note_on_report(session, municipality_id, booking.report_id, actor, note, now)
    session.flush()
    return booking_view(session, booking, now)


def _check_window(day: dt.date, today: dt.date, window: BookingWindow) -> None:
    if not window.holds(day, today):
        raise InvalidInputError(
            "date_outside_window",
            field="service_date",
            first=date_ja(window.first_day(today)),
            last=date_ja(window.last_day(today)),
        )


def _note_on_report(
    session: Session, municipality_id: int, report_id: int, actor: Actor, note: str,
    now: dt.datetime,
) -> None:  # fmt: skip
    """A history row that keeps the status (a change of day, of payment) and says why."""
    report = session.get_one(Report, (municipality_id, report_id))
    session.add(
        StatusHistory(
            municipality_id=municipality_id,
            report_id=report.id,
            from_status=report.status,
            to_status=report.status,
            staff_user_id=actor.staff_user_id,
            actor=actor.label,
            note=note,
            changed_at=now,
        )
    )
    report.updated_at = now


def set_payment_status(
    session: Session,
    municipality_id: int,
    receipt_no: str,
    payment_status: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> BookingView:
    """Record how the fee is paid: ``unpaid``, ``ticket`` (処理券) or ``paid_online``.

    Raises:
        NotFoundError: no such booking.
        ForbiddenError: the actor is limited to another department.
        InvalidInputError: unknown payment status.
    """
    now = now or now_tokyo()
    if payment_status not in PAYMENT_STATUSES:
        raise InvalidInputError("payment_status_unknown", field="payment_status")
    booking = _load_for(session, municipality_id, receipt_no, actor, None)
    booking.payment_status = payment_status
    session.flush()
    return booking_view(session, booking, now)
