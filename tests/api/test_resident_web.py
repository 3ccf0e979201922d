"""The web fallback ``/r/`` on the real server and PostGIS: report, receipt + PIN, status page.

Every refusal is checked for its Japanese answer next to the right field *and* for what it
left behind: no report, no receipt number used up, no photo file.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.live_server import live_server
from tests.support.resident_http import (
    error_of,
    photo_part,
    receipt_of,
    road_fields,
    status_of,
    submit,
)
from tests.support.resident_web import (
    SHINJUKU,
    TACHIKAWA_PHONE,
    count_reports,
    disaster_mode,
    district_at,
    form_token,
    place,
    web_rows_removed_afterwards,
)
from workflow.db import session_scope
from workflow.desk.passwords import verify_password
from workflow.reports.transitions import Actor, transition
from workflow.texts.resident import web as t

pytestmark = pytest.mark.db
XSS = "<script>window.__xss=1</script>"


@pytest.fixture(scope="module")
def web_settings(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return test_settings.model_copy(update={"media_dir": tmp_path_factory.mktemp("media")})


@pytest.fixture(scope="module")
def url(web_settings: Settings, engine: Engine) -> Iterator[str]:
    with web_rows_removed_afterwards(engine), live_server(create_app(web_settings)) as base:
        yield base


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=20) as browser:
        yield browser


def _report(engine: Engine, receipt_no: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT r.id, r.kind, r.channel, r.description, r.urgent, r.resident_id, "
                "c.code AS category, d.name AS district, ST_X(r.location) AS lon, "
                "ST_Y(r.location) AS lat FROM report r JOIN category c ON "
                "c.municipality_id = r.municipality_id AND c.id = r.category_id LEFT JOIN "
                "district d ON d.municipality_id = r.municipality_id AND d.id = r.district_id "
                "WHERE r.receipt_no = :no"
            ),
            {"no": receipt_no},
        ).one()


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def _media_files(settings: Settings) -> set[Path]:
    return {p for p in settings.media_dir.rglob("*") if p.is_file()}


def test_road_report_gets_a_receipt_pin_photo_and_status_page(
    client: httpx.Client, engine: Engine, web_settings: Settings
) -> None:
    answer = submit(client, "road", road_fields(0, description=f"歩道の穴 {XSS}"), [photo_part()])
    receipt_no, pin = receipt_of(client, answer)

    report = _report(engine, receipt_no)
    assert (report.kind, report.channel, report.category) == ("road", "web", "road_pothole")
    assert report.district == district_at(engine, *place(0)) == "高松町二丁目"
    assert (round(report.lon, 6), round(report.lat, 6)) == place(0)
    assert report.description == f"歩道の穴 {XSS}" and report.resident_id is None
    [photo] = _rows(engine, "SELECT * FROM photo WHERE report_id = :r", r=report.id)
    assert (photo.status, photo.source, photo.width, photo.height) == ("stored", "web", 640, 480)
    stored = web_settings.media_dir / photo.storage_path
    with Image.open(stored) as kept:
        assert kept.format == "JPEG" and len(kept.getexif()) == 0
    assert b"MachiTestCamera" not in stored.read_bytes()
    with Image.open(web_settings.media_dir / photo.thumb_path) as thumb:
        assert max(thumb.size) <= 320
    [key] = _rows(
        engine, "SELECT pin_hash, added FROM report_pin WHERE report_id = :r", r=report.id
    )
    assert pin not in key.pin_hash and verify_password(key.pin_hash, pin) and not key.added

    status = status_of(client, receipt_no, pin)
    assert status.status_code == 200
    assert receipt_no in status.text and "高松町二丁目" in status.text and "受付" in status.text
    assert "歩道の穴" not in status.text  # the status page shows no description
    assert client.get("/r/done").status_code == 200  # the receipt stays for a while
    assert "no-store" in status.headers["cache-control"]


def test_outside_the_town_is_refused_with_the_phone_and_nothing_stored(
    client: httpx.Client, engine: Engine, web_settings: Settings
) -> None:
    lon, lat = SHINJUKU
    before, files = count_reports(engine), _media_files(web_settings)

    answer = submit(
        client, "road", {"category": "road_light", "lon": str(lon), "lat": str(lat)}, [photo_part()]
    )

    assert answer.status_code == 422
    message = error_of(answer.text, "location")
    assert "区域外" in message and TACHIKAWA_PHONE in message
    assert error_of(answer.text, "photos") == t.PHOTOS_AGAIN
    assert count_reports(engine) == before
    assert _media_files(web_settings) == files
    place_answer = client.get("/r/place", params={"category": "road_light", "lon": lon, "lat": lat})
    assert (
        place_answer.json()["inside"] is False and TACHIKAWA_PHONE in place_answer.json()["message"]
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"%PDF-1.4\n% not a photo\n", "写真として読み取れませんでした"),
        (b"\xff\xd8\xff\xe0" + bytes(10 * 1024 * 1024), "大きすぎます"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "写真として読み取れませんでした"),
    ],
    ids=["pdf", "oversized", "broken-jpeg"],
)
def test_bad_image_is_refused_next_to_the_photo_and_nothing_stored(
    client: httpx.Client, engine: Engine, web_settings: Settings, data: bytes, error: str
) -> None:
    before, files = count_reports(engine), _media_files(web_settings)

    answer = submit(
        client, "road", road_fields(2, description="残る説明"), [photo_part(), photo_part(data)]
    )

    assert answer.status_code == 422
    assert error in error_of(answer.text, "photos") and "2枚目" in error_of(answer.text, "photos")
    assert "残る説明" in answer.text  # what was typed is kept
    assert count_reports(engine) == before and _media_files(web_settings) == files


def test_more_than_three_photos_are_refused(client: httpx.Client, engine: Engine) -> None:
    before = count_reports(engine)

    answer = submit(client, "road", road_fields(2), [photo_part() for _ in range(4)])

    assert answer.status_code == 422
    assert error_of(answer.text, "photos") == t.TOO_MANY_PHOTOS.format(max_photos=3)
    assert count_reports(engine) == before


def test_missing_fields_are_named_each_next_to_its_field(
    client: httpx.Client, engine: Engine
) -> None:
    before = count_reports(engine)

    answer = submit(client, "road", {"description": "説明だけ"})

    assert answer.status_code == 422
    assert error_of(answer.text, "category") == t.CATEGORY_MISSING
    assert error_of(answer.text, "location") == t.LOCATION_MISSING
    assert error_of(answer.text, "form") == t.FORM_HAS_ERRORS
    assert "説明だけ" in answer.text
    assert count_reports(engine) == before


def test_unknown_category_and_too_long_description_are_refused(
    client: httpx.Client, engine: Engine
) -> None:
    before = count_reports(engine)

    unknown = submit(client, "road", road_fields(3, category="dis_flood"))  # a disaster category
    too_long = submit(client, "road", road_fields(3, description="あ" * 2001))

    assert unknown.status_code == too_long.status_code == 422
    assert error_of(unknown.text, "category") == t.CATEGORY_MISSING
    assert "2000文字以内" in error_of(too_long.text, "description")
    assert count_reports(engine) == before


@pytest.mark.parametrize("token", ["", "forged-token", "other-browser"])
def test_bad_csrf_token_is_refused_and_nothing_stored(
    client: httpx.Client, url: str, engine: Engine, token: str
) -> None:
    before = count_reports(engine)
    if token == "other-browser":  # a real token, but for another browser's cookie
        with httpx.Client(base_url=url) as other:
            token = form_token(other, "/r/road")
    client.get("/r/road")

    answer = submit(client, "road", road_fields(4), token=token)

    assert answer.status_code == 403
    assert error_of(answer.text, "form") == t.FORM_EXPIRED
    assert count_reports(engine) == before


def test_a_cross_site_post_without_the_cookie_is_refused(url: str, engine: Engine) -> None:
    before = count_reports(engine)
    with httpx.Client(base_url=url) as page_reader:
        token = form_token(page_reader, "/r/road")
    with httpx.Client(base_url=url) as attacker:  # has a token, not the victim's cookie
        answer = submit(attacker, "road", road_fields(4), token=token)
    assert answer.status_code == 403 and count_reports(engine) == before


def test_oversized_body_is_refused_from_its_length_before_it_is_read(url: str) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.putrequest("POST", "/r/road")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(40 * 1024 * 1024))
    conn.endheaders()  # no body is sent: the answer must not wait for it
    answer = conn.getresponse()
    body = answer.read().decode()
    conn.close()
    assert answer.status == 413
    assert "大きすぎます" in error_of(body, "photos")


def test_disaster_flow_only_in_disaster_mode_and_asks_about_lives(
    client: httpx.Client, engine: Engine
) -> None:
    lon, lat = place(5)
    fields = {"category": "dis_flood", "lon": str(lon), "lat": str(lat)}
    with disaster_mode(engine, False):
        token = form_token(client, "/r/road")
        closed_page = client.get("/r/disaster")
        closed = submit(client, "disaster", {**fields, "urgent": "y"}, token=token)
        home = client.get("/r/")
    assert (
        "災害情報の受付は行っておりません" in closed_page.text
        and TACHIKAWA_PHONE in closed_page.text
    )
    assert "災害情報の受付は行っておりません" in closed.text and "/r/disaster" not in home.text
    with disaster_mode(engine, True):
        assert "/r/disaster" in client.get("/r/").text
        unanswered = submit(client, "disaster", fields)
        receipt_no, _pin = receipt_of(client, submit(client, "disaster", {**fields, "urgent": "y"}))

    assert unanswered.status_code == 422 and error_of(unanswered.text, "urgent") == t.URGENT_MISSING
    report = _report(engine, receipt_no)
    assert receipt_no.startswith("D-")
    assert (report.kind, report.category, report.urgent) == ("disaster", "dis_flood", True)


def test_joining_the_open_report_nearby(client: httpx.Client, engine: Engine) -> None:
    first_no, first_pin = receipt_of(
        client, submit(client, "road", road_fields(6, description="最初"))
    )
    lon, lat = place(6)
    nearby = client.get(
        "/r/place", params={"category": "road_pothole", "lon": lon + 0.0001, "lat": lat}
    )
    assert [r["receipt_no"] for r in nearby.json()["nearby"]] == [first_no]
    before = count_reports(engine)

    fields = road_fields(6, lon=str(lon + 0.0001), attach=first_no, description="私も見ました")
    joined_no, joined_pin = receipt_of(client, submit(client, "road", fields, [photo_part()]))

    assert joined_no == first_no and joined_pin != first_pin
    assert count_reports(engine) == before
    report = _report(engine, first_no)
    notes = _rows(engine, "SELECT body FROM report_message WHERE report_id = :r", r=report.id)
    assert [n.body for n in notes] == ["私も見ました"]
    assert len(_rows(engine, "SELECT id FROM photo WHERE report_id = :r", r=report.id)) == 1
    with session_scope(engine) as session:
        transition(
            session, MUNICIPALITY_ID, report.id, "in_progress", Actor("staff:doro"), "最初の方へ"
        )
    page = status_of(client, first_no, joined_pin).text
    assert first_no in page and "あなたからの情報を追加" in page and "作業中" in page
    assert "最初の方へ" not in page  # a note for the first reporter is not shown to others
    assert "最初の方へ" in status_of(client, first_no, first_pin).text
    far = submit(client, "road", road_fields(8, attach=first_no))  # not nearby there
    assert far.status_code == 422 and first_no in error_of(far.text, "attach")


def test_place_check_names_bad_fields_and_receipt_page_needs_its_cookie(
    client: httpx.Client,
) -> None:
    bad = client.get("/r/place", params={"category": "road_pothole", "lon": "east", "lat": 35.7})
    assert bad.status_code == 422
    assert [e["loc"] for e in bad.json()["detail"]] == [["query", "lon"]]
    assert client.get("/r/done").headers["location"] == "/r/"
    assert client.get("/r/nosuchflow").status_code == 404


def test_storage_failure_is_answered_politely_and_keeps_nothing(
    test_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the photo folder should be")
    app = create_app(test_settings.model_copy(update={"media_dir": blocked}))
    before = count_reports(engine)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=20) as browser:
        answer = submit(browser, "road", road_fields(8), [photo_part()])
    assert answer.status_code == 503
    assert error_of(answer.text, "form") == t.STORAGE_FAILED.format(phone=TACHIKAWA_PHONE)
    assert count_reports(engine) == before
