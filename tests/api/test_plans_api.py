"""Plans API and staff plan pages: who may plan, validation, worksheets PDF, paper sheets."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.fakes.line_server import FakeLineServer
from tests.support.bulky_day import book_day, pickup_stops, release_day
from tests.support.live_server import live_server
from tests.support.staff_login import bearer, login
from workflow.line.dispatcher import dispatch_due
from workflow.line.sender import LineSender, make_configuration


@pytest.fixture(scope="module")
def plans_line() -> Iterator[FakeLineServer]:
    with FakeLineServer() as line:
        yield line


@pytest.fixture(scope="module")
def plans_settings(test_settings: Settings, plans_line: FakeLineServer) -> Settings:
    return test_settings.model_copy(
        update={"line_api_base": plans_line.base_url, "line_channel_access_token": plans_line.token}
    )


@pytest.fixture(scope="module")
def server(plans_settings: Settings) -> Iterator[str]:
    with live_server(create_app(plans_settings)) as url:
        yield url


@pytest.fixture()
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def day(engine: Engine) -> Iterator[str]:
    booked_day, _ids = book_day(engine, offset_days=60, count=5, seed=47)
    yield booked_day.isoformat()
    release_day(engine, booked_day)


@pytest.fixture(scope="module")
def planned(server: str, day: str) -> str:
    with httpx.Client(base_url=server, timeout=120) as c:
        answer = c.post(
            "/api/v1/plans",
            json={"date": day, "time_limit_s": 2},
            headers=bearer(c, "kankyo", "kankyo-demo"),
        )
    assert answer.status_code == 200, answer.text
    return day


def pdf_info(pdf: bytes, folder: Path) -> str:
    (folder / "w.pdf").write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", str(folder / "w.pdf")], capture_output=True, text=True, check=True
    ).stdout


def test_kankyo_creates_a_plan_with_every_booking_routed_or_explained(
    client: httpx.Client, day: str
) -> None:
    headers = bearer(client, "kankyo", "kankyo-demo")
    answer = client.post("/api/v1/plans", json={"date": day, "time_limit_s": 2}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["date"] == day and body["status"] == "draft" and body["routes"]
    routed = [s for r in body["routes"] for s in r["stops"] if s["kind"] == "pickup"]
    assert body["stops"] == len(routed) and len(routed) + len(body["unassigned"]) == 5
    assert all(s["booking_no"] and s["eta"] for s in routed)
    again = client.get(f"/api/v1/plans/{day}", headers=headers).json()
    assert again["plan_id"] == body["plan_id"] and again["stops"] == body["stops"]


def test_other_departments_may_not_plan(client: httpx.Client, day: str) -> None:
    headers = bearer(client, "doro", "doro-demo")
    answer = client.post("/api/v1/plans", json={"date": day}, headers=headers)
    assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
    assert client.post("/api/v1/plans", json={"date": day}).status_code == 401


def test_a_bad_date_is_422_naming_the_field(client: httpx.Client) -> None:
    headers = bearer(client, "kankyo", "kankyo-demo")
    for bad in ("2026-02-30", "tomorrow", None):
        answer = client.post("/api/v1/plans", json={"date": bad}, headers=headers)
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"] == ["body", "date"]
    slow = client.post(
        "/api/v1/plans", json={"date": "2026-12-01", "time_limit_s": 0}, headers=headers
    )
    assert slow.status_code == 422 and slow.json()["detail"][0]["loc"] == ["body", "time_limit_s"]


def test_session_callers_need_the_csrf_header(client: httpx.Client, planned: str) -> None:
    csrf = login(client, "kankyo", "kankyo-demo")
    body = {"date": planned, "time_limit_s": 1}
    assert client.post("/api/v1/plans", json=body).status_code == 403
    answer = client.post("/api/v1/plans", json=body, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text


def test_worksheets_pdf_for_staff_and_crew(
    client: httpx.Client, planned: str, tmp_path: Path
) -> None:
    pdf = client.get(
        f"/api/v1/plans/{planned}/worksheets.pdf", headers=bearer(client, "crew1", "crew-demo")
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pages = re.search(r"Pages:\s+(\d+)", pdf_info(pdf.content, tmp_path))
    assert pages and int(pages.group(1)) >= 1
    headers = bearer(client, "kankyo", "kankyo-demo")
    a3 = client.get(f"/api/v1/plans/{planned}/worksheets.pdf?paper=A3", headers=headers)
    assert "(A3)" in pdf_info(a3.content, tmp_path)
    doro = bearer(client, "doro", "doro-demo")
    assert client.get(f"/api/v1/plans/{planned}/worksheets.pdf", headers=doro).status_code == 403
    none = client.get("/api/v1/plans/2031-01-07/worksheets.pdf", headers=headers)  # no bookings
    assert none.status_code == 404 and "作業票はありません" in none.json()["message"]


def test_staff_page_shows_routes_map_and_pdf_link(client: httpx.Client, planned: str) -> None:
    login(client, "kankyo", "kankyo-demo")
    index = client.get("/staff/plans")
    assert index.status_code == 200 and 'type="date"' in index.text
    picked = client.get("/staff/plans", params={"date": planned})
    assert picked.status_code == 303 and picked.headers["location"] == f"/staff/plans/{planned}"
    page = client.get(f"/staff/plans/{planned}")
    assert page.status_code == 200
    assert "作業票PDF" in page.text and "km" in page.text and "計画を作り直す" in page.text
    fmap = client.get(f"/staff/plans/{planned}/map").text
    assert "/static/vendor/leaflet/leaflet.js" in fmap and "cdn." not in fmap
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200


def _form(page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return token.group(1)


def _rows(engine: Engine, sql: str, ids: list[int]) -> list[tuple[str, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"ids": ids}).all()]


def _flush(engine: Engine, settings: Settings) -> None:
    configuration = make_configuration(settings.line_channel_access_token, settings.line_api_base)
    while dispatch_due(engine, LineSender(configuration), lambda: dt.datetime.now(tz=dt.UTC)):
        pass


_OUTCOMES = (
    "SELECT s.outcome, b.status FROM route_stop s JOIN booking b ON b.id = s.booking_id "
    "WHERE s.id = ANY(:ids) ORDER BY s.id"
)
_USERS = (
    "SELECT res.line_user_id FROM route_stop s JOIN booking b ON b.id = s.booking_id "
    "JOIN resident res ON res.id = b.resident_id WHERE s.id = ANY(:ids)"
)


def test_a_returned_paper_sheet_is_recorded_once(
    client: httpx.Client,
    planned: str,
    engine: Engine,
    plans_settings: Settings,
    plans_line: FakeLineServer,
) -> None:
    login(client, "kankyo", "kankyo-demo")
    with engine.connect() as conn:
        plan_id = conn.execute(
            text("SELECT id FROM route_plan WHERE service_date = :d"), {"d": planned}
        ).scalar_one()
    first, second = pickup_stops(engine, plan_id)[:2]
    url = f"/staff/plans/{planned}/outcomes"
    csrf = _form(client.get(f"/staff/plans/{planned}").text)
    missing_note = {"csrf_token": csrf, f"outcome_{first}": "other"}
    refused = client.post(url, data=missing_note)
    assert refused.status_code == 422 and "No." in refused.text and "メモ" in refused.text
    sheet = {"csrf_token": csrf, f"outcome_{first}": "collected", f"outcome_{second}": "not_out"}
    done = client.post(url, data=sheet, follow_redirects=True)
    assert done.status_code == 200 and "2件を記録しました" in done.text
    again = client.post(url, data=sheet, follow_redirects=True)
    assert "0件を記録しました" in again.text and "2件はすでに記録済み" in again.text
    outcomes = sorted(_rows(engine, _OUTCOMES, [first, second]))
    assert outcomes == [("collected", "collected"), ("not_out", "not_out")]
    _flush(engine, plans_settings)
    users = [user for (user,) in _rows(engine, _USERS, [first, second])]
    for user in users:  # one 作業中 notice from planning, then one for the sheet's outcome
        bodies = [json.dumps(p.json, ensure_ascii=False) for p in plans_line.pushes(to=user)]
        assert len(bodies) == 2 and sum("ルートに組み込みました" in b for b in bodies) == 1
    assert client.post(url, data={f"outcome_{first}": "other"}).status_code == 403  # no CSRF


def test_a_day_without_bookings_plans_to_nothing(client: httpx.Client, engine: Engine) -> None:
    empty = "2029-06-05"
    headers = bearer(client, "kankyo", "kankyo-demo")
    try:
        answer = client.post(
            "/api/v1/plans", json={"date": empty, "time_limit_s": 1}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["stops"] == 0 and answer.json()["unassigned"] == []
        pdf = client.get(f"/api/v1/plans/{empty}/worksheets.pdf", headers=headers)
        assert pdf.status_code == 404 and pdf.json()["code"] == "day_without_stops"
        assert "収集する申込がないため、作業票はありません" in pdf.json()["message"]
        login(client, "kankyo", "kankyo-demo")
        page = client.get(f"/staff/plans/{empty}")
        assert "作業票はありません" in page.text and "worksheets.pdf" not in page.text
    finally:
        release_day(engine, dt.date.fromisoformat(empty))
    missing = client.get(f"/api/v1/plans/{empty}", headers=headers)
    assert missing.status_code == 404 and missing.json()["field"] == "date"
