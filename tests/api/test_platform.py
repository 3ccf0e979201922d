"""The platform operator over HTTP: signed in apart from staff, town health, no personal data."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky import booking_body, delete_bookings, staff_headers
from tests.support.desk import ReportFactory
from tests.support.live_server import live_server
from tests.support.platform import (
    LineTraffic,
    Operator,
    login_form_token,
    operator_account,
    platform_bearer,
    platform_login,
)
from tests.support.staff_login import login as staff_login
from workflow.clock import now_tokyo
from workflow.db import session_factory
from workflow.platform.operators import disable_operator

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def base_url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def operator(engine: Engine) -> Iterator[Operator]:
    with operator_account(engine) as op:
        yield op


@pytest.fixture()
def traffic(engine: Engine) -> Iterator[LineTraffic]:
    added = LineTraffic(engine)
    yield added
    added.remove()


@pytest.fixture()
def bookings(engine: Engine) -> Iterator[list[str]]:
    receipts: list[str] = []
    yield receipts
    delete_bookings(engine, receipts)


def tachikawa(client: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    answer = client.get("/platform/api/towns", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return next(t for t in answer.json()["towns"] if t["code"] == "13202")


# ---------- signing in ----------


def test_operator_signs_in_sees_the_towns_and_signs_out(
    client: httpx.Client, operator: Operator
) -> None:
    form = {"username": operator.username, "password": operator.password}
    answer = client.post("/platform/login", data={**form, "csrf_token": login_form_token(client)})
    assert answer.status_code == 303 and answer.headers["location"] == "/platform/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("machi_platform=") and "HttpOnly" in cookie
    assert "Path=/platform" in cookie and "SameSite=strict" in cookie
    page = client.get("/platform/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert (
        "自治体の稼働状況" in page.text and "立川市" in page.text and operator.username in page.text
    )
    assert client.post("/platform/logout").status_code == 403  # no CSRF token
    csrf = platform_login(client, operator)
    out = client.post("/platform/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/platform/login"
    client.cookies.clear()
    assert client.get("/platform/").headers["location"] == "/platform/login"
    assert client.get("/platform/api/towns").status_code == 401


def test_wrong_password_or_stale_form_is_refused(client: httpx.Client, operator: Operator) -> None:
    wrong = {"username": operator.username, "password": "not-the-password"}
    answer = client.post("/platform/login", data={**wrong, "csrf_token": login_form_token(client)})
    assert answer.status_code == 401 and "正しくありません" in answer.text
    assert "machi_platform=" not in answer.headers.get("set-cookie", "")
    right = {"username": operator.username, "password": operator.password}
    stale = client.post("/platform/login", data={**right, "csrf_token": "forged"})
    assert stale.status_code == 403 and "有効期限" in stale.text
    assert client.post("/platform/api/token", data=wrong).status_code == 401


def test_a_disabled_operator_is_refused_and_its_token_stops_working(
    client: httpx.Client, engine: Engine
) -> None:
    with operator_account(engine, "gone") as gone:
        headers = platform_bearer(client, gone)
        assert client.get("/platform/api/towns", headers=headers).status_code == 200
        with session_factory(engine)() as session:
            disable_operator(session, gone.username, now_tokyo())
        assert client.get("/platform/api/towns", headers=headers).status_code == 401
        form = {"username": gone.username, "password": gone.password}
        token = login_form_token(client)
        assert client.post("/platform/login", data={**form, "csrf_token": token}).status_code == 401
        assert client.post("/platform/api/token", data=form).status_code == 401


# ---------- staff and operators stay apart ----------


def test_staff_credentials_are_refused_on_the_platform(client: httpx.Client) -> None:
    staff = staff_headers(client, "admin", "admin-demo")
    assert client.get("/api/v1/me", headers=staff).status_code == 200
    assert client.get("/platform/api/towns", headers=staff).status_code == 401
    as_staff = {"username": "admin", "password": "admin-demo"}
    assert client.post("/platform/api/token", data=as_staff).status_code == 401
    staff_login(client, "admin", "admin-demo")  # the staff cookie is sent to /platform too
    session_cookie = client.cookies["machi_session"]
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/platform/api/towns").status_code == 401
    assert client.get("/platform/").headers["location"] == "/platform/login"
    client.cookies.set("machi_platform", session_cookie, path="/platform")  # renamed
    assert client.get("/platform/api/towns").status_code == 401


def test_operator_credentials_are_refused_on_staff_routes(
    client: httpx.Client, operator: Operator
) -> None:
    headers = platform_bearer(client, operator)
    for path in ("/api/v1/me", "/api/v1/reports", "/api/v1/reports/list"):
        assert client.get(path, headers=headers).status_code == 401, path
    platform_login(client, operator)
    assert client.get("/api/v1/me").status_code == 401  # the cookie is for /platform only
    assert client.get("/staff/").headers["location"] == "/staff/login"
    cookie = next(c for c in client.cookies.jar if c.name == "machi_platform")
    assert cookie.value is not None
    client.cookies.set("machi_session", cookie.value)  # an operator's cookie, renamed
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/staff/").headers["location"] == "/staff/login"


# ---------- the figures ----------

COUNTED = (
    "events_pending",
    "outbox_waiting",
    "outbox_failed",
    "reports_total",
    "reports_last_day",
    "reports_open",
    "bookings_upcoming",
)


def test_the_json_counts_events_messages_reports_and_bookings(
    client: httpx.Client,
    engine: Engine,
    operator: Operator,
    reports: ReportFactory,
    traffic: LineTraffic,
    bookings: list[str],
) -> None:
    headers = platform_bearer(client, operator)
    before = tachikawa(client, headers)
    now = now_tokyo()
    user = "Uplatform" + secrets.token_hex(8)
    for minutes_ago, processed in ((0, False), (1, False), (10, False), (0, True)):
        received = now - dt.timedelta(minutes=minutes_ago)
        traffic.event(MUNICIPALITY_ID, user, "ok", received, processed)
    traffic.message(MUNICIPALITY_ID, user, "hello", "pending")
    traffic.message(MUNICIPALITY_ID, user, "hello", "failed")
    reports("road_pothole")
    kankyo = staff_headers(client, "kankyo", "kankyo-demo")
    booked = client.post("/api/v1/bookings", json=booking_body(client, engine), headers=kankyo)
    assert booked.status_code == 201, booked.text
    bookings.append(booked.json()["receipt_no"])

    after = tachikawa(client, headers)
    assert after["name"] == "立川市" and after["active"] is True
    assert {key: after[key] - before[key] for key in COUNTED} == {
        "events_pending": 3,
        "outbox_waiting": 1,
        "outbox_failed": 1,
        "reports_total": 2,  # the pothole and the booking's report of kind bulky
        "reports_last_day": 2,
        "reports_open": 2,
        "bookings_upcoming": 1,
    }
    assert after["oldest_pending_event_s"] >= 600
    assert after["last_event_at"].endswith("+09:00")
    assert dt.datetime.fromisoformat(after["last_event_at"]) >= now - dt.timedelta(seconds=1)
    assert {"events_stale", "outbox_failed"} <= set(after["problems"])
    assert after["level"] == "bad"


@pytest.fixture()
def sealed_line_channel(engine: Engine) -> Iterator[None]:
    """The demo town's LINE credentials present (as the registry stores them), then put back."""
    params = {"m": MUNICIPALITY_ID}
    with engine.connect() as conn:
        had = conn.execute(
            text(
                "SELECT secret_enc, access_token_enc FROM line_channel WHERE municipality_id = :m"
            ),
            params,
        ).first()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO line_channel (municipality_id, secret_enc, access_token_enc) "
                "VALUES (:m, :x, :x) ON CONFLICT (municipality_id) DO UPDATE SET "
                "secret_enc = :x, access_token_enc = :x"
            ),
            {**params, "x": b"sealed"},
        )
    yield
    with engine.begin() as conn:
        if had is None:
            conn.execute(text("DELETE FROM line_channel WHERE municipality_id = :m"), params)
        else:
            conn.execute(
                text(
                    "UPDATE line_channel SET secret_enc = :s, access_token_enc = :t "
                    "WHERE municipality_id = :m"
                ),
                {**params, "s": had.secret_enc, "t": had.access_token_enc},
            )


def test_a_configured_line_channel_is_reported(
    client: httpx.Client, operator: Operator, sealed_line_channel: None
) -> None:
    town = tachikawa(client, platform_bearer(client, operator))
    assert town["line_configured"] is True and town["line_channel"] == "ok"
    assert "line_not_configured" not in town["problems"]


# ---------- privacy ----------


def _personal_strings(engine: Engine, line_user: str, receipt_no: str) -> list[str]:
    """What the database holds about the seeded resident and booker (read back, as stored)."""
    with engine.connect() as conn:
        booking = conn.execute(
            text(
                "SELECT c.name, c.phone, c.address_line, c.put_out_note FROM booking_contact c "
                "JOIN booking b ON b.municipality_id = c.municipality_id AND b.id = c.booking_id "
                "JOIN report r ON r.municipality_id = b.municipality_id AND r.id = b.report_id "
                "WHERE r.receipt_no = :r"
            ),
            {"r": receipt_no},
        ).one()
        resident = conn.execute(
            text(
                "SELECT c.name, c.phone, r.description FROM resident p JOIN resident_contact c "
                "ON c.municipality_id = p.municipality_id AND c.resident_id = p.id "
                "JOIN report r ON r.municipality_id = p.municipality_id AND r.resident_id = p.id "
                "WHERE p.line_user_id = :u"
            ),
            {"u": line_user},
        ).one()
    return [line_user, receipt_no, *booking, *resident]


def test_no_personal_data_on_the_page_or_in_the_json(
    client: httpx.Client,
    engine: Engine,
    operator: Operator,
    reports: ReportFactory,
    traffic: LineTraffic,
    bookings: list[str],
) -> None:
    mark = secrets.token_hex(4)
    made = reports("road_pothole", contact_name=f"秘密 太郎{mark}", description=f"家の前の穴{mark}")
    assert made.line_user_id is not None
    traffic.event(MUNICIPALITY_ID, made.line_user_id, f"住所は幸町{mark}", now_tokyo(), False)
    traffic.message(MUNICIPALITY_ID, made.line_user_id, f"受付しました{mark}", "failed")
    body = booking_body(
        client,
        engine,
        name=f"秘密 花子{mark}",
        phone=f"090-{secrets.randbelow(9000) + 1000}-{secrets.randbelow(9000) + 1000}",
        address=f"立川市幸町{mark}",
        address_line=f"9-9-9 メゾン{mark} 808",
        put_out_note=f"車庫の奥{mark}",
    )
    kankyo = staff_headers(client, "kankyo", "kankyo-demo")
    booked = client.post("/api/v1/bookings", json=body, headers=kankyo)
    assert booked.status_code == 201, booked.text
    bookings.append(booked.json()["receipt_no"])
    held = [*_personal_strings(engine, made.line_user_id, booked.json()["receipt_no"]), mark]
    assert len(held) == 10 and all(held)

    json_text = client.get("/platform/api/towns", headers=platform_bearer(client, operator)).text
    platform_login(client, operator)
    page = client.get("/platform/").text
    assert "立川市" in page and "13202" in json_text
    for value in held:
        assert value not in json_text and value not in page, value
