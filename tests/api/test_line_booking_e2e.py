"""Bulky-waste booking end to end: LINE and phone entry on one zone-day, map, route, crew.

One booking through the LINE dialogue and one through phone entry share a zone-day; the LINE
one is asked its address line and put-out place, which its receipt, its own contact row and
the staff pages show; both show on 環境課's map; planning moves them to 作業中; the crew's
収集済 makes the LINE one 完了 (pushed to the resident) and 出ていない sends the phone one back
to the desk.

Real server and worker, real PostGIS, the real line-bot-sdk against the fake LINE server. The
zone-day is made for this module on a Sunday (no zone collects then), so nobody else books it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.line.notices import status_notice
from tests.api.conftest import LineHarness
from tests.conftest import MUNICIPALITY_ID
from tests.support import line_booking as lb
from tests.support.bulky import ExtraDay, staff_headers
from tests.support.bulky_day import pickup_stops
from tests.support.desk import TOWN_BBOX, login
from tests.support.line_events import new_user_id, postback_event, text_event
from workflow.crew.outcomes import OutcomeNotices, StopOutcome, record_outcomes
from workflow.plans.plan import plan
from workflow.reports.transitions import Actor
from workflow.texts.resident.booking import not_out_notice

pytestmark = pytest.mark.db
NOTE = "門の右側、青いシートの下"
WHERE = ("1-2-3 コーポ立川 101", "敷地内の道路沿い(門の右側、青いシートの下)")


@dataclass(frozen=True)
class Booked:
    day: ExtraDay
    user: str
    receipt_replies: list[dict[str, Any]]
    line_receipt: str
    phone_receipt: str


@pytest.fixture(scope="module")
def booked(harness: LineHarness, engine: Engine) -> Iterator[Booked]:
    """One booking through the LINE dialogue and one through phone entry, same zone-day."""
    with lb.own_day(engine, lb.sunday_ahead(7)) as day:
        yield _book_both(harness, engine, day)


def _book_both(harness: LineHarness, engine: Engine, day: ExtraDay) -> Booked:
    user = new_user_id()
    lb.start(harness, user, day.lon, day.lat, put_out="roadside", note=NOTE)
    cart = lb.add_item(harness, user, "たんす", 2)
    lb.tap(harness, user, cart, "a=more")  # 追加する
    lb.add_item(harness, user, "ふとん", 3)
    confirm = lb.to_confirm(harness, user, day.day)
    assert confirm[-1]["type"] == "flex"
    receipt = lb.tap(harness, user, confirm, "a=book")
    line = lb.line_booking(engine, user)
    assert line is not None
    with httpx.Client(base_url=harness.url, timeout=30) as client:
        headers = staff_headers(client, "kankyo", "kankyo-demo")
        item = client.get("/api/v1/items", params={"q": "たんす"}).json()["items"][0]["id"]
        body = {
            "lon": day.lon,
            "lat": day.lat,
            "service_date": day.day.isoformat(),
            "items": [{"item_id": item, "quantity": 1}],
            "name": "砂川 一郎",
            "phone": "042-000-5678",
            "address_line": "砂川町9-9-9",
            "put_out": "roadside",
        }
        phoned = client.post("/api/v1/bookings", json=body, headers=headers)
    assert phoned.status_code == 201, phoned.text
    return Booked(day, user, receipt, str(line.receipt_no), phoned.json()["receipt_no"])


def test_the_receipt_says_number_fee_tickets_and_when_to_put_out(
    booked: Booked, engine: Engine
) -> None:
    said = lb.text_of(booked.receipt_replies)
    line = lb.line_booking(engine, booked.user)
    assert line.channel == "line" and line.status == "booked"
    assert booked.receipt_replies[0]["type"] == "flex"
    assert booked.line_receipt in said and booked.line_receipt.startswith("B")
    assert f"{line.fee_total_yen:,}円({line.fee_total_yen // 100}ポイント)" in said
    for expected in ["たんす ×2", "ふとん ×3", "処理券取扱店", "1ポイント=100円", "朝8時30分まで",
                     *WHERE]:  # fmt: skip
        assert expected in said, expected
    with engine.connect() as conn:
        contact = conn.execute(
            text(
                "SELECT c.name, c.phone, c.address_line, c.put_out, c.put_out_note "
                "FROM booking_contact c WHERE c.municipality_id = :m AND c.booking_id = :b"
            ),
            {"m": MUNICIPALITY_ID, "b": line.id},
        ).one()
        state = conn.execute(
            text(
                "SELECT count(*) FROM dialogue_state s JOIN resident p ON p.municipality_id = "
                "s.municipality_id AND p.id = s.resident_id WHERE p.line_user_id = :u"
            ),
            {"u": booked.user},
        ).scalar_one()
    assert tuple(contact) == ("立川 花子", "090-1234-5678", WHERE[0], "roadside", NOTE)
    assert state == 0  # the dialogue, with its personal data, is gone


def test_the_staff_pages_show_where_exactly_to_collect(
    booked: Booked, harness: LineHarness, engine: Engine
) -> None:
    report_id = _report_id(engine, booked.line_receipt)
    with httpx.Client(base_url=harness.url, timeout=30) as client:
        kankyo = staff_headers(client, "kankyo", "kankyo-demo")
        detail = client.get(f"/api/v1/reports/{report_id}", headers=kankyo).json()
        booking = client.get(f"/api/v1/bookings/{booked.line_receipt}", headers=kankyo).json()
        login(client, "kankyo", "kankyo-demo")
        page = client.get(f"/staff/reports/{report_id}").text
    assert (detail["contact"]["address_line"], detail["contact"]["put_out_text"]) == WHERE
    assert detail["contact"]["name"] == "立川 花子"
    assert (booking["whereabouts"]["address_line"], booking["whereabouts"]["put_out_text"]) == WHERE
    assert all(shown in page for shown in WHERE)


def test_both_bookings_share_the_day_and_show_on_the_kankyo_map(
    booked: Booked, harness: LineHarness, engine: Engine
) -> None:
    assert lb.booked_on(engine, booked.day.zone_id, booked.day.day) == 2
    with httpx.Client(base_url=harness.url, timeout=30) as client:
        headers = staff_headers(client, "kankyo", "kankyo-demo")
        params = {"bbox": TOWN_BBOX, "kind": "bulky", "limit": "5000", "mode": "points"}
        answer = client.get("/api/v1/reports", params=params, headers=headers)
        road = client.get(
            "/api/v1/reports", params=params, headers=staff_headers(client, "doro", "doro-demo")
        )
    assert answer.status_code == 200, answer.text
    features = {f["properties"]["receipt_no"]: f for f in answer.json()["features"]}
    for receipt, channel in ((booked.line_receipt, "line"), (booked.phone_receipt, "phone")):
        props = features[receipt]["properties"]
        assert (props["kind"], props["channel"], props["status"]) == ("bulky", channel, "received")
    for private in ("立川 花子", "090-1234-5678", "砂川 一郎", "042-000-5678", booked.user):
        assert private not in answer.text
    assert booked.line_receipt not in road.text  # 道路課 does not see bulky waste


def test_route_then_crew_outcomes_reach_the_residents(
    booked: Booked, harness: LineHarness, engine: Engine
) -> None:
    result = plan(engine, MUNICIPALITY_ID, booked.day.day, time_limit_s=2, seed=1)
    assert _report_status(engine, booked.line_receipt) == "in_progress"  # 作業中 on the map
    stops = {_stop_receipt(engine, s): s for s in pickup_stops(engine, result.plan_id)}
    notices = OutcomeNotices(collected=status_notice, not_out=not_out_notice)
    entries = [
        StopOutcome(stops[booked.line_receipt], "collected"),
        StopOutcome(stops[booked.phone_receipt], "not_out"),
    ]
    record_outcomes(engine, MUNICIPALITY_ID, entries, Actor("crew:crew1"), notices)
    harness.flush_outbox()

    assert _report_status(engine, booked.line_receipt) == "done"
    assert _report_status(engine, booked.phone_receipt) == "received"  # back to the desk
    pushed = [p.json["messages"] for p in harness.line.pushes(to=booked.user)]
    assert len(pushed) == 1 and "完了" in lb.text_of(pushed[0])
    assert booked.line_receipt in lb.text_of(pushed[0])


def test_my_bookings_lists_it_no_longer_after_collection(
    booked: Booked, harness: LineHarness
) -> None:
    listed = harness.send(postback_event(booked.user, "my=bookings"))
    assert "これから収集予定の粗大ごみの申込はありません" in lb.text_of(listed)


def test_my_bookings_moves_then_cancels_before_the_cutoff(
    harness: LineHarness, engine: Engine
) -> None:
    user = new_user_id()
    harness.send(text_event(user, "こんにちは"))
    sunday = lb.sunday_ahead(14)
    saturday = sunday - dt.timedelta(days=1)
    with lb.own_day(engine, saturday) as first, lb.own_day(engine, sunday) as second:
        assert first.zone_id == second.zone_id  # zone A collects on neither day
        receipt = lb.book_directly(engine, user, first.lon, first.lat, saturday)

        listed = harness.send(postback_event(user, "my=bookings"))
        assert receipt in lb.text_of(listed) and "たんす ×1" in lb.text_of(listed)
        assert "1-2-3" in lb.text_of(listed) and "玄関前" in lb.text_of(listed)
        assert f"a=bmove&r={receipt}" in lb.text_of(listed)

        asked = lb.tap(harness, user, listed, f"a=bmove&r={receipt}")
        assert "新しい収集日" in lb.text_of(asked)
        moved = lb.pick_date(harness, user, sunday)
        assert "に変更しました" in lb.text_of(moved)
        assert (
            lb.booked_on(engine, first.zone_id, saturday),
            lb.booked_on(engine, first.zone_id, sunday),
        ) == (0, 1)

        asked = lb.tap(
            harness,
            user,
            harness.send(postback_event(user, "my=bookings")),
            f"a=bcancel&r={receipt}",
        )
        assert "取り消しますか" in lb.text_of(asked)
        cancelled = lb.tap(harness, user, asked, "a=bcok")
        assert "取り消しました" in lb.text_of(cancelled)
        row = lb.line_booking(engine, user)
        assert (row.status, row.report_status, row.service_date) == (
            "cancelled",
            "rejected",
            sunday,
        )
        assert lb.booked_on(engine, first.zone_id, sunday) == 0


def _report_id(engine: Engine, receipt_no: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM report WHERE municipality_id = :m AND receipt_no = :r"),
                {"m": MUNICIPALITY_ID, "r": receipt_no},
            ).scalar_one()
        )


def _report_status(engine: Engine, receipt_no: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT status FROM report WHERE municipality_id = :m AND receipt_no = :r"),
                {"m": MUNICIPALITY_ID, "r": receipt_no},
            ).scalar_one()
        )


def _stop_receipt(engine: Engine, stop_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT r.receipt_no FROM route_stop s JOIN booking b ON b.municipality_id = "
                    "s.municipality_id AND b.id = s.booking_id JOIN report r ON "
                    "r.municipality_id = b.municipality_id AND r.id = b.report_id WHERE s.id = :s"
                ),
                {"s": stop_id},
            ).scalar_one()
        )
