"""The web report use cases on the real PostGIS: all or nothing, PIN hashes, PIN lock-out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import MUNICIPALITY_ID
from tests.support.line_events import jpeg_with_gps
from tests.support.resident_web import place
from workflow.reports.images import clean_image
from workflow.texts.sentences import error_text
from workflow.web.reports import WebReportSubmission, submit_web_report
from workflow.web.status import PinLockedError, PinRefusedError, look_up_web_report

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def _next_id(session: Session, table: str) -> int:
    sequence = session.execute(
        text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}
    ).scalar_one()
    row = session.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()
    return int(row.last_value) + (1 if row.is_called else 0)


def _counters(session: Session) -> list[tuple[str, int, int]]:
    rows = session.execute(
        text(
            "SELECT prefix, year, last_value FROM receipt_counter WHERE municipality_id = :m "
            "ORDER BY 1, 2"
        ),
        {"m": MUNICIPALITY_ID},
    )
    return [tuple(row) for row in rows]


def _form(n: int, photos: int = 0) -> WebReportSubmission:
    lon, lat = place(n)
    image = clean_image(jpeg_with_gps((320, 240)))
    return WebReportSubmission("road", "road_crack", lon, lat, "段差", None, (image,) * photos)


def test_a_photo_that_cannot_be_stored_leaves_no_report_and_no_file(
    db_session: Session, tmp_path: Path
) -> None:
    report_id, photo_id = _next_id(db_session, "report"), _next_id(db_session, "photo")
    folder = tmp_path / str(MUNICIPALITY_ID) / str(report_id)
    (folder / f"{photo_id + 1}_thumb.part").mkdir(parents=True)  # the 2nd thumbnail fails
    counters = _counters(db_session)

    with pytest.raises(OSError):
        submit_web_report(db_session, MUNICIPALITY_ID, _form(9, photos=2), tmp_path, 30.0, NOW)

    left = db_session.execute(
        text("SELECT count(*) FROM report WHERE id >= :id"), {"id": report_id}
    )
    assert left.scalar_one() == 0
    # its number was taken and stays unused (欠番, workflow.reports.receipts): one, not reused
    before = {(prefix, year): value for prefix, year, value in counters}
    after = {(prefix, year): value for prefix, year, value in _counters(db_session)}
    assert after == {**before, ("R", NOW.year): before.get(("R", NOW.year), 0) + 1}
    assert sorted(p.name for p in folder.iterdir()) == [f"{photo_id + 1}_thumb.part"]


def test_only_the_pins_hash_is_stored_and_it_opens_the_status(
    db_session: Session, tmp_path: Path
) -> None:
    receipt = submit_web_report(db_session, MUNICIPALITY_ID, _form(9), tmp_path, 30.0, NOW)

    stored = db_session.execute(text("SELECT pin_hash FROM report_pin")).scalars().all()
    view = look_up_web_report(
        db_session, MUNICIPALITY_ID, receipt.receipt_no, receipt.pin, "k", NOW
    )
    assert len(receipt.pin) == 6 and receipt.pin.isdigit()
    assert all(receipt.pin not in value for value in stored) and stored[-1].startswith("$argon2")
    assert (view.receipt_no, view.status, view.added) == (receipt.receipt_no, "received", False)
    assert [step.status for step in view.history] == ["received"]


def test_five_wrong_pins_lock_the_receipt_for_fifteen_minutes(
    db_session: Session, tmp_path: Path
) -> None:
    receipt = submit_web_report(db_session, MUNICIPALITY_ID, _form(9), tmp_path, 30.0, NOW)
    wrong = "000000" if receipt.pin != "000000" else "111111"
    for minute in range(5):
        with pytest.raises(PinRefusedError):
            at = NOW + dt.timedelta(minutes=minute)
            look_up_web_report(db_session, MUNICIPALITY_ID, receipt.receipt_no, wrong, "a", at)

    soon = NOW + dt.timedelta(minutes=6)
    with pytest.raises(PinLockedError) as locked:
        look_up_web_report(db_session, MUNICIPALITY_ID, receipt.receipt_no, receipt.pin, "b", soon)
    later = NOW + dt.timedelta(minutes=20)
    view = look_up_web_report(
        db_session, MUNICIPALITY_ID, receipt.receipt_no, receipt.pin, "b", later
    )

    assert "042-523-2111" in error_text(locked.value) and locked.value.field == "pin"
    assert view.receipt_no == receipt.receipt_no


def test_one_client_guessing_many_receipts_is_locked_out(
    db_session: Session, tmp_path: Path
) -> None:
    receipt = submit_web_report(db_session, MUNICIPALITY_ID, _form(9), tmp_path, 30.0, NOW)
    for n in range(20):
        with pytest.raises(PinRefusedError):
            look_up_web_report(db_session, MUNICIPALITY_ID, f"R-2026-9{n:05d}", "123456", "x", NOW)

    with pytest.raises(PinLockedError):
        look_up_web_report(db_session, MUNICIPALITY_ID, receipt.receipt_no, receipt.pin, "x", NOW)
    other = look_up_web_report(
        db_session, MUNICIPALITY_ID, receipt.receipt_no, receipt.pin, "y", NOW
    )
    assert other.receipt_no == receipt.receipt_no
