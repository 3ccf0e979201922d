"""Bad booking requests: 4xx naming the field with a Japanese message, and nothing written.

Row counts of every touched table and the sum of taken slots are compared before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.conftest import MUNICIPALITY_ID
from tests.support import bulky
from tests.support.bulky import (
    OUTSIDE_TOWN,
    ExtraDay,
    booking_body,
    extra_collection_day,
    item_id,
    row_counts,
    tokyo_today,
    zone_place,
)
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.calendar import change_deadline, first_bookable_day
from workflow.clock import TOKYO
from workflow.db import session_scope
from workflow.texts.resident.booking import date_ja

base_url, client, kankyo, made = bulky.base_url, bulky.client, bulky.kankyo, bulky.made


def refused(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    """POST the booking, expect a refusal, check that nothing changed; returns the JSON."""
    before = row_counts(engine)
    answer = client.post("/api/v1/bookings", json=body, headers=kankyo)
    assert 400 <= answer.status_code < 500, answer.text
    assert row_counts(engine) == before
    payload: dict[str, Any] = answer.json()
    payload["status"] = answer.status_code
    return payload


def test_unknown_item(client: httpx.Client, engine: Engine, kankyo: dict[str, str]) -> None:
    body = booking_body(client, engine, items=[{"item_id": 987654321, "quantity": 1}])
    answer = refused(client, engine, kankyo, body)
    assert answer["status"] == 404 and answer["field"] == "items.item_id"
    assert "見つかりません" in answer["message"]


def test_refused_item(client: httpx.Client, engine: Engine, kankyo: dict[str, str]) -> None:
    tv = client.get("/api/v1/items", params={"q": "テレビ"}).json()["items"][0]["id"]
    body = booking_body(client, engine, items=[{"item_id": tv, "quantity": 1}])
    answer = refused(client, engine, kankyo, body)
    assert answer["status"] == 422 and "家電リサイクル法" in answer["message"]


@pytest.mark.parametrize("quantity", [0, 1000])
def test_quantity_out_of_range(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], quantity: int
) -> None:
    lines = [{"item_id": item_id(client, "たんす"), "quantity": quantity}]
    answer = refused(client, engine, kankyo, booking_body(client, engine, items=lines))
    assert answer["status"] == 422 and answer["field"] == "items.quantity"
    assert "1〜10" in answer["message"]


def test_more_than_ten_items(client: httpx.Client, engine: Engine, kankyo: dict[str, str]) -> None:
    ids = [item_id(client, q) for q in ("たんす", "ふとん", "机", "本棚")]
    lines = [{"item_id": i, "quantity": 3} for i in ids]  # 12 pieces
    answer = refused(client, engine, kankyo, booking_body(client, engine, items=lines))
    assert answer["status"] == 422 and answer["field"] == "items"
    assert "10点まで" in answer["message"]


def test_outside_every_zone(client: httpx.Client, engine: Engine, kankyo: dict[str, str]) -> None:
    body = booking_body(client, engine, lon=OUTSIDE_TOWN[0], lat=OUTSIDE_TOWN[1])
    answer = refused(client, engine, kankyo, body)
    assert answer["status"] == 422 and answer["field"] == "location"
    assert "042-523-2111" in answer["message"]


@pytest.mark.parametrize("days_ahead", [1, 40])
def test_date_outside_the_window(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], days_ahead: int
) -> None:
    day = tokyo_today() + dt.timedelta(days=days_ahead)
    answer = refused(client, engine, kankyo, booking_body(client, engine, service_date=str(day)))
    assert answer["status"] == 422 and answer["field"] == "service_date"
    first = first_bookable_day(tokyo_today(), 3)
    last = tokyo_today() + dt.timedelta(days=28)
    assert f"{date_ja(first)}から{date_ja(last)}まで" in answer["message"]


def test_not_a_collection_day(client: httpx.Client, engine: Engine, kankyo: dict[str, str]) -> None:
    day = tokyo_today() + dt.timedelta(days=7)
    while day.weekday() != 6:  # no zone collects on Sunday
        day += dt.timedelta(days=1)
    answer = refused(client, engine, kankyo, booking_body(client, engine, service_date=str(day)))
    assert answer["status"] == 422 and "収集日ではありません" in answer["message"]


def test_bad_phone_number(client: httpx.Client, engine: Engine, kankyo: dict[str, str]) -> None:
    answer = refused(client, engine, kankyo, booking_body(client, engine, phone="12345"))
    assert answer["status"] == 422 and answer["field"] == "phone"


@pytest.fixture()
def full_day(client: httpx.Client, engine: Engine) -> Iterator[dict[str, Any]]:
    """A valid booking body whose zone-day has no slot left (capacity set to booked)."""
    body = booking_body(client, engine)
    _lon, _lat, zone, _days = zone_place(engine, "B")
    key = {"m": MUNICIPALITY_ID, "z": zone, "d": dt.date.fromisoformat(body["service_date"])}
    where = "WHERE municipality_id = :m AND zone_id = :z AND service_date = :d"
    with engine.begin() as conn:
        capacity = conn.execute(text(f"SELECT capacity FROM collection_day {where}"), key).scalar()
        conn.execute(text(f"UPDATE collection_day SET capacity = booked {where}"), key)
    yield body
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE collection_day SET capacity = :c {where}"), {**key, "c": capacity}
        )


def test_full_day(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], full_day: dict[str, Any]
) -> None:
    answer = refused(client, engine, kankyo, full_day)
    assert answer["status"] == 409 and answer["error"] == "capacity_full"
    assert "満枠" in answer["message"] and answer["field"] == "service_date"


def test_cancel_after_the_cutoff(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], made: list[str]
) -> None:
    day = tokyo_today() + dt.timedelta(days=1)  # its cut-off has always passed
    with extra_collection_day(engine, day) as extra:
        receipt = _book_directly(engine, extra, item_id(client, "たんす"))
        made.append(receipt)
        _assert_too_late(client, engine, kankyo, receipt, day)


def _book_directly(engine: Engine, extra: ExtraDay, item: int) -> str:
    """Book through the workflow as if it were two weeks ago (the API would refuse the date)."""
    request = BookingRequest(extra.lon, extra.lat, extra.day, (ItemLine(item, 1),))
    with session_scope(engine) as session:
        today = extra.day - dt.timedelta(days=14)
        booking = book(session, MUNICIPALITY_ID, request, channel="phone", today=today)
        session.flush()
        receipt = session.execute(
            text("SELECT receipt_no FROM report WHERE municipality_id = :m AND id = :r"),
            {"m": MUNICIPALITY_ID, "r": booking.report_id},
        ).scalar_one()
    return str(receipt)


def _assert_too_late(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], receipt: str, day: dt.date
) -> None:
    assert change_deadline(day, TOKYO) < dt.datetime.now(tz=TOKYO)
    for path, body in (("cancel", None), ("reschedule", {"service_date": str(day)})):
        before = row_counts(engine)
        answer = client.post(f"/api/v1/bookings/{receipt}/{path}", json=body, headers=kankyo)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == "service_date"
        assert "受付期限" in answer.json()["message"] and "17時00分" in answer.json()["message"]
        assert row_counts(engine) == before
    assert client.get(f"/api/v1/bookings/{receipt}", headers=kankyo).json()["status"] == "booked"
