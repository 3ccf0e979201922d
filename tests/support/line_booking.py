"""Walk the LINE bulky-waste booking through the real webhook and worker (see LineHarness).

Every step posts a correctly signed event, lets the worker run, and returns what the bot
answered to that event's reply token; taps use the quick replies the bot really offered.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text

from tests.api.conftest import LineHarness
from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky import ExtraDay, extra_collection_day
from tests.support.bulky_day import release_day
from tests.support.line_events import location_event, postback_event, text_event
from workflow.bookings.book import BookingRequest, ItemLine
from workflow.bookings.catalogue import search_items
from workflow.bookings.place import Whereabouts
from workflow.bookings.views import Contact
from workflow.clock import TOKYO
from workflow.db import session_scope
from workflow.line import bookings as line_bookings

Replies = list[dict[str, Any]]
_TOUCHED = ("booking", "booking_item", "report", "booking_contact", "status_history")


def text_of(replies: Replies) -> str:
    return json.dumps(replies, ensure_ascii=False)


def _actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node["action"]] if "action" in node else []
        return own + [a for value in node.values() for a in _actions(value)]
    if isinstance(node, list):
        return [a for value in node for a in _actions(value)]
    return []


def postbacks(replies: Replies) -> list[tuple[str, str]]:
    """(label, data) of every postback quick reply and button the bot offered."""
    return [(a["label"], a["data"]) for a in _actions(replies) if a.get("type") == "postback"]


def tap(harness: LineHarness, user: str, replies: Replies, wanted: str) -> Replies:
    """Tap the first offered postback whose data starts with ``wanted`` (e.g. ``a=item``)."""
    offered = [d for _label, d in postbacks(replies) if d.startswith(wanted)]
    assert offered, f"no {wanted} offered in {text_of(replies)}"
    return harness.send(postback_event(user, offered[0]))


def say(harness: LineHarness, user: str, words: str) -> Replies:
    return harness.send(text_event(user, words))


def pick_date(harness: LineHarness, user: str, day: dt.date) -> Replies:
    """Choose a date with the date picker (LINE sends it as the postback's ``params.date``)."""
    event = postback_event(user, "a=day")
    event["postback"]["params"] = {"date": day.isoformat()}
    return harness.send(event)


ADDRESS_LINE = "１－２－３　コーポ立川　１０１"  # typed full-width; stored 1-2-3 コーポ立川 101


def start(
    harness: LineHarness,
    user: str,
    lon: float,
    lat: float,
    address_line: str = ADDRESS_LINE,
    put_out: str = "entrance",
    note: str | None = None,
) -> Replies:
    """From the menu to the first item question: pin, address line, put-out place, note."""
    harness.send(postback_event(user, "flow=bulky"))
    asked = harness.send(location_event(user, lon, lat, address="東京都立川市"))
    assert "番地・建物名・部屋番号" in text_of(asked), text_of(asked)
    places = say(harness, user, address_line)
    noted = tap(harness, user, places, f"a=put&p={put_out}")
    return say(harness, user, note) if note else tap(harness, user, noted, "a=nonote")


def add_item(harness: LineHarness, user: str, query: str, quantity: int) -> Replies:
    """Search, take the first candidate offered, type the quantity; returns the cart."""
    found = say(harness, user, query)
    tap(harness, user, found, "a=item")
    return say(harness, user, str(quantity))


def to_confirm(harness: LineHarness, user: str, day: dt.date, name: str = "立川 花子") -> Replies:
    """From the cart: これで決定, the date, name and phone; returns the confirm Flex."""
    say(harness, user, "これで決定")
    pick_date(harness, user, day)
    say(harness, user, name)
    return say(harness, user, "090-1234-5678")


def touched(engine: Engine) -> dict[str, int]:
    """Rows of every table a booking writes, and the slots taken over all zone-days."""
    with engine.connect() as conn:
        counts = {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in _TOUCHED
        }
        counts["booked"] = int(
            conn.execute(text("SELECT coalesce(sum(booked), 0) FROM collection_day")).scalar_one()
        )
    return counts


def booked_on(engine: Engine, zone_id: int, day: dt.date) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT booked FROM collection_day WHERE municipality_id = :m AND "
                    "zone_id = :z AND service_date = :d"
                ),
                {"m": MUNICIPALITY_ID, "z": zone_id, "d": day},
            ).scalar_one()
        )


def line_booking(engine: Engine, user: str) -> Any:
    """The LINE user's booking (with its report) or None."""
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT b.id, b.status, b.service_date, b.zone_id, b.fee_total_yen, r.receipt_no, "
                "r.status AS report_status, r.channel, p.id AS resident_id FROM booking b "
                "JOIN report r ON r.municipality_id = b.municipality_id AND r.id = b.report_id "
                "JOIN resident p ON p.municipality_id = b.municipality_id AND p.id = b.resident_id "
                "WHERE p.line_user_id = :u ORDER BY b.id DESC LIMIT 1"
            ),
            {"u": user},
        ).first()


def book_directly(engine: Engine, user: str, lon: float, lat: float, day: dt.date) -> str:
    """Book one たんす for a known LINE user as if it were a week before ``day``.

    For days the window would refuse today (tomorrow, to test the cut-off); returns the
    receipt number.
    """
    with session_scope(engine) as session:
        resident_id = session.execute(
            text("SELECT id FROM resident WHERE municipality_id = :m AND line_user_id = :u"),
            {"m": MUNICIPALITY_ID, "u": user},
        ).scalar_one()
        item = next(h for h in search_items(session, MUNICIPALITY_ID, "たんす") if h.accepted)
        request = BookingRequest(
            lon,
            lat,
            day,
            (ItemLine(item.id, 1),),
            "立川市",
            Contact("立川 花子", "090-1234-5678"),
            whereabouts=Whereabouts("1-2-3", "entrance"),
        )
        then = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9), tzinfo=TOKYO)
        view = line_bookings.book_by_line(session, MUNICIPALITY_ID, resident_id, request, then)
    return view.receipt_no


def sunday_ahead(min_days: int) -> dt.date:
    """The first Sunday at least ``min_days`` ahead (no zone collects on Sundays)."""
    day = dt.datetime.now(tz=TOKYO).date() + dt.timedelta(days=min_days)
    return day + dt.timedelta(days=(6 - day.weekday()) % 7)


@contextmanager
def own_day(engine: Engine, day: dt.date) -> Iterator[ExtraDay]:
    """A zone-day for one test (see ``extra_collection_day``), its bookings removed after.

    The bookings' reports go first (``release_day``): LINE residents keep their outbox rows,
    so only the harness may remove them, at the end of the module.
    """
    with extra_collection_day(engine, day) as extra:
        try:
            yield extra
        finally:
            release_day(engine, extra.day)


@contextmanager
def zone_moved_away(engine: Engine, zone_id: int) -> Iterator[None]:
    """Shift one zone's polygon out of town for a test; the exact original is put back."""
    params = {"m": MUNICIPALITY_ID, "z": zone_id}
    where = "WHERE municipality_id = :m AND id = :z"
    with engine.begin() as conn:
        original = conn.execute(
            text(f"SELECT ST_AsEWKB(geom) FROM collection_zone {where}"), params
        ).scalar_one()
        conn.execute(
            text(f"UPDATE collection_zone SET geom = ST_Translate(geom, 5, 0) {where}"), params
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE collection_zone SET geom = ST_GeomFromEWKB(:g) {where}"),
                {**params, "g": bytes(original)},
            )
