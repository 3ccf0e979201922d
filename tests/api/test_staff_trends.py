"""Trends over HTTP: department scope, the period form, precise errors, the page's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import ReportFactory, login
from tests.support.live_server import live_server
from workflow.clock import TOKYO

# A week in 2020 that only this module writes to (reports are moved there after creation).
WEEK = {"from": "2020-06-01", "to": "2020-06-07"}  # Monday .. Sunday


@pytest.fixture(scope="module")
def base_url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as url:
        yield url


@contextmanager
def _client(base_url: str, user: str | None = None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=20) as client:
        if user is not None:
            login(client, user, "crew-demo" if user == "crew1" else f"{user}-demo")
        yield client


def _move(engine: Engine, report_id: int, created: dt.datetime, done_after_h: float | None) -> None:
    closed = created + dt.timedelta(hours=done_after_h) if done_after_h is not None else None
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE report SET created_at = :c, updated_at = :c, closed_at = :closed, "
                "status = CASE WHEN CAST(:closed AS timestamptz) IS NULL THEN status "
                "ELSE 'done' END "
                "WHERE municipality_id = :m AND id = :id"
            ),
            {"c": created, "closed": closed, "m": MUNICIPALITY_ID, "id": report_id},
        )


@pytest.fixture(scope="module")
def week(engine: Engine) -> Iterator[None]:
    factory = ReportFactory(engine)
    at = dt.datetime(2020, 6, 1, 8, 30, tzinfo=TOKYO)  # Monday 08:30 in Tokyo
    _move(engine, factory("road_pothole", line=False).id, at, done_after_h=6)
    _move(engine, factory("road_pothole", line=False).id, at + dt.timedelta(days=2), 30)
    _move(engine, factory("road_light", line=False).id, at + dt.timedelta(days=6), None)
    _move(engine, factory("dumping", line=False).id, at + dt.timedelta(hours=1), None)
    yield
    factory.cleanup()


def _trends(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/api/v1/trends", params={**WEEK, **params})


def test_staff_get_their_departments_trends(base_url: str, week: None) -> None:
    with _client(base_url, "doro") as doro:
        answer = _trends(doro)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"] == WEEK and body["department"] == {"code": "road", "name": "道路課"}
    assert body["counts"]["total"] == 3 and body["counts"]["done"] == 2
    assert body["median_hours_to_done"] == 18.0  # of 6 and 30 hours
    pothole = next(c for c in body["by_category_status"] if c["category"] == "road_pothole")
    assert pothole["counts"]["done"] == 2 and pothole["median_hours_to_done"] == 18.0
    assert {c["kind"] for c in body["by_category_status"]} == {"road"}
    assert [d["count"] for d in body["by_weekday"]] == [1, 0, 1, 0, 0, 0, 1]
    assert body["by_hour"][8]["count"] == 3 and len(body["by_hour"]) == 24
    assert sum(d["count"] for d in body["by_district"]) + body["without_district"] == 3


def test_admin_chooses_a_department_staff_cannot(base_url: str, week: None) -> None:
    with _client(base_url, "admin") as admin:
        everything = _trends(admin).json()
        kankyo = _trends(admin, department="kankyo").json()
    assert everything["department"] is None and everything["counts"]["total"] == 4
    assert kankyo["department"]["name"] == "環境課" and kankyo["counts"]["total"] == 1
    with _client(base_url, "kankyo") as staff:
        refused = _trends(staff, department="road")
    assert refused.status_code == 403 and refused.json()["field"] == "department"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2020-06-31"}, "from"), ({"to": "June"}, "to"),
     ({"from": "2020-06-08", "to": "2020-06-01"}, "from"),
     ({"from": "2010-01-01", "to": "2020-01-01"}, "to"),
     ({"department": "Road!"}, "department"), ({"department": "nosuch"}, "department")],
)  # fmt: skip
def test_bad_periods_and_departments_name_the_field(
    base_url: str, params: dict[str, str], field: str
) -> None:
    with _client(base_url, "admin") as admin:
        answer = admin.get("/api/v1/trends", params=params)
    assert answer.status_code == 422
    assert answer.json()["field"] == field and answer.json()["message"]


def test_crews_and_strangers_get_no_trends(base_url: str) -> None:
    with _client(base_url, "crew1") as crew:
        assert crew.get("/api/v1/trends").status_code == 403
        assert crew.get("/staff/trends").status_code == 403
    with _client(base_url) as anonymous:
        assert anonymous.get("/api/v1/trends").status_code == 401
        assert anonymous.get("/staff/trends").headers["location"] == "/staff/login"


def test_the_page_shows_the_tables_and_the_choropleth(base_url: str, week: None) -> None:
    with _client(base_url, "doro") as doro:
        page = doro.get("/staff/trends", params=WEEK)
        bad = doro.get("/staff/trends", params={"from": "2020-13-01"})
        other = doro.get("/staff/trends", params={**WEEK, "department": "kankyo"})
    assert page.status_code == 200
    assert "道路課・2020年6月1日〜2020年6月7日に受け付けた通報" in page.text
    assert 'id="trend-total">3<' in page.text and 'id="trend-median">18.0 時間<' in page.text
    assert "道路の穴・陥没" in page.text and "不法投棄" not in page.text
    assert "ボロノイ分割" in page.text and "choropleth-legend" in page.text
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    assert other.status_code == 403 and "他の課の傾向" in other.text
