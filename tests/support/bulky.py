"""Helpers for bulky-waste tests: places inside zones, staff tokens, row counts, clean-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.live_server import live_server
from workflow.clock import TOKYO

OUTSIDE_TOWN = (139.7671, 35.6812)  # Tokyo Station, far outside 立川市
COUNTED = (
    "booking",
    "booking_item",
    "report",
    "resident",
    "resident_contact",
    "booking_contact",
    "status_history",
    "outbox_message",
)


def tokyo_today() -> dt.date:
    return dt.datetime.now(tz=TOKYO).date()


def zone_place(engine: Engine, code: str) -> tuple[float, float, int, list[int]]:
    """(lon, lat, zone id, weekdays) of a point surely inside zone ``code``."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, weekdays, ST_X(ST_PointOnSurface(geom)) AS lon, "
                "ST_Y(ST_PointOnSurface(geom)) AS lat FROM collection_zone "
                "WHERE municipality_id = :m AND code = :c"
            ),
            {"m": MUNICIPALITY_ID, "c": code},
        ).one()
    return float(row.lon), float(row.lat), int(row.id), list(row.weekdays)


def staff_headers(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    """Bearer header for a demo login (through the real token endpoint)."""
    answer = client.post("/api/v1/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows of every table a booking touches, plus the sum of taken slots."""
    with engine.connect() as conn:
        counts = {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in COUNTED
        }
        counts["booked_slots"] = int(
            conn.execute(text("SELECT coalesce(sum(booked), 0) FROM collection_day")).scalar_one()
        )
    return counts


def scalar(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def delete_bookings(engine: Engine, receipt_nos: list[str]) -> None:
    """Remove test bookings (report cascades to booking and items) and give slots back."""
    if not receipt_nos:
        return
    params = {"m": MUNICIPALITY_ID, "r": receipt_nos}
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE collection_day d SET booked = d.booked - x.n FROM (SELECT b.zone_id, "
                "b.service_date, count(*) AS n FROM booking b JOIN report r ON r.municipality_id "
                "= b.municipality_id AND r.id = b.report_id WHERE r.municipality_id = :m AND "
                "r.receipt_no = ANY(:r) AND b.status = 'booked' GROUP BY 1, 2) x WHERE "
                "d.municipality_id = :m AND d.zone_id = x.zone_id AND d.service_date = "
                "x.service_date"
            ),
            params,
        )
        residents = conn.execute(
            text(
                "DELETE FROM report WHERE municipality_id = :m AND receipt_no = ANY(:r) "
                "RETURNING resident_id"
            ),
            params,
        ).scalars()
        ids = [int(i) for i in residents if i is not None]
        conn.execute(
            text(
                "DELETE FROM resident WHERE municipality_id = :m AND id = ANY(:ids) AND NOT EXISTS "
                "(SELECT 1 FROM report WHERE report.municipality_id = :m AND resident_id = "
                "resident.id)"
            ),
            {"m": MUNICIPALITY_ID, "ids": ids},
        )


# ---------- fixtures shared by the bulky API tests (assign them in the test module) ----------


@pytest.fixture(scope="module")
def base_url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


@pytest.fixture()
def kankyo(client: httpx.Client) -> dict[str, str]:
    return staff_headers(client, "kankyo", "kankyo-demo")


@pytest.fixture()
def made(engine: Engine) -> Iterator[list[str]]:
    """Receipt numbers created by a test, removed afterwards."""
    receipts: list[str] = []
    yield receipts
    delete_bookings(engine, receipts)


def item_id(client: httpx.Client, query: str) -> int:
    """The id of the first accepted catalogue item found for ``query``."""
    items = client.get("/api/v1/items", params={"q": query}).json()["items"]
    return int(next(i for i in items if i["accepted"])["id"])


def free_day(client: httpx.Client, lon: float, lat: float, skip: int = 0) -> str:
    days = client.get("/api/v1/calendar", params={"lon": lon, "lat": lat}).json()["days"]
    return str(days[skip]["date"])


def booking_body(client: httpx.Client, engine: Engine, **changes: Any) -> dict[str, Any]:
    """A valid phone booking in zone B on its first free day (one たんす)."""
    lon, lat, _zone, _days = zone_place(engine, "B")
    body: dict[str, Any] = {
        "lon": lon,
        "lat": lat,
        "service_date": free_day(client, lon, lat),
        "items": [{"item_id": item_id(client, "たんす"), "quantity": 1}],
        "name": "立川 花子",
        "phone": "042-000-1234",
        "address": "立川市柏町一丁目",
        "address_line": "１－２－３　コーポ立川　１０１",
        "put_out": "entrance",
        "put_out_note": "門の右側",
    }
    body.update(changes)
    return body


@dataclass(frozen=True)
class ExtraDay:
    lon: float
    lat: float
    zone_id: int
    day: dt.date


@contextmanager
def extra_collection_day(engine: Engine, day: dt.date, capacity: int = 12) -> Iterator[ExtraDay]:
    """A zone-day for one test, on a weekday its zone never collects (so nobody else books it).

    Removed afterwards together with every booking on it.
    """
    for code in ("A", "B", "C", "D"):
        lon, lat, zone, weekdays = zone_place(engine, code)
        if day.weekday() not in weekdays:
            break
    params = {"m": MUNICIPALITY_ID, "z": zone, "d": day, "c": capacity}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity) "
                "VALUES (:m, :z, :d, :c)"
            ),
            params,
        )
    try:
        yield ExtraDay(lon, lat, zone, day)
    finally:
        with engine.connect() as conn:
            receipts = conn.execute(
                text(
                    "SELECT r.receipt_no FROM booking b JOIN report r ON r.municipality_id = "
                    "b.municipality_id AND r.id = b.report_id WHERE b.municipality_id = :m "
                    "AND b.zone_id = :z AND b.service_date = :d"
                ),
                params,
            ).scalars()
            numbers = [str(r) for r in receipts]
        delete_bookings(engine, numbers)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM collection_day WHERE municipality_id = :m AND zone_id = :z "
                    "AND service_date = :d"
                ),
                params,
            )
