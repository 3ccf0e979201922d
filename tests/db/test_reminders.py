"""Pickup reminders: the evening before at 18:00 and the morning of at 07:00, once each."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.models import Booking, Resident
from tests.conftest import MUNICIPALITY_ID
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.catalogue import search_items
from workflow.bookings.changes import cancel_booking
from workflow.bookings.reminders import enqueue_due_reminders
from workflow.clock import TOKYO
from workflow.db import session_scope
from workflow.reports.transitions import Actor

DAY = dt.date(2027, 6, 2)  # beyond the demo calendar: the test makes its own zone-day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TOKYO)


EVE = DAY - dt.timedelta(days=1)


def make_booking(session: Session, line_user_id: str | None) -> Booking:
    """A booking on DAY in zone A for a resident (with LINE when ``line_user_id``)."""
    zone = session.execute(
        text(
            "SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) "
            "AS lat FROM collection_zone WHERE municipality_id = :m AND code = 'A'"
        ),
        {"m": MUNICIPALITY_ID},
    ).one()
    session.execute(
        text(
            "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity) "
            "VALUES (:m, :z, :d, 12) ON CONFLICT DO NOTHING"
        ),
        {"m": MUNICIPALITY_ID, "z": zone.id, "d": DAY},
    )
    resident = Resident(
        municipality_id=MUNICIPALITY_ID, line_user_id=line_user_id, following=bool(line_user_id)
    )
    session.add(resident)
    session.flush()
    item = search_items(session, MUNICIPALITY_ID, "たんす")[0]
    request = BookingRequest(zone.lon, zone.lat, DAY, (ItemLine(item.id, 2),))
    today = DAY - dt.timedelta(days=7)
    booking = book(
        session, MUNICIPALITY_ID, request, channel="line", resident_id=resident.id, today=today
    )
    session.flush()
    return booking


def reminders(session: Session, booking: Booking) -> list[tuple[str, str]]:
    rows = session.execute(
        text(
            "SELECT dedupe_key, messages->0->>'text' AS body FROM outbox_message "
            "WHERE municipality_id = :m AND report_id = :r ORDER BY id"
        ),
        {"m": MUNICIPALITY_ID, "r": booking.report_id},
    ).all()
    return [(str(r.dedupe_key), str(r.body)) for r in rows]


def test_evening_reminder_at_18_and_only_once(db_session: Session) -> None:
    booking = make_booking(db_session, "U" + "e" * 32)
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(EVE, 17, 59)) == 0
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(EVE, 18, 0)) == 1
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(EVE, 18, 1)) == 0
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(EVE, 23, 59)) == 0
    [(key, body)] = reminders(db_session, booking)
    assert key == f"reminder:{booking.id}:eve"
    receipt = db_session.execute(
        text("SELECT receipt_no FROM report WHERE municipality_id = :m AND id = :r"),
        {"m": MUNICIPALITY_ID, "r": booking.report_id},
    ).scalar_one()
    assert receipt in body and "6月2日（水）" in body and "たんす×2" in body
    assert "1,000円" in body and "処理券" in body and "明日" in body


def test_morning_reminder_at_7(db_session: Session) -> None:
    booking = make_booking(db_session, "U" + "f" * 32)
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(DAY, 0, 30)) == 0  # eve: too late
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(DAY, 6, 59)) == 0
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(DAY, 7, 0)) == 1
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(DAY, 7, 5)) == 0
    assert [k for k, _ in reminders(db_session, booking)] == [f"reminder:{booking.id}:morning"]
    # A controlled clock given in UTC means the same instant.
    utc = at(DAY, 7, 10).astimezone(dt.UTC)
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, utc) == 0


def test_no_reminder_after_cancellation_or_without_line(db_session: Session) -> None:
    cancelled = make_booking(db_session, "U" + "a" * 32)
    receipt = db_session.execute(
        text("SELECT receipt_no FROM report WHERE municipality_id = :m AND id = :r"),
        {"m": MUNICIPALITY_ID, "r": cancelled.report_id},
    ).scalar_one()
    cancel_booking(
        db_session,
        MUNICIPALITY_ID,
        receipt,
        Actor("resident:line"),
        now=at(DAY, 9) - dt.timedelta(days=7),
    )
    phone_only = make_booking(db_session, None)
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(EVE, 18)) == 0
    assert enqueue_due_reminders(db_session, MUNICIPALITY_ID, at(DAY, 7)) == 0
    assert reminders(db_session, cancelled) == [] and reminders(db_session, phone_only) == []


@pytest.fixture()
def committed_booking(engine: Engine) -> Iterator[Booking]:
    with session_scope(engine) as session:
        booking = make_booking(session, "U" + "c" * 32)
    yield booking
    params = {"m": MUNICIPALITY_ID, "r": booking.report_id, "d": DAY}
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM outbox_message WHERE municipality_id = :m AND report_id = :r"), params
        )
        conn.execute(text("DELETE FROM report WHERE municipality_id = :m AND id = :r"), params)
        conn.execute(
            text("DELETE FROM resident WHERE municipality_id = :m AND line_user_id = :u"),
            {**params, "u": "U" + "c" * 32},
        )
        conn.execute(
            text("DELETE FROM collection_day WHERE municipality_id = :m AND service_date = :d"),
            params,
        )


def test_two_workers_racing_queue_each_reminder_once(
    engine: Engine, committed_booking: Booking
) -> None:
    start = threading.Barrier(2)
    added: list[int] = []

    def worker() -> None:
        with session_scope(engine) as session:
            start.wait()
            added.append(enqueue_due_reminders(session, MUNICIPALITY_ID, at(EVE, 18, 0)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(added) == [0, 1]
    with engine.connect() as conn:
        keys = (
            conn.execute(
                text(
                    "SELECT dedupe_key FROM outbox_message WHERE municipality_id = :m "
                    "AND report_id = :r"
                ),
                {"m": MUNICIPALITY_ID, "r": committed_booking.report_id},
            )
            .scalars()
            .all()
        )
    assert keys == [f"reminder:{committed_booking.id}:eve"]
