"""`machi demo seed-reports`: reports made as real intake makes them."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import MUNICIPALITY_ID
from workflow.demo.seed import seed_reports


def _rows(session: Session, sql: str) -> list[object]:
    return list(session.execute(text(sql), {"m": MUNICIPALITY_ID}).all())


def test_seeded_reports_are_mixed_and_consistent(db_session: Session) -> None:
    result = seed_reports(db_session, MUNICIPALITY_ID, 120, seed=7)
    assert result.created == 120
    assert {"road", "bulky"} <= set(result.by_kind)
    assert len(result.by_status) >= 3
    total = db_session.execute(
        text("SELECT count(*) FROM report WHERE municipality_id = :m"), {"m": MUNICIPALITY_ID}
    ).scalar_one()
    assert total == 120
    # LINE reports have a resident who can be notified
    orphan = _rows(
        db_session,
        "SELECT r.id FROM report r LEFT JOIN resident p ON p.municipality_id = "
        "r.municipality_id AND p.id = r.resident_id WHERE r.channel = 'line' "
        "AND p.line_user_id IS NULL",
    )
    assert orphan == []
    # every report lies in a district of the town, and its status matches its last history row
    outside = _rows(
        db_session, "SELECT id FROM report WHERE municipality_id = :m AND district_id IS NULL"
    )
    assert outside == []
    mismatched = _rows(
        db_session,
        "SELECT r.id FROM report r WHERE r.status <> (SELECT h.to_status "
        "FROM status_history h WHERE h.municipality_id = r.municipality_id "
        "AND h.report_id = r.id ORDER BY h.changed_at DESC, h.id DESC LIMIT 1)",
    )
    assert mismatched == []


def test_seeded_bookings_fill_real_calendar_slots(db_session: Session) -> None:
    seed_reports(db_session, MUNICIPALITY_ID, 200, seed=3)
    bookings = db_session.execute(
        text("SELECT count(*) FROM booking WHERE municipality_id = :m"), {"m": MUNICIPALITY_ID}
    ).scalar_one()
    assert bookings > 0
    off = _rows(
        db_session,
        "SELECT c.zone_id, c.service_date FROM collection_day c WHERE c.booked <> "
        "(SELECT count(*) FROM booking b WHERE b.municipality_id = c.municipality_id "
        "AND b.zone_id = c.zone_id AND b.service_date = c.service_date "
        "AND b.status = 'booked')",
    )
    assert off == []
    no_items = _rows(
        db_session,
        "SELECT b.id FROM booking b WHERE NOT EXISTS (SELECT 1 FROM "
        "booking_item i WHERE i.municipality_id = b.municipality_id AND "
        "i.booking_id = b.id)",
    )
    assert no_items == []
