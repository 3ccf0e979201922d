"""Cancel and move bookings in the workflow (as the LINE dialogue calls them)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import Resident
from tests.conftest import MUNICIPALITY_ID
from workflow.bookings.book import BookingRequest, ItemLine
from workflow.bookings.catalogue import search_items
from workflow.bookings.changes import cancel_booking, reschedule_booking
from workflow.bookings.place import Whereabouts
from workflow.bookings.reminders import enqueue_due_reminders
from workflow.bookings.views import Contact, resident_bookings
from workflow.clock import TOKYO
from workflow.errors import CapacityFullError, NotFoundError
from workflow.line.bookings import book_by_line
from workflow.reports.transitions import Actor

FIRST, SECOND = dt.date(2027, 7, 7), dt.date(2027, 7, 14)  # Wednesdays, own zone-days
NOW = dt.datetime(2027, 7, 1, 10, 0, tzinfo=TOKYO)
RESIDENT = Actor("resident:line")


def _setup(session: Session) -> tuple[int, int, float, float]:
    zone = session.execute(
        text(
            "SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) "
            "AS lat FROM collection_zone WHERE municipality_id = :m AND code = 'B'"
        ),
        {"m": MUNICIPALITY_ID},
    ).one()
    for day, capacity in ((FIRST, 12), (SECOND, 1)):
        session.execute(
            text(
                "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity) "
                "VALUES (:m, :z, :d, :c)"
            ),
            {"m": MUNICIPALITY_ID, "z": zone.id, "d": day, "c": capacity},
        )
    resident = Resident(
        municipality_id=MUNICIPALITY_ID, line_user_id="U" + "7" * 32, following=True
    )
    session.add(resident)
    session.flush()
    return int(zone.id), resident.id, float(zone.lon), float(zone.lat)


def _booked(session: Session, zone_id: int, day: dt.date) -> int:
    return int(
        session.execute(
            text(
                "SELECT booked FROM collection_day WHERE municipality_id = :m AND zone_id = :z "
                "AND service_date = :d"
            ),
            {"m": MUNICIPALITY_ID, "z": zone_id, "d": day},
        ).scalar_one()
    )


def test_resident_moves_then_cancels_their_booking(db_session: Session) -> None:
    zone_id, resident_id, lon, lat = _setup(db_session)
    item = search_items(db_session, MUNICIPALITY_ID, "ふとん")[0].id
    contact = Contact("立川 花子", "090-1234-5678")
    place = Whereabouts("1-2-3", "entrance")
    request = BookingRequest(
        lon, lat, FIRST, (ItemLine(item, 1),), contact=contact, whereabouts=place
    )
    view = book_by_line(db_session, MUNICIPALITY_ID, resident_id, request, NOW)
    assert [
        v.receipt_no for v in resident_bookings(db_session, MUNICIPALITY_ID, resident_id, NOW)
    ] == [view.receipt_no]
    with pytest.raises(NotFoundError):  # someone else's number is simply not found
        cancel_booking(db_session, MUNICIPALITY_ID, view.receipt_no, RESIDENT, NOW, resident_id + 1)
    moved = reschedule_booking(
        db_session, MUNICIPALITY_ID, view.receipt_no, SECOND, RESIDENT, NOW, resident_id
    )
    assert moved.service_date == SECOND
    assert (_booked(db_session, zone_id, FIRST), _booked(db_session, zone_id, SECOND)) == (0, 1)
    # A second booking cannot move into the now full day, and nothing changes.
    other = book_by_line(db_session, MUNICIPALITY_ID, resident_id, request, NOW)
    with db_session.begin_nested(), pytest.raises(CapacityFullError):
        reschedule_booking(db_session, MUNICIPALITY_ID, other.receipt_no, SECOND, RESIDENT, NOW)
    assert (_booked(db_session, zone_id, FIRST), _booked(db_session, zone_id, SECOND)) == (1, 1)
    cancelled = cancel_booking(
        db_session, MUNICIPALITY_ID, view.receipt_no, RESIDENT, NOW, resident_id
    )
    assert cancelled.status == "cancelled" and cancelled.report_status == "rejected"
    assert _booked(db_session, zone_id, SECOND) == 0
    eve = dt.datetime.combine(FIRST - dt.timedelta(days=1), dt.time(18), tzinfo=TOKYO)
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, eve) == 1  # only `other`
