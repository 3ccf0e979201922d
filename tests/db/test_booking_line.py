"""The LINE booking use cases on real PostGIS: its own contact per booking, all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import Resident
from tests.conftest import MUNICIPALITY_ID
from workflow.bookings.book import BookingRequest, ItemLine
from workflow.bookings.catalogue import search_items
from workflow.bookings.place import Whereabouts
from workflow.bookings.views import Contact, resident_bookings
from workflow.clock import TOKYO
from workflow.errors import CapacityFullError, InvalidInputError, OutsideAreaError
from workflow.line import bookings as line_bookings
from workflow.texts.sentences import error_text

# Wednesdays, on which zone B never collects: zone-days of these tests alone.
FIRST, FULL, CLOSED, LATER = (dt.date(2027, 7, d) for d in (7, 14, 21, 28))
NOW = dt.datetime(2027, 7, 1, 10, 0, tzinfo=TOKYO)
OUTSIDE_TOWN = (139.7671, 35.6812)


def _q(session: Session, sql: str, **params: Any) -> Any:
    return session.execute(text(sql), {"m": MUNICIPALITY_ID, **params})


def _setup(session: Session) -> tuple[int, int, float, float]:
    zone = _q(
        session,
        "SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat "
        "FROM collection_zone WHERE municipality_id = :m AND code = 'B'",
    ).one()
    days = ((FIRST, 12, False), (FULL, 1, False), (CLOSED, 12, True), (LATER, 12, False))
    for day, capacity, closed in days:
        _q(
            session,
            "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity, "
            "closed, closed_reason) "
            "VALUES (:m, :z, :d, :c, :closed, CASE WHEN :closed THEN '臨時休業' END)",
            z=zone.id,
            d=day,
            c=capacity,
            closed=closed,
        )
    resident = Resident(municipality_id=MUNICIPALITY_ID, line_user_id="U" + "8" * 32)
    session.add(resident)
    session.flush()
    return int(zone.id), resident.id, float(zone.lon), float(zone.lat)


def _request(session: Session, x: float, y: float, day: dt.date, **changes: Any) -> Any:
    item = next(h for h in search_items(session, MUNICIPALITY_ID, "たんす") if h.accepted)
    values: dict[str, Any] = {
        "lon": x,
        "lat": y,
        "address": "立川市柏町一丁目",
        "service_date": day,
        "items": (ItemLine(item.id, 2),),
        "name": "立川　花子",
        "phone": "０９０ー１２３４ー５６７８",
        "address_line": "１－２－３　コーポ立川　１０１",
        "put_out": "collection_point",
        "put_out_note": None,
    }
    values.update(changes)
    contact = Contact(values.pop("name"), values.pop("phone"))
    place = Whereabouts(*(values.pop(k) for k in ("address_line", "put_out", "put_out_note")))
    return BookingRequest(**values, contact=contact, whereabouts=place)


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        int(_q(session, f"SELECT count(*) FROM {table}").scalar_one())
        for table in ("booking", "booking_item", "report", "booking_contact", "status_history")
    ) + (int(_q(session, "SELECT sum(booked) FROM collection_day").scalar_one()),)


def _booked(session: Session, zone_id: int, day: dt.date) -> int:
    return int(
        _q(
            session,
            "SELECT booked FROM collection_day WHERE municipality_id = :m AND zone_id = :z "
            "AND service_date = :d",
            z=zone_id,
            d=day,
        ).scalar_one()
    )


def _own_contact(session: Session, receipt_no: str) -> tuple[Any, ...]:
    return tuple(
        _q(
            session,
            "SELECT c.name, c.phone, c.address_line, c.put_out, c.put_out_note "
            "FROM booking_contact c JOIN booking b ON b.municipality_id = c.municipality_id "
            "AND b.id = c.booking_id JOIN report r ON r.municipality_id = b.municipality_id "
            "AND r.id = b.report_id WHERE r.municipality_id = :m AND r.receipt_no = :no",
            no=receipt_no,
        ).one()
    )


def test_a_line_booking_keeps_its_contact_apart_from_the_report(db_session: Session) -> None:
    zone_id, resident_id, lon, lat = _setup(db_session)
    view = line_bookings.book_by_line(
        db_session, MUNICIPALITY_ID, resident_id, _request(db_session, lon, lat, FIRST), NOW
    )
    assert (view.service_date, view.fee_total_yen, view.lines[0].quantity) == (FIRST, 1000, 2)
    assert _own_contact(db_session, view.receipt_no) == (
        "立川 花子",
        "090-1234-5678",
        "1-2-3 コーポ立川 101",
        "collection_point",
        None,
    )
    report = _q(
        db_session,
        "SELECT row_to_json(r)::text AS j, r.channel FROM report r JOIN booking b ON "
        "b.municipality_id = r.municipality_id AND b.report_id = r.id "
        "WHERE r.municipality_id = :m AND r.receipt_no = :no",
        no=view.receipt_no,
    ).one()
    assert report.channel == "line" and "花子" not in report.j and "1234" not in report.j
    assert "コーポ" not in report.j
    assert _booked(db_session, zone_id, FIRST) == 1


def test_two_bookings_of_one_resident_keep_their_own_contact(db_session: Session) -> None:
    _zone, resident_id, lon, lat = _setup(db_session)
    first = line_bookings.book_by_line(
        db_session, MUNICIPALITY_ID, resident_id, _request(db_session, lon, lat, FIRST), NOW
    )
    later = _request(
        db_session,
        lon,
        lat,
        LATER,
        name="砂川 一郎",
        phone="042-000-5678",
        address_line="4-5-6",
        put_out="other",
        put_out_note="門の右側、青いシートの下",
    )
    second = line_bookings.book_by_line(db_session, MUNICIPALITY_ID, resident_id, later, NOW)
    assert _own_contact(db_session, first.receipt_no)[:3] == (
        "立川 花子",
        "090-1234-5678",
        "1-2-3 コーポ立川 101",
    )
    assert _own_contact(db_session, second.receipt_no) == (
        "砂川 一郎",
        "042-000-5678",
        "4-5-6",
        "other",
        "門の右側、青いシートの下",
    )
    views = resident_bookings(db_session, MUNICIPALITY_ID, resident_id, NOW)
    names = {v.receipt_no: (v.contact.name if v.contact else None) for v in views}
    assert names == {first.receipt_no: "立川 花子", second.receipt_no: "砂川 一郎"}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"service_date": FULL}, CapacityFullError),
        ({"service_date": CLOSED}, InvalidInputError),
        ({"phone": "12345"}, InvalidInputError),
        ({"address_line": "　"}, InvalidInputError),
        ({"put_out": "garden"}, InvalidInputError),
        ({"put_out": "other"}, InvalidInputError),  # その他 needs a note
        ({"lon": OUTSIDE_TOWN[0], "lat": OUTSIDE_TOWN[1]}, OutsideAreaError),
        ({"items": (ItemLine(1, 11),)}, InvalidInputError),
    ],
)
def test_a_refused_line_booking_writes_nothing(
    db_session: Session, changes: dict[str, Any], error: type[Exception]
) -> None:
    _zone, resident_id, lon, lat = _setup(db_session)
    filler = line_bookings.book_by_line(
        db_session, MUNICIPALITY_ID, resident_id, _request(db_session, lon, lat, FULL), NOW
    )
    assert filler.service_date == FULL
    newcomer = Resident(municipality_id=MUNICIPALITY_ID, line_user_id="U" + "9" * 32)
    db_session.add(newcomer)
    db_session.flush()
    before = _counts(db_session)
    request = _request(db_session, lon, lat, FIRST, **changes)
    with pytest.raises(error):
        line_bookings.book_by_line(db_session, MUNICIPALITY_ID, newcomer.id, request, NOW)
    assert _counts(db_session) == before  # not even the contact row


def test_the_zone_days_show_free_full_and_closed_days(db_session: Session) -> None:
    _zone, resident_id, lon, lat = _setup(db_session)
    line_bookings.book_by_line(
        db_session, MUNICIPALITY_ID, resident_id, _request(db_session, lon, lat, FULL), NOW
    )
    found = line_bookings.days_at(db_session, MUNICIPALITY_ID, lon, lat, NOW)
    days = {d.service_date: d for d in found}
    assert (days[FIRST].free, days[FIRST].closed_reason) == (12, None)
    assert days[FULL].free == 0 and days[CLOSED].closed_reason == "臨時休業"
    assert min(days) >= dt.date(2027, 7, 4) and max(days) <= dt.date(2027, 7, 29)
    assert line_bookings.days_at(db_session, MUNICIPALITY_ID, *OUTSIDE_TOWN, NOW) == ()


def test_only_the_resident_opens_changes_and_not_after_the_cutoff(db_session: Session) -> None:
    zone_id, resident_id, lon, lat = _setup(db_session)
    view = line_bookings.book_by_line(
        db_session, MUNICIPALITY_ID, resident_id, _request(db_session, lon, lat, FIRST), NOW
    )
    receipt = view.receipt_no
    open_booking = line_bookings.open_booking
    assert open_booking(db_session, MUNICIPALITY_ID, resident_id + 1, receipt, NOW) is None
    assert open_booking(db_session, MUNICIPALITY_ID, resident_id, "B-0", NOW) is None
    opened = open_booking(db_session, MUNICIPALITY_ID, resident_id, receipt, NOW)
    assert opened is not None and opened.view.changeable
    assert {d.service_date for d in opened.days} >= {FIRST, FULL, CLOSED}

    late = dt.datetime(2027, 7, 5, 17, 1, tzinfo=TOKYO)  # 17:00 two working days before 7/7
    too_late = line_bookings.open_booking(db_session, MUNICIPALITY_ID, resident_id, receipt, late)
    assert too_late is not None and not too_late.view.changeable
    before = _counts(db_session)
    with pytest.raises(InvalidInputError) as cancel_refused:
        line_bookings.cancel_from_line(db_session, MUNICIPALITY_ID, resident_id, receipt, late)
    with pytest.raises(InvalidInputError) as move_refused:
        line_bookings.move_from_line(db_session, MUNICIPALITY_ID, resident_id, receipt, FULL, late)
    assert "取消の受付期限" in error_text(cancel_refused.value)
    assert "日程変更の受付期限" in error_text(move_refused.value)
    assert _counts(db_session) == before
    cancelled = line_bookings.cancel_from_line(
        db_session, MUNICIPALITY_ID, resident_id, receipt, NOW
    )
    assert cancelled.status == "cancelled" and _booked(db_session, zone_id, FIRST) == 0


def test_a_move_into_a_full_day_changes_nothing(db_session: Session) -> None:
    zone_id, resident_id, lon, lat = _setup(db_session)
    view = line_bookings.book_by_line(
        db_session, MUNICIPALITY_ID, resident_id, _request(db_session, lon, lat, FIRST), NOW
    )
    _q(
        db_session,
        "UPDATE collection_day SET capacity = 0 WHERE municipality_id = :m AND zone_id = :z "
        "AND service_date = :d",
        z=zone_id,
        d=FULL,
    )
    before = _counts(db_session)
    with pytest.raises(CapacityFullError):
        line_bookings.move_from_line(
            db_session, MUNICIPALITY_ID, resident_id, view.receipt_no, FULL, NOW
        )
    assert _counts(db_session) == before and _booked(db_session, zone_id, FIRST) == 1
    moved = line_bookings.move_from_line(
        db_session, MUNICIPALITY_ID, resident_id, view.receipt_no, LATER, NOW
    )
    assert moved.service_date == LATER
