"""Bulky-waste bookings through the real server: item search, calendar, phone booking, changes.

Every refused request must leave the database exactly as it was (row counts and slot counts).
"""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import Engine

from tests.support import bulky
from tests.support.bulky import (
    OUTSIDE_TOWN,
    booking_body,
    free_day,
    row_counts,
    scalar,
    staff_headers,
    tokyo_today,
    zone_place,
)
from workflow.bookings.calendar import closed_reason

TOWN_PHONE = "042-523-2111"
base_url, client, kankyo, made = bulky.base_url, bulky.client, bulky.kankyo, bulky.made


# ---------- public search and calendar ----------


def test_item_search_is_tolerant_and_explains_refusals(client: httpx.Client) -> None:
    sofa = client.get("/api/v1/items", params={"q": "そふぁ"}).json()["items"]
    assert sofa and all("ソファー" in i["name"] for i in sofa[:2])
    tv = client.get("/api/v1/items", params={"q": "ﾃﾚﾋﾞ"}).json()["items"][0]
    assert tv["name"] == "テレビ" and tv["accepted"] is False and tv["fee_yen"] is None
    assert "家電リサイクル法" in tv["refusal_reason"] and "お店" in tv["alternative"]
    assert "収集できません" in tv["explanation"]
    empty = client.get("/api/v1/items", params={"q": "  "})
    assert empty.status_code == 422 and empty.json()["field"] == "q"


def test_calendar_lists_free_days_inside_the_window(client: httpx.Client, engine: Engine) -> None:
    lon, lat, _zone, weekdays = zone_place(engine, "A")
    answer = client.get("/api/v1/calendar", params={"lon": lon, "lat": lat})
    assert answer.status_code == 200
    body = answer.json()
    assert body["zone"] == "西部地区" and body["days"]
    today = tokyo_today()
    for day in body["days"]:
        date = dt.date.fromisoformat(day["date"])
        assert 3 <= (date - today).days <= 28 and date.weekday() in weekdays
        assert 0 < day["free"] <= 12
        assert closed_reason(date) is None  # no holiday, no year-end day


def test_calendar_outside_every_zone_gives_the_city_phone(client: httpx.Client) -> None:
    answer = client.get("/api/v1/calendar", params={"lon": OUTSIDE_TOWN[0], "lat": OUTSIDE_TOWN[1]})
    assert answer.status_code == 422
    assert answer.json()["field"] == "location" and TOWN_PHONE in answer.json()["message"]


# ---------- booking, look-up, payment, reschedule, cancel ----------


def test_phone_booking_round_trip(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], made: list[str]
) -> None:
    body = booking_body(client, engine)
    before = row_counts(engine)
    answer = client.post("/api/v1/bookings", json=body, headers=kankyo)
    assert answer.status_code == 201, answer.text
    booking = answer.json()
    made.append(booking["receipt_no"])
    assert booking["receipt_no"].startswith("B-") and booking["status"] == "booked"
    assert booking["fee_total_yen"] == 500 and booking["tickets"]["yen_1000"] == 1
    assert booking["tickets"]["total_yen"] == 1000  # 1〜10 points: one 1,000円券
    assert "朝8時30分までに" in booking["put_out_instructions"][0]
    assert booking["contact"]["name"] == "立川 花子" and booking["changeable"] is True
    after = row_counts(engine)
    assert after["booking"] == before["booking"] + 1
    assert after["booking_contact"] == before["booking_contact"] + 1
    assert after["resident_contact"] == before["resident_contact"]  # the booking keeps its own
    assert after["booked_slots"] == before["booked_slots"] + 1
    assert booking["whereabouts"] == {
        "address_line": "1-2-3 コーポ立川 101",
        "put_out": "entrance",
        "put_out_note": "門の右側",
        "put_out_text": "玄関前(門の右側)",
    }
    # Personal data only in booking_contact: the report row knows no name, phone or address line.
    report_text = scalar(
        engine,
        "SELECT concat_ws(' ', description, address) FROM report WHERE receipt_no = :r",
        r=booking["receipt_no"],
    )
    assert "花子" not in report_text and "1234" not in report_text and "コーポ" not in report_text
    same = client.get(f"/api/v1/bookings/{booking['receipt_no']}", headers=kankyo).json()
    assert same["service_date"] == body["service_date"] and same["items"][0]["quantity"] == 1


def test_payment_reschedule_and_cancel(
    client: httpx.Client, engine: Engine, kankyo: dict[str, str], made: list[str]
) -> None:
    body = booking_body(client, engine)
    receipt = client.post("/api/v1/bookings", json=body, headers=kankyo).json()["receipt_no"]
    made.append(receipt)
    paid = client.put(
        f"/api/v1/bookings/{receipt}/payment", json={"payment_status": "ticket"}, headers=kankyo
    )
    assert paid.json()["payment_status"] == "ticket"
    bad = client.put(
        f"/api/v1/bookings/{receipt}/payment", json={"payment_status": "cash"}, headers=kankyo
    )
    assert bad.status_code == 422 and bad.json()["field"] == "payment_status"
    new_date = free_day(client, body["lon"], body["lat"], skip=1)
    slots = "SELECT booked FROM collection_day WHERE service_date = :d AND zone_id = (SELECT zone_id FROM booking b JOIN report r ON r.id = b.report_id WHERE r.receipt_no = :r)"  # noqa: E501
    old_before = scalar(engine, slots, d=body["service_date"], r=receipt)
    new_before = scalar(engine, slots, d=new_date, r=receipt)
    moved = client.post(
        f"/api/v1/bookings/{receipt}/reschedule", json={"service_date": new_date}, headers=kankyo
    )
    assert moved.status_code == 200, moved.text
    assert scalar(engine, slots, d=body["service_date"], r=receipt) == old_before - 1
    assert scalar(engine, slots, d=new_date, r=receipt) == new_before + 1
    cancelled = client.post(f"/api/v1/bookings/{receipt}/cancel", headers=kankyo)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["report_status"] == "rejected"
    assert scalar(engine, slots, d=new_date, r=receipt) == new_before
    note = scalar(
        engine,
        "SELECT h.note FROM status_history h JOIN report r ON r.id = h.report_id "
        "WHERE r.receipt_no = :r AND h.to_status = 'rejected'",
        r=receipt,
    )
    assert "予約取消" in note
    again = client.post(f"/api/v1/bookings/{receipt}/cancel", headers=kankyo)
    assert again.status_code == 422 and "取り消し済み" in again.json()["message"]


def test_only_kankyo_or_admin_may_book(client: httpx.Client, engine: Engine) -> None:
    body = booking_body(client, engine)
    before = row_counts(engine)
    assert client.post("/api/v1/bookings", json=body).status_code == 401
    doro = staff_headers(client, "doro", "doro-demo")
    refused = client.post("/api/v1/bookings", json=body, headers=doro)
    assert refused.status_code == 403 and "環境課" in refused.json()["message"]
    assert row_counts(engine) == before
