"""Staff of one town, holding another town's ids, are refused everywhere and write nothing.

A scratch database with both demo towns (立川市 = A, 京丹後市 = B). B's staff make a
booking, a report of a LINE resident (with a status change, so an outbox message), a photo
and a collection plan through B's own host name. Then A's staff walk every route that takes an
id, with B's ids, on A's host: each answer is a refusal (401/403/404, or 422 where a value is
refused before it is looked up), no answer shows B's receipt numbers, and every row of B is
byte for byte what it was. The same walk with A's own ids is not refused, so the refusals
come from the town, not from a broken route.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from geo.models import Resident
from machi.settings import Settings
from tests.conftest import app_url, create_database, drop_database, migrate
from tests.support.line_events import jpeg_with_gps
from tests.support.live_server import live_server
from tests.support.staff_login import bearer, login
from workflow.crew.links import stop_token
from workflow.db import session_scope
from workflow.demo.towns import DEMO_TOWNS
from workflow.reports.create import ReportDraft, create_report
from workflow.reports.images import clean_image
from workflow.reports.photo_store import add_stored_photo

pytestmark = [pytest.mark.db, pytest.mark.slow]

A, B = 13202, 26212
A_HOST, B_HOST = "tachikawa.localhost", "kyotango.localhost"
CONTACTS = {A: ("立川 一郎", "042-000-1111"), B: ("京丹後 花子", "0772-99-8888")}
REFUSED = {401, 403, 404, 422}


@dataclass(frozen=True)
class TownIds:
    report_id: int
    receipt_no: str
    booking_receipt: str
    photo_id: int
    outbox_id: int
    plan_date: str
    stop_id: int


@dataclass(frozen=True)
class World:
    url: str
    engine: Engine
    settings: Settings
    a: TownIds
    b: TownIds


def _client(url: str, host: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Host": host}, timeout=60)


def _report(engine: Engine, town: int, media_dir: Path) -> tuple[int, str, int]:
    """A report of a LINE resident of ``town`` with one photo: (report id, receipt, photo id)."""
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM district"
                " WHERE municipality_id = :m ORDER BY code LIMIT 1) AS d"
            ),
            {"m": town},
        ).one()
    with session_scope(engine) as session:
        resident = Resident(
            municipality_id=town, line_user_id="U" + secrets.token_hex(16), following=True
        )
        session.add(resident)
        session.flush()
        draft = ReportDraft("road_pothole", lon, lat, "line", "穴", resident_id=resident.id)
        report = create_report(session, town, draft)
        image = clean_image(jpeg_with_gps())
        photo = add_stored_photo(session, town, report.id, image, media_dir, "web")
        return report.id, report.receipt_no, photo.id


def _booking(client: httpx.Client, engine: Engine, town: int, headers: dict[str, str]) -> str:
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM"
                " collection_zone WHERE municipality_id = :m ORDER BY code LIMIT 1) AS z"
            ),
            {"m": town},
        ).one()
    days = client.get("/api/v1/calendar", params={"lon": lon, "lat": lat}).json()["days"]
    items = client.get("/api/v1/items", params={"q": "たんす"}).json()["items"]
    body = {
        "lon": lon,
        "lat": lat,
        "service_date": days[0]["date"],
        "items": [{"item_id": next(i["id"] for i in items if i["accepted"]), "quantity": 1}],
        "name": CONTACTS[town][0],
        "phone": CONTACTS[town][1],
        "address": "試験町",
        "address_line": "1-2-3",
        "put_out": "entrance",
    }
    answer = client.post("/api/v1/bookings", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["receipt_no"])


def _make_town_ids(url: str, world: tuple[Engine, Path], town: int, host: str) -> TownIds:
    engine, media_dir = world
    users = USERS[town]
    extra = 2 if town == B else 1  # receipt numbers count per town: B's last one A has not
    for _ in range(extra):
        report_id, receipt_no, photo_id = _report(engine, town, media_dir)
    with _client(url, host) as client:
        admin = bearer(client, users["admin"], users["admin_pw"])
        kankyo = bearer(client, users["kankyo"], users["kankyo_pw"])
        for _ in range(extra):
            booking = _booking(client, engine, town, kankyo)
        changed = client.patch(
            f"/api/v1/reports/{report_id}", json={"status": "in_progress"}, headers=admin
        )
        assert changed.status_code == 200, changed.text
        day = client.get(f"/api/v1/bookings/{booking}", headers=kankyo).json()["service_date"]
        planned = client.post("/api/v1/plans", json={"date": day, "time_limit_s": 2}, headers=admin)
        assert planned.status_code == 200, planned.text
    with engine.connect() as conn:
        outbox_id = conn.execute(
            text("SELECT max(id) FROM outbox_message WHERE municipality_id = :m"), {"m": town}
        ).scalar_one()
        stop_id = conn.execute(
            text("SELECT max(id) FROM route_stop WHERE municipality_id = :m AND kind = 'pickup'"),
            {"m": town},
        ).scalar_one()
    return TownIds(report_id, receipt_no, booking, photo_id, outbox_id, day, stop_id)


USERS = {
    A: {"admin": "admin", "admin_pw": "admin-demo", "kankyo": "kankyo", "kankyo_pw": "kankyo-demo"},
    B: {
        "admin": "kyotango-admin",
        "admin_pw": "kyotango-admin-demo",
        "kankyo": "kyotango-kankyo",
        "kankyo_pw": "kyotango-kankyo-demo",
    },
}


@pytest.fixture(scope="module")
def world(test_settings: Settings) -> Iterator[World]:
    name = f"machi_towns_{secrets.token_hex(4)}"
    url = create_database(name)
    engine = create_engine(url)
    try:
        migrate(url)
        for load in DEMO_TOWNS.values():
            with session_scope(engine) as session:
                load(session)
        settings = app_settings(test_settings, url)
        with live_server(create_app(settings)) as base:
            a = _make_town_ids(base, (engine, settings.media_dir), A, A_HOST)
            b = _make_town_ids(base, (engine, settings.media_dir), B, B_HOST)
            assert {b.receipt_no, b.booking_receipt}.isdisjoint({a.receipt_no, a.booking_receipt})
            yield World(base, engine, settings, a, b)
    finally:
        engine.dispose()
        drop_database(name)


def app_settings(test_settings: Settings, owner_url: str) -> Settings:
    """The app's settings on the scratch database: the app role (row-level security)."""
    app = app_url(make_url(owner_url).database or "")
    return test_settings.model_copy(update={"database_url": app, "owner_database_url": owner_url})


def _fingerprint(engine: Engine, town: int) -> dict[str, str]:
    """Every tenant table's rows of ``town``, hashed: any write shows."""
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND column_name = 'municipality_id' ORDER BY 1"
            )
        ).scalars()
        return {
            table: conn.execute(
                text(
                    f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' "
                    f"ORDER BY t::text)), '') FROM {table} AS t WHERE municipality_id = :m"
                ),
                {"m": town},
            ).scalar_one()
            for table in list(tables)
        }


def _calls(ids: TownIds, token: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request options) of every route that takes an id or a receipt."""
    report, receipt, booking = ids.report_id, ids.receipt_no, ids.booking_receipt
    form = {"csrf_token": token}
    later = (dt.date.fromisoformat(ids.plan_date) + dt.timedelta(days=7)).isoformat()
    return [
        ("GET", f"/api/v1/reports/{report}", {}),
        ("PATCH", f"/api/v1/reports/{report}", {"json": {"status": "done"}}),
        ("POST", f"/api/v1/reports/{report}/messages", {"json": {"body": "確認します"}}),
        ("GET", f"/staff/photos/{ids.photo_id}", {}),
        ("GET", f"/staff/photos/{ids.photo_id}/thumb", {}),
        ("GET", f"/staff/reports/{report}", {}),
        ("POST", f"/staff/reports/{report}/status", {"data": {**form, "status": "done"}}),
        ("POST", f"/staff/reports/{report}/messages", {"data": {**form, "body": "確認"}}),
        ("POST", f"/staff/outbox/{ids.outbox_id}/resend", {"data": form}),
        ("GET", f"/api/v1/bookings/{booking}", {}),
        ("POST", f"/api/v1/bookings/{booking}/cancel", {}),
        ("POST", f"/api/v1/bookings/{booking}/reschedule", {"json": {"service_date": later}}),
        ("PUT", f"/api/v1/bookings/{booking}/payment", {"json": {"paid": True}}),
        ("GET", f"/open311/v2/requests/{receipt}.json", {}),
        ("GET", f"/open311/v2/requests/{booking}.json", {}),
    ]


def _refused(answer: httpx.Response) -> bool:
    """A refusal: an error status, or a form's redirect back with 「見つかりません」."""
    if answer.status_code == 303:
        return answer.headers["location"].endswith("notice=missing")
    return answer.status_code in REFUSED


def _walk(world: World, host: str, ids: TownIds) -> dict[str, httpx.Response]:
    """As the admin of ``host``'s town (cookie + CSRF + bearer), call every route with ``ids``."""
    answers = {}
    users = USERS[A if host == A_HOST else B]
    with _client(world.url, host) as client:
        token = login(client, users["admin"], users["admin_pw"])
        headers = {"X-CSRF-Token": token}
        for method, path, options in _calls(ids, token):
            answer = client.request(method, path, headers=headers, **options)
            answers[f"{method} {path}"] = answer
    return answers


def test_staff_of_a_are_refused_every_id_of_b_and_nothing_of_b_changes(world: World) -> None:
    before = _fingerprint(world.engine, B)
    answers = _walk(world, A_HOST, world.b)
    wrong = {k: (r.status_code, r.text[:200]) for k, r in answers.items() if not _refused(r)}
    assert wrong == {}
    # (an answer may repeat the id it was asked for; it must show nothing of B's own)
    leaked = [k for k, r in answers.items() if any(v in r.text for v in CONTACTS[B])]
    assert leaked == []
    assert _fingerprint(world.engine, B) == before


def test_the_same_walk_with_a_own_ids_is_served(world: World) -> None:
    """Control: the routes of the walk do answer their own town (reads only, nothing changed)."""
    answers = _walk(world, A_HOST, world.a)
    private = f"/open311/v2/requests/{world.a.booking_receipt}.json"  # bookings are never public
    reads = {
        k: r.status_code for k, r in answers.items() if k.startswith("GET ") and private not in k
    }
    assert {k: c for k, c in reads.items() if c != 200} == {}


def test_b_own_staff_reach_b_ids_on_b_host(world: World) -> None:
    with _client(world.url, B_HOST) as client:
        headers = bearer(client, "kyotango-admin", "kyotango-admin-demo")
        answer = client.get(f"/api/v1/reports/{world.b.report_id}", headers=headers)
        assert answer.status_code == 200 and answer.json()["receipt_no"] == world.b.receipt_no


def test_lists_and_exports_of_a_show_nothing_of_b(world: World) -> None:
    with _client(world.url, A_HOST) as client:
        headers = bearer(client, "admin", "admin-demo")
        for path in ("/api/v1/reports.geojson", "/api/v1/reports.csv", "/api/v1/reports/list"):
            answer = client.get(path, headers=headers)
            assert answer.status_code == 200, path
            assert world.b.receipt_no not in answer.text and world.a.receipt_no in answer.text


def test_a_crew_link_of_b_opens_nothing_on_a(world: World) -> None:
    secret = world.settings.secret_key
    with _client(world.url, A_HOST) as client:
        # B's own link (B in the token) and a link minted for A around B's stop id
        for token in (
            stop_token(secret, B, world.b.stop_id),
            stop_token(secret, A, world.b.stop_id),
        ):
            assert client.get(f"/crew/s/{token}").status_code in REFUSED
            posted = client.post(f"/crew/s/{token}", data={"outcome": "done"})
            assert posted.status_code in REFUSED
        assert client.get(f"/crew/s/{stop_token(secret, A, world.a.stop_id)}").status_code == 200
