"""The worker side of LINE: additions to nearby reports, lists, failures, photo retries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import text

from tests.api.conftest import TACHIKAWA_PHONE, LineHarness, utc_now
from tests.support import line_booking as lb
from tests.support.line_events import (
    image_event,
    jpeg_with_gps,
    location_event,
    new_message_id,
    new_user_id,
    postback_event,
    text_event,
)
from workflow.reports.photos import MAX_PHOTO_ATTEMPTS
from workflow.texts.resident import line as texts

pytestmark = pytest.mark.db


def _text_of(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _report_to_send(harness: LineHarness, user: str, point: tuple[float, float]) -> None:
    """Walk a road-light report without photo or description up to the confirm step."""
    harness.send(postback_event(user, "flow=road"))
    harness.send(postback_event(user, "a=cat&c=road_light"))
    harness.send(location_event(user, *point))
    harness.send(text_event(user, texts.LABEL_NO_PHOTO))
    harness.send(postback_event(user, "a=nodesc"))


def _receipt_of(harness: LineHarness, user: str) -> str:
    return str(
        harness.scalar(
            "SELECT r.receipt_no FROM report r JOIN resident p ON p.municipality_id = "
            "r.municipality_id AND p.id = r.resident_id WHERE p.line_user_id = :u",
            u=user,
        )
    )


def _report_count(harness: LineHarness, user: str) -> int:
    return int(
        harness.scalar(
            "SELECT count(*) FROM report r JOIN resident p ON p.municipality_id = "
            "r.municipality_id AND p.id = r.resident_id WHERE p.line_user_id = :u",
            u=user,
        )
    )


def _photo(harness: LineHarness, message_id: str) -> Any:
    [row] = harness.rows("SELECT * FROM photo WHERE line_message_id = :id", id=message_id)
    return row


def test_second_resident_adds_to_the_open_report_nearby(harness: LineHarness) -> None:
    first, second = new_user_id(), new_user_id()
    _report_to_send(harness, first, (139.4155, 35.6980))
    harness.send(postback_event(first, "a=send"))
    receipt_no = _receipt_of(harness, first)
    photo = new_message_id()
    harness.line.add_content(photo, jpeg_with_gps(), "image/jpeg")

    harness.send(postback_event(second, "flow=road"))
    harness.send(postback_event(second, "a=cat&c=road_light"))
    nearby = harness.send(location_event(second, 139.41552, 35.69801))
    harness.send(postback_event(second, f"a=att&r={receipt_no}"))
    harness.send(image_event(second, photo))
    harness.send(postback_event(second, "a=pdone"))
    harness.send(text_event(second, "夜になっても点きません"))
    answer = harness.send(postback_event(second, "a=send"))

    assert receipt_no in _text_of(nearby)
    assert texts.ADDED_TO_REPORT.format(receipt_no=receipt_no) in _text_of(answer)
    assert _report_count(harness, second) == 0
    note = harness.scalar(
        "SELECT m.body FROM report_message m JOIN report r ON r.municipality_id = "
        "m.municipality_id AND r.id = m.report_id WHERE r.receipt_no = :no",
        no=receipt_no,
    )
    assert note == "夜になっても点きません"
    attached_to = harness.scalar(
        "SELECT r.receipt_no FROM photo f JOIN report r ON r.municipality_id = f.municipality_id "
        "AND r.id = f.report_id WHERE f.line_message_id = :id",
        id=photo,
    )
    assert attached_to == receipt_no


def test_my_reports_lists_the_residents_reports(harness: LineHarness) -> None:
    user = new_user_id()
    empty = harness.send(postback_event(user, "my=reports"))
    _report_to_send(harness, user, (139.4175, 35.6980))
    harness.send(postback_event(user, "a=send"))

    listed = harness.send(postback_event(user, "my=reports"))

    assert texts.MY_REPORTS_NONE in _text_of(empty)
    assert _receipt_of(harness, user) in _text_of(listed)


def test_bulky_flow_finds_the_zone_and_asks_exactly_where(harness: LineHarness) -> None:
    user = new_user_id()
    harness.send(postback_event(user, "flow=bulky"))

    answer = harness.send(location_event(user, 139.4055, 35.7000, address="東京都立川市錦町"))

    assert "東京都立川市錦町" in _text_of(answer) and "南部地区" in _text_of(answer)
    assert "番地・建物名・部屋番号" in _text_of(answer) and "準備中" not in _text_of(answer)


def test_failing_event_is_retried_then_given_up_with_one_apology(harness: LineHarness) -> None:
    user = new_user_id()
    harness.send(postback_event(user, "flow=road"))
    harness.send(postback_event(user, "a=cat&c=road_light"))
    harness.send(location_event(user, 139.4035, 35.7000))
    harness.send(image_event(user, "9" * 100))  # longer than photo.line_message_id allows
    harness.send(postback_event(user, "a=pdone"))
    harness.send(postback_event(user, "a=nodesc"))
    send = postback_event(user, "a=send")

    first = harness.send(send)
    for _ in range(3):
        harness.process()

    event = harness.rows(
        "SELECT attempts, processed_at, last_error FROM webhook_event WHERE webhook_event_id = :id",
        id=send["webhookEventId"],
    )[0]
    assert first == []
    assert event.attempts == 3 and event.processed_at is not None
    assert "StringDataRightTruncation" in event.last_error
    apologies = [
        m for m in harness.replies_to(send["replyToken"]) if "システムの不具合" in m["text"]
    ]
    assert len(apologies) == 1
    assert TACHIKAWA_PHONE in apologies[0]["text"]
    assert _report_count(harness, user) == 0
    after = harness.send(text_event(user, "やめる"))
    assert texts.CANCELLED in _text_of(after)


def _submit_with_photo(
    harness: LineHarness, point: tuple[float, float], *, on_line: bool = True
) -> str:
    user = new_user_id()
    photo = new_message_id()
    if on_line:
        harness.line.add_content(photo, jpeg_with_gps(), "image/jpeg")
    harness.send(postback_event(user, "flow=road"))
    harness.send(postback_event(user, "a=cat&c=road_light"))
    harness.send(location_event(user, *point))
    harness.send(image_event(user, photo))
    harness.send(postback_event(user, "a=pdone"))
    harness.send(postback_event(user, "a=nodesc"))
    harness.send(postback_event(user, "a=send"))
    return photo


def test_photo_download_is_retried_with_backoff(harness: LineHarness) -> None:
    photo = _submit_with_photo(harness, (139.4015, 35.7000))
    harness.line.fail_next(f"/v2/bot/message/{photo}/content", 500)

    harness.download_photos()
    after_failure = _photo(harness, photo)
    harness.download_photos()
    too_early = _photo(harness, photo)
    harness.download_photos(now=utc_now() + dt.timedelta(seconds=31))

    assert (after_failure.status, after_failure.attempts) == ("pending", 1)
    assert "HTTP 500" in after_failure.last_error
    assert too_early.attempts == 1
    stored = _photo(harness, photo)
    assert (stored.status, stored.attempts, stored.last_error) == ("stored", 2, None)


def test_photo_failing_every_attempt_ends_failed(harness: LineHarness) -> None:
    photo = _submit_with_photo(harness, (139.3995, 35.7000))
    harness.line.fail_next(f"/v2/bot/message/{photo}/content", 503, count=MAX_PHOTO_ATTEMPTS)

    for hours in range(MAX_PHOTO_ATTEMPTS + 1):
        harness.download_photos(now=utc_now() + dt.timedelta(hours=hours))

    failed = _photo(harness, photo)
    assert (failed.status, failed.attempts) == ("failed", MAX_PHOTO_ATTEMPTS)
    assert "HTTP 503" in failed.last_error


def test_photo_whose_downloads_never_finish_ends_failed(harness: LineHarness) -> None:
    photo = _submit_with_photo(harness, (139.4075, 35.7020))
    with harness.engine.begin() as conn:  # as if every leased attempt died with its worker
        conn.execute(
            text("UPDATE photo SET attempts = :n WHERE line_message_id = :id"),
            {"n": MAX_PHOTO_ATTEMPTS, "id": photo},
        )

    harness.download_photos(now=utc_now() + dt.timedelta(hours=2))

    failed = _photo(harness, photo)
    assert failed.status == "failed"
    assert "interrupted" in failed.last_error


def test_photo_that_line_no_longer_has_fails_at_once(harness: LineHarness) -> None:
    photo = _submit_with_photo(harness, (139.4095, 35.7020), on_line=False)

    harness.download_photos()

    failed = _photo(harness, photo)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "HTTP 404" in failed.last_error


def test_an_abandoned_booking_dialogue_forgets_the_name(harness: LineHarness) -> None:
    user, other = new_user_id(), new_user_id()
    lb.start(harness, user, 139.4055, 35.7000)
    lb.add_item(harness, user, "ふとん", 1)
    offered = lb.say(harness, user, "これで決定")
    lb.tap(harness, user, offered, "a=day&d=")
    lb.say(harness, user, "立川 花子")  # the dialogue now waits for the phone number
    harness.send(postback_event(other, "flow=bulky"))
    state = (
        "SELECT s.state::text FROM dialogue_state s JOIN resident p ON p.municipality_id = "
        "s.municipality_id AND p.id = s.resident_id WHERE p.line_user_id = :u"
    )
    assert "立川 花子" in harness.scalar(state, u=user)
    assert "コーポ立川" in harness.scalar(state, u=user)  # the address line is personal data too
    with harness.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE dialogue_state s SET updated_at = now() - interval '25 hours' FROM "
                "resident p WHERE p.municipality_id = s.municipality_id AND p.id = s.resident_id "
                "AND p.line_user_id = :u"
            ),
            {"u": user},
        )

    harness.process()

    assert harness.scalar(state, u=user) is None
    assert harness.scalar(state, u=other) is not None  # a dialogue in use stays
