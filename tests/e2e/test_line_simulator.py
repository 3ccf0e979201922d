"""The LINE simulator in real Chromium: a road-damage report with a photo, start to PostGIS.

The app runs in dev mode (simulator + in-app fake LINE API); a background thread does what
the worker does (process events, send the outbox through the real SDK to the in-app fake,
download photos from it). The page is driven only as a person would: rich menu, quick
replies, the location picker, a photo, text, the Flex 送信する button.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page
from sqlalchemy import Engine, text

from api.app import create_app
from api.line.processor import process_pending_events
from machi.settings import Settings
from tests.support.line_events import jpeg_with_gps
from tests.support.live_server import live_server
from tests.support.resident_web import district_at, web_rows_removed_afterwards
from workflow.line.content import LineContentFetcher
from workflow.line.outbox import dispatch_due
from workflow.line.sender import LineSender, make_configuration
from workflow.reports.photos import download_pending_photos
from workflow.texts.resident import bulky as tb
from workflow.texts.resident import line as texts

pytestmark = pytest.mark.e2e
TOKEN = "sim-e2e-token"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


def _work(engine: Engine, settings: Settings, stop: threading.Event) -> None:
    configuration = make_configuration(TOKEN, settings.line_api_base)
    sender, fetcher = LineSender(configuration), LineContentFetcher(configuration)
    while not stop.is_set():
        done = process_pending_events(engine, settings, _utc_now)
        done += dispatch_due(engine, sender, _utc_now)
        done += download_pending_photos(engine, settings, fetcher, now=_utc_now)
        if not done:
            stop.wait(0.2)


@pytest.fixture(scope="module")
def dev_settings(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return test_settings.model_copy(
        update={
            "env": "dev",
            "line_channel_secret": "sim-e2e-secret",
            "line_channel_access_token": TOKEN,
            "media_dir": tmp_path_factory.mktemp("media"),
        }
    )


@pytest.fixture(scope="module")
def sim_url(dev_settings: Settings, engine: Engine) -> Iterator[str]:
    with web_rows_removed_afterwards(engine), live_server(create_app(dev_settings)) as url:
        worker_settings = dev_settings.model_copy(update={"line_api_base": f"{url}/dev/line-api"})
        stop = threading.Event()
        worker = threading.Thread(target=_work, args=(engine, worker_settings, stop), daemon=True)
        worker.start()
        try:
            yield url
        finally:
            stop.set()
            worker.join(timeout=20)


@pytest.fixture()
def sim_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


def _wait_for_bot(page: Page, fragment: str) -> None:
    page.locator(".sim-bot", has_text=fragment).last.wait_for(timeout=20_000)


def _report_of(engine: Engine, receipt_no: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT r.id, r.channel, r.description, c.code AS category, d.name AS district, "
                "ST_X(r.location) AS lon, ST_Y(r.location) AS lat, p.line_user_id FROM report r "
                "JOIN category c ON c.municipality_id = r.municipality_id AND c.id = r.category_id "
                "JOIN resident p ON p.municipality_id = r.municipality_id AND p.id = r.resident_id "
                "LEFT JOIN district d ON d.municipality_id = r.municipality_id "
                "AND d.id = r.district_id WHERE r.receipt_no = :no"
            ),
            {"no": receipt_no},
        ).one()


def _stored_photo(engine: Engine, report_id: int) -> Any:
    deadline = time.monotonic() + 20
    while True:
        with engine.connect() as conn:
            photo = conn.execute(
                text("SELECT * FROM photo WHERE report_id = :r"), {"r": report_id}
            ).one()
        if photo.status != "pending" or time.monotonic() > deadline:
            return photo
        time.sleep(0.2)


def _pick_place(page: Page) -> None:
    page.locator(".sim-chip-location").click()
    page.locator("#sim-map .leaflet-overlay-pane path").first.wait_for(state="attached")
    box = page.locator("#sim-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + 37, box["y"] + box["height"] / 2 - 23)
    page.click("#sim-location-send")


def test_road_damage_report_with_a_photo_from_the_rich_menu_to_postgis(
    sim_page: Page, sim_url: str, engine: Engine, dev_settings: Settings, tmp_path: Path
) -> None:
    errors: list[str] = []
    sim_page.on("pageerror", lambda error: errors.append(str(error)))
    photo = tmp_path / "pothole.jpg"
    photo.write_bytes(jpeg_with_gps((800, 600)))
    sim_page.goto(f"{sim_url}/dev/line")
    user = sim_page.inner_text("#sim-user")

    sim_page.locator(".sim-area", has_text="道路・施設の損傷").click()
    _wait_for_bot(sim_page, texts.ASK_ROAD_CATEGORY[:20])
    sim_page.locator(".sim-chip", has_text="カーブミラーの破損").click()
    _wait_for_bot(sim_page, "場所を教えてください")
    _pick_place(sim_page)
    _wait_for_bot(sim_page, "写真を3枚まで送ってください")
    sim_page.set_input_files("#sim-file", str(photo))
    _wait_for_bot(sim_page, "写真を受け取りました(1/3枚)")
    sim_page.locator(".sim-chip", has_text=texts.LABEL_PHOTOS_DONE).click()
    _wait_for_bot(sim_page, "状況を文章で教えてください")
    sim_page.fill("#sim-text", "カーブミラーが割れています")
    sim_page.press("#sim-text", "Enter")
    _wait_for_bot(sim_page, texts.CONFIRM_TITLE)
    sim_page.locator(".sim-flex").last.locator("button", has_text=texts.LABEL_SEND).click()
    _wait_for_bot(sim_page, texts.RECEIPT_TITLE)
    sim_page.screenshot(path=str(tmp_path / "simulator.png"))

    receipt = re.search(r"R-\d{4}-\d{6}", sim_page.locator(".sim-bot").last.inner_text())
    assert receipt, sim_page.locator(".sim-bot").last.inner_text()
    report = _report_of(engine, receipt.group(0))
    assert (report.channel, report.category, report.line_user_id) == ("line", "road_mirror", user)
    assert report.description == "カーブミラーが割れています"
    assert report.district is not None
    assert report.district == district_at(engine, report.lon, report.lat)
    stored = _stored_photo(engine, report.id)
    assert stored.status == "stored", stored.last_error
    kept = (dev_settings.media_dir / stored.storage_path).read_bytes()
    with Image.open(io.BytesIO(kept)) as image:
        assert image.size == (800, 600) and len(image.getexif()) == 0
    assert b"MachiTestCamera" not in kept
    log = sim_page.locator("#sim-log li.bad").count()
    assert log == 0 and errors == []


def test_my_reports_from_the_rich_menu_and_a_typed_message(sim_page: Page, sim_url: str) -> None:
    sim_page.goto(f"{sim_url}/dev/line")
    sim_page.locator(".sim-area", has_text="わたしの通報").click()
    _wait_for_bot(sim_page, texts.MY_REPORTS_NONE)
    sim_page.fill("#sim-text", "こんにちは")
    sim_page.click("#sim-send")
    _wait_for_bot(sim_page, texts.MENU)
    chips = sim_page.locator("#sim-quick .sim-chip").all_inner_texts()
    assert texts.LABEL_ROAD in chips and texts.LABEL_MY_REPORTS in chips
    assert sim_page.locator(".sim-me", has_text="こんにちは").count() == 1


def _dialogue_state(engine: Engine, user: str) -> dict[str, Any]:
    with engine.connect() as conn:
        raw = conn.execute(
            text(
                "SELECT s.state::text FROM dialogue_state s JOIN resident p ON "
                "p.municipality_id = s.municipality_id AND p.id = s.resident_id "
                "WHERE p.line_user_id = :u"
            ),
            {"u": user},
        ).scalar_one()
    state: dict[str, Any] = json.loads(raw)
    return state


def _offered_picker(page: Page, sim_url: str, user: str) -> dict[str, Any]:
    """The datetimepicker action of the bot's last quick replies, as the fake LINE API got it."""
    sent = page.request.get(f"{sim_url}/dev/line/messages?user_id={user}").json()["sent"]
    items = sent[-1]["messages"][-1]["quickReply"]["items"]
    [picker] = [i["action"] for i in items if i["action"]["type"] == "datetimepicker"]
    return dict(picker)


def _bulky_booking_to_the_date(page: Page) -> None:
    page.locator(".sim-area", has_text="粗大ごみ").click()
    _wait_for_bot(page, "粗大ごみの収集を申し込みます")
    _pick_place(page)
    _wait_for_bot(page, "番地・建物名・部屋番号を入力してください")
    page.fill("#sim-text", "1-2-3 コーポ立川 101")
    page.press("#sim-text", "Enter")
    _wait_for_bot(page, "どこに出しますか")
    page.locator(".sim-chip", has_text=tb.PUT_OUT_LABELS["entrance"]).click()
    page.locator(".sim-chip", has_text=tb.LABEL_NO_NOTE).wait_for(timeout=20_000)
    page.locator(".sim-chip", has_text=tb.LABEL_NO_NOTE).click()
    _wait_for_bot(page, "品目名を1つ入力してください")
    page.fill("#sim-text", "ふとん")
    page.press("#sim-text", "Enter")
    _wait_for_bot(page, "「ふとん」で見つかった品目です")
    page.locator(".sim-chip-postback", has_text="ふとん").first.click()
    page.locator(".sim-chip", has_text="1点").wait_for(timeout=20_000)
    page.locator(".sim-chip", has_text="1点").click()
    page.locator(".sim-chip", has_text=tb.LABEL_ITEMS_DONE).wait_for(timeout=20_000)
    page.locator(".sim-chip", has_text=tb.LABEL_ITEMS_DONE).click()
    _wait_for_bot(page, "収集日を下から選んでください")


def _open_picker(page: Page, offered: dict[str, Any]) -> tuple[Locator, Locator]:
    """Tap 「カレンダーから選ぶ」 (once cancelled, then for real); returns (input, 決定)."""
    chip = page.locator(".sim-chip-datetimepicker", has_text=tb.LABEL_PICK_DATE)
    sent_before = page.locator("#sim-log li").count()
    chip.click()
    page.click("#sim-picker-cancel")  # closing the picker sends nothing, the chips stay
    assert not page.locator("#sim-picker").is_visible() and chip.is_visible()
    assert page.locator("#sim-log li").count() == sent_before
    chip.click()
    field, send = page.locator("#sim-picker-input"), page.locator("#sim-picker-send")
    assert page.locator("#sim-picker").is_visible()
    assert field.get_attribute("type") == "date" and field.input_value() == offered["initial"]
    limits = (field.get_attribute("min"), field.get_attribute("max"))
    assert limits == (offered["min"], offered["max"])
    return field, send


def _picker_postbacks(engine: Engine, user: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT payload->'postback' FROM webhook_event WHERE line_user_id = :u "
                    "AND payload->'postback' ? 'params'"
                ),
                {"u": user},
            ).scalars()
        )


def test_calendar_chip_opens_a_limited_date_picker_and_sends_the_date(
    sim_page: Page, sim_url: str, engine: Engine, tmp_path: Path
) -> None:
    errors: list[str] = []
    sim_page.on("pageerror", lambda error: errors.append(str(error)))
    sim_page.goto(f"{sim_url}/dev/line")
    user = sim_page.inner_text("#sim-user")
    _bulky_booking_to_the_date(sim_page)
    offered = _offered_picker(sim_page, sim_url, user)
    days = _dialogue_state(engine, user)["days"]
    chosen = [d["day"] for d in days if d["free"] > 0 and d["closed_reason"] is None][-1]
    assert offered["min"] <= chosen <= offered["max"] and offered["mode"] == "date"

    field, send = _open_picker(sim_page, offered)
    after_last = dt.date.fromisoformat(offered["max"]) + dt.timedelta(days=1)
    before_first = dt.date.fromisoformat(offered["min"]) - dt.timedelta(days=1)
    for outside in (after_last, before_first):
        field.fill(outside.isoformat())
        assert send.is_disabled(), outside
    field.fill(chosen)
    assert send.is_enabled()
    sim_page.screenshot(path=str(tmp_path / "date_picker_open.png"))
    send.click()
    _wait_for_bot(sim_page, "申込者のお名前を入力してください")
    sim_page.screenshot(path=str(tmp_path / "date_picker.png"))

    state = _dialogue_state(engine, user)
    assert (state["step"], state["service_date"]) == ("name", chosen)
    assert _picker_postbacks(engine, user) == [
        {"data": offered["data"], "params": {"date": chosen}}
    ]
    assert sim_page.locator("#sim-log li.bad").count() == 0 and errors == []
    assert sim_page.locator(".sim-system", has_text=chosen).count() == 1
