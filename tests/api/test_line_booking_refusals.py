"""Bad input in the LINE booking: each answered clearly, and nothing written.

The rows of every table a booking writes and the slots taken over all zone-days are compared
before and after (``touched``). Real webhook, worker, PostGIS and SDK against the fake LINE.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, text

from api.line.processor import process_pending_events
from tests.api.conftest import TACHIKAWA_PHONE, LineHarness, utc_now
from tests.conftest import MUNICIPALITY_ID
from tests.support import line_booking as lb
from tests.support.bulky import OUTSIDE_TOWN, tokyo_today, zone_place
from tests.support.line_events import location_event, new_user_id, postback_event, text_event
from workflow.bookings.calendar import first_bookable_day
from workflow.texts.resident.booking import date_ja

pytestmark = pytest.mark.db


def _at_items(harness: LineHarness, engine: Engine) -> str:
    user = new_user_id()
    lon, lat, _zone, _days = zone_place(engine, "A")
    replies = lb.start(harness, user, lon, lat)
    assert "品目名" in lb.text_of(replies)
    return user


def test_an_unknown_item_is_answered_and_nothing_written(
    harness: LineHarness, engine: Engine
) -> None:
    user = _at_items(harness, engine)
    before = lb.touched(engine)
    answer = lb.say(harness, user, "ゆーふぉーの模型")
    assert "見つかりませんでした" in lb.text_of(answer) and TACHIKAWA_PHONE in lb.text_of(answer)
    refused = lb.say(harness, user, "テレビ")
    assert "家電リサイクル法" in lb.text_of(refused) and "購入したお店" in lb.text_of(refused)
    assert lb.touched(engine) == before


@pytest.mark.parametrize(("typed", "answer"), [("0", "1以上"), ("1000", "10点まで")])
def test_quantity_zero_or_a_thousand_is_refused(
    harness: LineHarness, engine: Engine, typed: str, answer: str
) -> None:
    user = _at_items(harness, engine)
    found = lb.say(harness, user, "たんす")
    lb.tap(harness, user, found, "a=item")
    before = lb.touched(engine)
    refused = lb.say(harness, user, typed)
    assert answer in lb.text_of(refused)
    assert "a=qty&n=1" in lb.text_of(refused)  # the quantity buttons are offered again
    assert lb.touched(engine) == before


def test_more_than_ten_items_are_refused(harness: LineHarness, engine: Engine) -> None:
    user = _at_items(harness, engine)
    cart = lb.add_item(harness, user, "たんす", 6)
    lb.tap(harness, user, cart, "a=more")
    found = lb.say(harness, user, "ふとん")
    lb.tap(harness, user, found, "a=item")
    too_many = lb.say(harness, user, "5")
    assert "10点まで" in lb.text_of(too_many) and "あと4点" in lb.text_of(too_many)
    full = lb.say(harness, user, "4")
    assert "これ以上は追加できません" in lb.text_of(full)
    refused = lb.say(harness, user, "追加する")
    assert "10点まで" in lb.text_of(refused)


def test_a_day_full_at_the_last_moment_offers_the_next_free_days(
    harness: LineHarness, engine: Engine
) -> None:
    with lb.own_day(engine, lb.sunday_ahead(14)) as day:
        user = new_user_id()
        lb.start(harness, user, day.lon, day.lat)
        lb.add_item(harness, user, "たんす", 1)
        confirm = lb.to_confirm(harness, user, day.day)
        _set_capacity(engine, day.zone_id, day.day, 0)  # someone else took the last slot
        before = lb.touched(engine)
        answer = lb.tap(harness, user, confirm, "a=book")
        assert "満枠" in lb.text_of(answer) and "a=day&d=" in lb.text_of(answer)
        assert f"a=day&d={day.day.isoformat()}" not in lb.text_of(answer)
        assert lb.touched(engine) == before and lb.line_booking(engine, user) is None
        assert lb.booked_on(engine, day.zone_id, day.day) == 0
        chosen = lb.tap(harness, user, answer, "a=day&d=")  # name and phone are kept
        assert chosen[-1]["type"] == "flex" and "立川 花子" in lb.text_of(chosen)


def test_two_residents_confirming_the_last_slot_at_once_get_one_receipt_and_one_full(
    harness: LineHarness, engine: Engine
) -> None:
    with lb.own_day(engine, lb.sunday_ahead(14)) as day:
        users = [new_user_id(), new_user_id()]
        confirms = []
        for user in users:
            lb.start(harness, user, day.lon, day.lat)
            lb.add_item(harness, user, "ふとん", 1)
            confirms.append(lb.to_confirm(harness, user, day.day))
        _set_capacity(engine, day.zone_id, day.day, 1)
        taps = [
            postback_event(user, next(d for _l, d in lb.postbacks(c) if d == "a=book"))
            for user, c in zip(users, confirms, strict=True)
        ]
        assert harness.post(taps).status_code == 200
        with ThreadPoolExecutor(2) as pool:  # two workers, each claims one resident's event
            handled = list(pool.map(lambda _: _process(harness), range(2)))
        harness.flush_outbox()

        assert sum(handled) == 2
        answers = [lb.text_of(harness.replies_to(t["replyToken"])) for t in taps]
        assert sorted("受け付けました" in a for a in answers) == [False, True]
        assert sorted("満枠" in a for a in answers) == [False, True]
        assert lb.booked_on(engine, day.zone_id, day.day) == 1


def _process(harness: LineHarness) -> int:
    return process_pending_events(harness.engine, harness.settings, utc_now, limit=1)


@pytest.mark.parametrize(
    ("days_ahead", "answer"),
    [(1, "window"), (40, "window"), (None, "収集日ではありません")],
)
def test_a_date_outside_the_window_or_not_a_collection_day(
    harness: LineHarness, engine: Engine, days_ahead: int | None, answer: str
) -> None:
    user = _at_items(harness, engine)
    lb.add_item(harness, user, "たんす", 1)
    offered = lb.say(harness, user, "これで決定")
    assert "datetimepicker" in lb.text_of(offered)
    if days_ahead is None:  # a Saturday: zone A collects on Mondays and Thursdays
        day = tokyo_today() + dt.timedelta(days=4)
        day += dt.timedelta(days=(5 - day.weekday()) % 7)
    else:
        day = tokyo_today() + dt.timedelta(days=days_ahead)
    if answer == "window":
        first = first_bookable_day(tokyo_today(), 3)
        answer = f"{date_ja(first)}から{date_ja(tokyo_today() + dt.timedelta(days=28))}まで"
    before = lb.touched(engine)
    refused = lb.pick_date(harness, user, day)
    assert answer in lb.text_of(refused) and "a=day&d=" in lb.text_of(refused)
    assert lb.touched(engine) == before


def test_a_cancel_after_the_cutoff_is_refused_with_the_phone_number(
    harness: LineHarness, engine: Engine
) -> None:
    user = new_user_id()
    harness.send(text_event(user, "こんにちは"))  # the resident row now exists
    tomorrow = tokyo_today() + dt.timedelta(days=1)  # its cut-off has always passed
    with lb.own_day(engine, tomorrow) as day:
        receipt = lb.book_directly(engine, user, day.lon, day.lat, tomorrow)
        listed = harness.send(postback_event(user, "my=bookings"))
        assert receipt in lb.text_of(listed) and TACHIKAWA_PHONE in lb.text_of(listed)
        assert "a=bcancel" not in lb.text_of(listed) and "a=bmove" not in lb.text_of(listed)
        before = lb.touched(engine)
        for command in ("bcancel", "bmove"):
            refused = harness.send(postback_event(user, f"a={command}&r={receipt}"))
            assert "受付期限" in lb.text_of(refused) and TACHIKAWA_PHONE in lb.text_of(refused)
        assert lb.touched(engine) == before
        assert lb.line_booking(engine, user).status == "booked"


def test_someone_elses_receipt_number_is_simply_not_found(
    harness: LineHarness, engine: Engine
) -> None:
    owner, stranger = new_user_id(), new_user_id()
    harness.send(text_event(owner, "こんにちは"))
    with lb.own_day(engine, lb.sunday_ahead(7)) as day:
        receipt = lb.book_directly(engine, owner, day.lon, day.lat, day.day)
        before = lb.touched(engine)
        answer = harness.send(postback_event(stranger, f"a=bcancel&r={receipt}"))
        assert "見つかりませんでした" in lb.text_of(answer)
        assert lb.touched(engine) == before


@pytest.mark.parametrize("where", ["outside the town", "inside the town, outside every zone"])
def test_a_location_outside_every_zone_is_refused_with_the_phone_number(
    harness: LineHarness, engine: Engine, where: str
) -> None:
    user = new_user_id()
    harness.send(postback_event(user, "flow=bulky"))
    before = lb.touched(engine)
    if where == "outside the town":
        answer = harness.send(location_event(user, *OUTSIDE_TOWN))
        assert "区域外" in lb.text_of(answer)
    else:
        lon, lat, zone_id, _days = zone_place(engine, "A")
        with lb.zone_moved_away(engine, zone_id):
            answer = harness.send(location_event(user, lon, lat))
        assert "収集地域に含まれていない" in lb.text_of(answer)
    assert TACHIKAWA_PHONE in lb.text_of(answer) and "位置情報を送る" in lb.text_of(answer)
    assert lb.touched(engine) == before


def _set_capacity(engine: Engine, zone_id: int, day: dt.date, capacity: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE collection_day SET capacity = :c WHERE municipality_id = :m "
                "AND zone_id = :z AND service_date = :d"
            ),
            {"c": capacity, "m": MUNICIPALITY_ID, "z": zone_id, "d": day},
        )
