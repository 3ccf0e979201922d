"""A resident reports a disaster over LINE: real signed webhook, worker, SDK and PostGIS.

The 災害情報 flow is open only while the municipality is in disaster mode; each test sets the
mode for its own block (``disaster_mode`` puts the previous value back). Taps use the quick
replies the bot really offered, found by their Japanese labels.
"""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from tests.api.conftest import TACHIKAWA_PHONE, LineHarness
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
from tests.support.resident_web import disaster_mode
from workflow.texts.resident import line as texts

pytestmark = pytest.mark.db

SHIBASAKI = (139.4030, 35.6935)  # 柴崎町一丁目, away from every other LINE test's place
Replies = list[dict[str, Any]]


def _tap(harness: LineHarness, user: str, replies: Replies, label: str) -> Replies:
    """Tap the postback quick reply (or Flex button) with this label on the last answer."""
    offered = dict(lb.postbacks(replies[-1:]))
    assert label in offered, f"{label} not offered in {lb.text_of(replies)}"
    return harness.send(postback_event(user, offered[label]))


def _labels(replies: Replies) -> list[str]:
    items = replies[-1].get("quickReply", {}).get("items", [])
    return [item["action"].get("label", "") for item in items]


def _reports_of(harness: LineHarness, user: str) -> list[Any]:
    return harness.rows(
        "SELECT r.id, r.kind, r.urgent, r.receipt_no, r.channel, r.description, "
        "c.code AS category, d.name AS district, ST_X(r.location) AS lon, "
        "ST_Y(r.location) AS lat FROM report r "
        "JOIN resident p ON p.municipality_id = r.municipality_id AND p.id = r.resident_id "
        "JOIN category c ON c.municipality_id = r.municipality_id AND c.id = r.category_id "
        "LEFT JOIN district d ON d.municipality_id = r.municipality_id AND d.id = r.district_id "
        "WHERE p.line_user_id = :u",
        u=user,
    )


def _state_rows(harness: LineHarness, user: str) -> int:
    return int(
        harness.scalar(
            "SELECT count(*) FROM dialogue_state s JOIN resident p ON "
            "p.municipality_id = s.municipality_id AND p.id = s.resident_id "
            "WHERE p.line_user_id = :u",
            u=user,
        )
    )


def _walk_to_confirm(harness: LineHarness, user: str, photo: str) -> Replies:
    """Rich menu 災害情報 -> 冠水 -> 人命 はい -> location -> photo -> text; returns the confirm."""
    categories = harness.send(postback_event(user, "flow=disaster"))
    assert texts.ASK_DISASTER_CATEGORY in lb.text_of(categories)
    assert {"冠水", "倒木", "土砂崩れ", "建物被害", "道路寸断"} <= set(_labels(categories))
    urgent_question = _tap(harness, user, categories, "冠水")
    assert texts.ASK_URGENT in lb.text_of(urgent_question)
    advised = _tap(harness, user, urgent_question, texts.LABEL_YES)
    assert texts.URGENT_ADVICE in lb.text_of(advised)
    assert texts.ASK_LOCATION in lb.text_of(advised)
    photos = harness.send(location_event(user, *SHIBASAKI, address="東京都立川市柴崎町1丁目"))
    assert texts.ASK_PHOTOS.format(max_photos=3) in lb.text_of(photos)
    received = harness.send(image_event(user, photo))
    assert "写真を受け取りました(1/3枚)" in lb.text_of(received)
    described = _tap(harness, user, received, texts.LABEL_PHOTOS_DONE)
    assert "状況を文章で教えてください" in lb.text_of(described)
    return harness.send(text_event(user, "道路が冠水して、車が動けなくなっています"))


def test_disaster_report_from_the_rich_menu_is_urgent_with_district_and_photo(
    harness: LineHarness,
) -> None:
    user, photo = new_user_id(), new_message_id()
    harness.line.add_content(photo, jpeg_with_gps(), "image/jpeg")
    with disaster_mode(harness.engine, True):
        confirm = _walk_to_confirm(harness, user, photo)
        assert confirm[-1]["type"] == "flex"
        assert texts.FIELD_URGENT in lb.text_of(confirm) and texts.URGENT_YES in lb.text_of(confirm)
        receipt = _tap(harness, user, confirm, texts.LABEL_SEND)

    [report] = _reports_of(harness, user)
    assert (report.kind, report.urgent, report.category, report.channel) == (
        "disaster",
        True,
        "dis_flood",
        "line",
    )
    assert report.district == "柴崎町一丁目"
    assert (round(report.lon, 4), round(report.lat, 4)) == SHIBASAKI
    assert report.description == "道路が冠水して、車が動けなくなっています"
    assert report.receipt_no.startswith("D-")
    said = lb.text_of(receipt)
    assert receipt[0]["type"] == "flex" and report.receipt_no in said and "冠水" in said
    assert _state_rows(harness, user) == 0

    harness.download_photos()

    [stored] = harness.rows("SELECT * FROM photo WHERE report_id = :r", r=report.id)
    assert (stored.status, stored.line_message_id) == ("stored", photo), stored.last_error
    path = harness.settings.media_dir / stored.storage_path
    with Image.open(path) as kept:
        assert kept.format == "JPEG" and len(kept.getexif()) == 0
    assert b"MachiTestCamera" not in path.read_bytes()


def test_disaster_postback_outside_disaster_mode_is_refused_and_stores_nothing(
    harness: LineHarness,
) -> None:
    user = new_user_id()
    with disaster_mode(harness.engine, False):
        refused = harness.send(postback_event(user, "flow=disaster"))
        category = harness.send(postback_event(user, "a=cat&c=dis_flood"))
        typed = harness.send(text_event(user, texts.LABEL_DISASTER))

    for answer in (refused, typed):
        said = lb.text_of(answer)
        assert "災害情報の受付は行っておりません" in said and TACHIKAWA_PHONE in said
        assert texts.LABEL_ROAD in _labels(answer)
        assert texts.LABEL_DISASTER not in _labels(answer)
    assert texts.MENU_AFTER_UNKNOWN in lb.text_of(category)
    assert _reports_of(harness, user) == []
    assert _state_rows(harness, user) == 0
    handled = harness.rows(
        "SELECT processed_at, last_error FROM webhook_event WHERE line_user_id = :u", u=user
    )
    assert len(handled) == 3
    assert all(e.processed_at is not None and e.last_error is None for e in handled)
