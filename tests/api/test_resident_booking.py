"""The web booking ``/r/bulky`` on the real server and PostGIS, as a resident's browser posts it.

Book, receipt + PIN, then see, move and cancel; every refusal next to its field, no row written.

The bookings go on Sundays made for this module (no zone collects then), so nobody else's
booking shares the day and the counts below are this module's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky import ExtraDay, row_counts, staff_headers
from tests.support.desk import TOWN_BBOX
from tests.support.line_booking import booked_on, own_day, sunday_ahead
from tests.support.live_server import live_server
from tests.support.resident_booking import (
    booking_fields,
    change,
    open_booking,
    post_booking,
    receipt_of,
    web_booking,
)
from tests.support.resident_http import error_of
from tests.support.resident_web import web_rows_removed_afterwards
from workflow.db import session_factory
from workflow.desk.passwords import verify_password
from workflow.errors import InvalidInputError
from workflow.texts.resident import web as web_texts
from workflow.web.booking_changes import BookingKey, cancel_web_booking

pytestmark = pytest.mark.db


@dataclass(frozen=True)
class Days:
    first: ExtraDay
    second: ExtraDay


@pytest.fixture(scope="module")
def url(test_settings: Settings, engine: Engine) -> Iterator[str]:
    with web_rows_removed_afterwards(engine), live_server(create_app(test_settings)) as base:
        yield base


@pytest.fixture(scope="module")
def days(engine: Engine, url: str) -> Iterator[Days]:
    with (
        own_day(engine, sunday_ahead(14)) as first,
        own_day(engine, sunday_ahead(21)) as second,
    ):
        assert first.zone_id == second.zone_id
        yield Days(first, second)


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as browser:
        yield browser


def _free_on(client: httpx.Client, day: ExtraDay) -> int:
    answer = client.get("/api/v1/calendar", params={"lon": day.lon, "lat": day.lat}).json()
    return int(next(d["free"] for d in answer["days"] if d["date"] == day.day.isoformat()))


def test_a_web_booking_gets_a_receipt_and_counts_like_a_line_one(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    free_before = _free_on(client, days.first)
    receipt_no, pin = receipt_of(client, post_booking(client, booking_fields(client, days.first)))

    stored = web_booking(engine, receipt_no)
    assert (stored.channel, stored.kind, stored.status) == ("web", "bulky", "booked")
    assert stored.service_date == days.first.day and stored.line_user_id is None
    assert pin not in stored.web_pin_hash and verify_password(stored.web_pin_hash, pin)
    assert receipt_no.startswith("B-") and len(pin) == 6
    with engine.connect() as conn:
        contact = conn.execute(
            text(
                "SELECT name, phone, address_line, put_out, put_out_note FROM booking_contact "
                "WHERE booking_id = :b"
            ),
            {"b": stored.id},
        ).one()
    assert tuple(contact) == ("柏 みどり", "090-1111-2222", "1-2-3 柏ハイツ101", "entrance", None)
    assert booked_on(engine, days.first.zone_id, days.first.day) == 1
    assert _free_on(client, days.first) == free_before - 1  # the public calendar counts it
    done = client.get("/r/bulky/done").text
    assert "たんす ×2" in done and "処理券" in done

    kankyo = staff_headers(client, "kankyo", "kankyo-demo")
    params = {"bbox": TOWN_BBOX, "kind": "bulky", "limit": "5000", "mode": "points"}
    answer = client.get("/api/v1/reports", params=params, headers=kankyo)
    features = {f["properties"]["receipt_no"]: f for f in answer.json()["features"]}
    props = features[receipt_no]["properties"]
    assert (props["kind"], props["channel"], props["status"]) == ("bulky", "web", "received")
    for private in ("柏 みどり", "090-1111-2222", "柏ハイツ"):
        assert private not in answer.text


def test_a_missing_address_line_is_refused_next_to_it_and_nothing_is_written(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    before = row_counts(engine)
    fields = booking_fields(client, days.first, address_line="  ", name="", phone="12")
    answer = post_booking(client, fields)

    assert answer.status_code == 422
    assert "番地・建物名・部屋番号を入力してください" in error_of(answer.text, "address_line")
    assert "お名前" in error_of(answer.text, "name")
    assert "市外局番" in error_of(answer.text, "phone")
    assert error_of(answer.text, "form") == web_texts.FORM_HAS_ERRORS
    assert 'value="12"' in answer.text  # the form comes back as typed
    assert "たんす" in answer.text  # the cart comes back with its names
    assert error_of(answer.text, "items") == ""  # no refusal where there is none
    assert row_counts(engine) == before


def test_a_day_filled_meanwhile_is_refused_next_to_the_day_and_nothing_is_written(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    fields = booking_fields(client, days.second)  # the form was filled while a slot was free
    params = {"m": MUNICIPALITY_ID, "z": days.second.zone_id, "d": days.second.day}
    day_row = "WHERE municipality_id = :m AND zone_id = :z AND service_date = :d"
    with engine.begin() as conn:  # another booking took the last slot
        capacity = conn.execute(text(f"SELECT capacity FROM collection_day {day_row}"), params)
        kept = int(capacity.scalar_one())
        conn.execute(text(f"UPDATE collection_day SET capacity = booked {day_row}"), params)
    try:
        before = row_counts(engine)
        answer = post_booking(client, fields)
        assert row_counts(engine) == before
    finally:
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE collection_day SET capacity = :c {day_row}"), {**params, "c": kept}
            )
    assert answer.status_code == 422
    assert "満枠" in error_of(answer.text, "service_date")


def test_a_forged_token_is_refused_and_nothing_is_written(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    before = row_counts(engine)
    client.get("/r/bulky")  # the nonce cookie, but a token that does not sign it
    answer = post_booking(client, booking_fields(client, days.first), token="forged")
    assert answer.status_code == 403
    assert error_of(answer.text, "form") == web_texts.FORM_EXPIRED
    assert row_counts(engine) == before


def test_receipt_and_pin_open_the_booking_to_move_then_cancel_it(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    receipt_no, pin = receipt_of(client, post_booking(client, booking_fields(client, days.first)))
    wrong = "000000" if pin != "000000" else "111111"
    assert open_booking(client, receipt_no, wrong).status_code == 401
    opened = open_booking(client, receipt_no, pin)
    assert opened.status_code == 303 and opened.headers["location"] == "/r/bulky/booking"
    page = client.get("/r/bulky/booking")
    assert page.status_code == 200 and receipt_no in page.text and "たんす ×2" in page.text
    assert "1-2-3 柏ハイツ101" in page.text and "玄関前" in page.text
    assert days.second.day.isoformat() in page.text  # offered as a new day

    first_before = booked_on(engine, days.first.zone_id, days.first.day)
    second_before = booked_on(engine, days.second.zone_id, days.second.day)
    moved = change(client, "move", service_date=days.second.day.isoformat())
    assert moved.status_code == 303, moved.text[:500]
    assert web_booking(engine, receipt_no).service_date == days.second.day
    assert booked_on(engine, days.first.zone_id, days.first.day) == first_before - 1
    assert booked_on(engine, days.second.zone_id, days.second.day) == second_before + 1
    assert "収集日を" in client.get(moved.headers["location"]).text

    cancelled = change(client, "cancel")
    assert cancelled.status_code == 303
    stored = web_booking(engine, receipt_no)
    assert (stored.status, stored.report_status) == ("cancelled", "rejected")
    assert booked_on(engine, days.second.zone_id, days.second.day) == second_before
    again = change(client, "cancel")  # the page no longer offers it; a replayed POST is refused
    assert again.status_code == 422 and "取り消し済み" in again.text


def test_the_booking_page_needs_the_pin_first(client: httpx.Client) -> None:
    answer = client.get("/r/bulky/booking")
    assert answer.status_code == 401 and "受付番号と確認番号" in answer.text
    assert client.post("/r/bulky/cancel", data={"csrf_token": "x"}).status_code == 401


def test_wrong_pins_are_locked_out_like_the_status_page(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    receipt_no, pin = receipt_of(client, post_booking(client, booking_fields(client, days.first)))
    wrong = "000000" if pin != "000000" else "111111"
    codes = [open_booking(client, receipt_no, wrong).status_code for _ in range(5)]
    locked = open_booking(client, receipt_no, pin)  # even the right PIN, for a while
    assert codes == [401] * 5 and locked.status_code == 429
    assert "しばらく" in error_of(locked.text, "pin")


def test_after_the_cutoff_a_cancel_is_refused_and_nothing_changes(
    client: httpx.Client, engine: Engine, days: Days
) -> None:
    receipt_no, _pin = receipt_of(client, post_booking(client, booking_fields(client, days.first)))
    stored = web_booking(engine, receipt_no)
    late = dt.datetime.combine(days.first.day, dt.time(7), tzinfo=dt.UTC)
    key = BookingKey(receipt_no, int(stored.resident_id))
    with session_factory(engine)() as session, pytest.raises(InvalidInputError) as refused:
        cancel_web_booking(session, MUNICIPALITY_ID, key, now=late)
    assert refused.value.code == "too_late"
    assert web_booking(engine, receipt_no).status == "booked"
