"""A resident reports over LINE: real server, real PostGIS, real SDK against the fake LINE API.

Every test uses its own LINE user and its own place (nearby open reports would change the
dialogue); processing and sending are driven by calling the worker's functions.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.api.conftest import TACHIKAWA_PHONE, LineHarness
from tests.conftest import MUNICIPALITY_ID
from tests.support.line_events import (
    image_event,
    jpeg_with_gps,
    location_event,
    new_message_id,
    new_user_id,
    postback_event,
    text_event,
)
from workflow.texts.resident import line as texts

pytestmark = pytest.mark.db

AKEBONO = (139.4075, 35.6980)  # 曙町一丁目
SHINJUKU = (139.70, 35.69)


def _text_of(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _start_road_report(harness: LineHarness, user: str, point: tuple[float, float]) -> None:
    harness.send(postback_event(user, "flow=road"))
    harness.send(postback_event(user, "a=cat&c=road_pothole"))
    answer = harness.send(location_event(user, *point, address="東京都立川市"))
    assert texts.ASK_PHOTOS.format(max_photos=3) in _text_of(answer)


def _finish_report(harness: LineHarness, user: str, photo_ids: list[str]) -> list[dict[str, Any]]:
    for message_id in photo_ids:
        harness.send(image_event(user, message_id))
    done = "a=pdone" if photo_ids else "a=nophoto"
    harness.send(postback_event(user, done))
    confirm = harness.send(text_event(user, "歩道に深い穴があります"))
    assert confirm[0]["type"] == "flex"
    return harness.send(postback_event(user, "a=send"))


def _report_of(harness: LineHarness, user: str) -> Any:
    rows = harness.rows(
        "SELECT r.id, r.receipt_no, r.channel, r.description, c.code AS category, "
        "d.name AS district, ST_X(r.location) AS lon, ST_Y(r.location) AS lat FROM report r "
        "JOIN resident p ON p.municipality_id = r.municipality_id AND p.id = r.resident_id "
        "JOIN category c ON c.municipality_id = r.municipality_id AND c.id = r.category_id "
        "LEFT JOIN district d ON d.municipality_id = r.municipality_id AND d.id = r.district_id "
        "WHERE p.line_user_id = :u",
        u=user,
    )
    assert len(rows) <= 1
    return rows[0] if rows else None


def _photos_of(harness: LineHarness, report_id: int) -> list[Any]:
    return harness.rows("SELECT * FROM photo WHERE report_id = :r ORDER BY id", r=report_id)


def _state_rows(harness: LineHarness, user: str) -> int:
    return int(
        harness.scalar(
            "SELECT count(*) FROM dialogue_state s JOIN resident p ON "
            "p.municipality_id = s.municipality_id AND p.id = s.resident_id "
            "WHERE p.line_user_id = :u",
            u=user,
        )
    )


def _stored_state(harness: LineHarness, user: str) -> dict[str, Any]:
    """The resident's stored dialogue state without ``updated_at`` (every answer renews it)."""
    raw = harness.scalar(
        "SELECT s.state::text FROM dialogue_state s JOIN resident p ON "
        "p.municipality_id = s.municipality_id AND p.id = s.resident_id "
        "WHERE p.line_user_id = :u",
        u=user,
    )
    assert raw is not None, "no dialogue state stored"
    state: dict[str, Any] = json.loads(raw)
    del state["updated_at"]
    return state


def _quick_labels(messages: list[dict[str, Any]]) -> list[str]:
    items = messages[-1].get("quickReply", {}).get("items", [])
    return [item["action"].get("label", "") for item in items]


def _media_files(harness: LineHarness) -> set[Path]:
    """Every file under the media dir, half-written ``.part`` files included."""
    return {path for path in harness.settings.media_dir.rglob("*") if path.is_file()}


def _assert_nothing_kept(harness: LineHarness, report_id: int, before: set[Path]) -> None:
    assert _media_files(harness) == before
    assert not (harness.settings.media_dir / str(MUNICIPALITY_ID) / str(report_id)).exists()
    [failed] = _photos_of(harness, report_id)
    assert failed.status == "failed"
    assert (failed.storage_path, failed.thumb_path, failed.size_bytes) == (None, None, None)


def test_road_damage_report_from_menu_to_stored_photo(harness: LineHarness) -> None:
    user = new_user_id()
    photo = new_message_id()
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    harness.line.add_content(photo, original, "image/jpeg")

    _start_road_report(harness, user, AKEBONO)
    receipt = _finish_report(harness, user, [photo])

    report = _report_of(harness, user)
    assert report is not None
    assert (report.category, report.channel, report.district) == (
        "road_pothole",
        "line",
        "曙町一丁目",
    )
    assert report.description == "歩道に深い穴があります"
    assert (round(report.lon, 4), round(report.lat, 4)) == AKEBONO
    assert report.receipt_no.startswith("R-")
    assert report.receipt_no in _text_of(receipt)
    assert _state_rows(harness, user) == 0
    [pending] = _photos_of(harness, report.id)
    assert (pending.status, pending.line_message_id) == ("pending", photo)

    harness.download_photos()

    [stored] = _photos_of(harness, report.id)
    assert stored.status == "stored", stored.last_error
    path = harness.settings.media_dir / stored.storage_path
    assert path.name == f"{stored.id}.jpg" and path.parent.name == str(report.id)
    with Image.open(path) as kept:
        assert kept.format == "JPEG"
        assert (kept.width, kept.height) == (stored.width, stored.height) == (64, 48)
        assert len(kept.getexif()) == 0
        assert "exif" not in kept.info
    assert b"MachiTestCamera" not in path.read_bytes()
    with Image.open(harness.settings.media_dir / stored.thumb_path) as thumb:
        assert max(thumb.size) <= 320


def test_location_outside_the_town_is_refused_politely(harness: LineHarness) -> None:
    user = new_user_id()
    harness.send(postback_event(user, "flow=road"))
    harness.send(postback_event(user, "a=cat&c=road_light"))

    answer = harness.send(location_event(user, *SHINJUKU))

    assert TACHIKAWA_PHONE in _text_of(answer)
    assert "区域外" in _text_of(answer)
    assert _report_of(harness, user) is None
    assert _state_rows(harness, user) == 1


def test_text_instead_of_location_gets_a_hint(harness: LineHarness) -> None:
    user = new_user_id()
    harness.send(postback_event(user, "flow=road"))
    harness.send(postback_event(user, "a=cat&c=road_light"))

    answer = harness.send(text_event(user, "市役所の前です"))

    assert texts.HINT_LOCATION in _text_of(answer)
    assert _report_of(harness, user) is None


def test_unknown_postback_without_a_dialogue_gets_the_menu_and_opens_none(
    harness: LineHarness,
) -> None:
    user = new_user_id()

    idle = harness.send(postback_event(user, "action=buyItem&itemId=123"))

    assert texts.MENU_AFTER_UNKNOWN in _text_of(idle)
    assert texts.LABEL_ROAD in _quick_labels(idle) and texts.LABEL_BULKY in _quick_labels(idle)
    assert _state_rows(harness, user) == 0


@pytest.mark.parametrize("data", ["a=nosuchcommand", "action=buyItem&itemId=123", "flow=nosuch"])
def test_unknown_postback_mid_flow_gets_a_hint_and_keeps_the_dialogue(
    harness: LineHarness, data: str
) -> None:
    user = new_user_id()
    lon = {"a=nosuchcommand": 139.4135, "action=buyItem&itemId=123": 139.4155}.get(data, 139.4175)
    _start_road_report(harness, user, (lon, 35.7020))
    before = _stored_state(harness, user)

    answer = harness.send(postback_event(user, data))

    assert texts.UNKNOWN_POSTBACK + texts.HINT_PHOTOS in _text_of(answer)
    assert texts.LABEL_NO_PHOTO in _quick_labels(answer)
    after = _stored_state(harness, user)
    assert after == before and after["step"] == "photos" and after["lon"] == lon
    assert texts.ASK_DESCRIPTION[:10] in _text_of(harness.send(postback_event(user, "a=nophoto")))


def test_cancel_mid_flow_leaves_nothing(harness: LineHarness) -> None:
    user = new_user_id()
    _start_road_report(harness, user, (139.4095, 35.6980))

    answer = harness.send(text_event(user, "やめる"))

    assert texts.CANCELLED in _text_of(answer)
    assert _state_rows(harness, user) == 0
    assert _report_of(harness, user) is None


def test_non_image_content_fails_the_photo_but_keeps_the_report(harness: LineHarness) -> None:
    user = new_user_id()
    photo = new_message_id()
    harness.line.add_content(photo, b"%PDF-1.4\n% not a photo\n", "application/pdf")
    _start_road_report(harness, user, (139.4115, 35.6980))
    _finish_report(harness, user, [photo])
    report = _report_of(harness, user)
    before = _media_files(harness)

    harness.download_photos()

    _assert_nothing_kept(harness, report.id, before)
    [failed] = _photos_of(harness, report.id)
    assert "not an image" in failed.last_error
    assert _report_of(harness, user) is not None


def test_oversized_image_fails(harness: LineHarness) -> None:
    user = new_user_id()
    photo = new_message_id()
    harness.line.add_content(photo, b"\xff\xd8\xff\xe0" + bytes(10 * 1024 * 1024), "image/jpeg")
    _start_road_report(harness, user, (139.4135, 35.6980))
    _finish_report(harness, user, [photo])
    report = _report_of(harness, user)
    before = _media_files(harness)

    harness.download_photos()

    _assert_nothing_kept(harness, report.id, before)
    [failed] = _photos_of(harness, report.id)
    assert "too large" in failed.last_error
