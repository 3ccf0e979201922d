"""Overdue: each category's target time; reports past it flagged on the map, list and grid."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import TOWN_BBOX, ReportFactory, login
from tests.support.live_server import live_server


@pytest.fixture(scope="module")
def base_url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as url:
        yield url


@pytest.fixture()
def doro(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=20) as client:
        login(client, "doro", "doro-demo")
        yield client


def _features(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    answer = client.get("/api/v1/reports", params={"bbox": TOWN_BBOX, "limit": "5000", **params})
    assert answer.status_code == 200 and answer.json()["mode"] == "points", answer.text[:200]
    return list(answer.json()["features"])


def _age(engine: Engine, report_id: int, hours: int, status: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE report SET created_at = now() - make_interval(hours => :h), "
                "status = coalesce(CAST(:s AS varchar), status) "
                "WHERE municipality_id = :m AND id = :id"
            ),
            {"h": hours, "s": status, "m": MUNICIPALITY_ID, "id": report_id},
        )


def test_overdue_follows_each_categorys_target(
    doro: httpx.Client, reports: ReportFactory, engine: Engine
) -> None:
    late = reports("road_pothole")  # target 72 h
    within = reports("road_crack")  # target 168 h
    fresh = reports("road_pothole")
    finished = reports("road_pothole")
    _age(engine, late.id, 80)
    _age(engine, within.id, 80)
    _age(engine, finished.id, 80, status="done")
    mine = {late.id, within.id, fresh.id, finished.id}
    flags = {f["id"]: f["properties"]["overdue"] for f in _features(doro) if f["id"] in mine}
    assert flags == {late.id: True, within.id: False, fresh.id: False, finished.id: False}
    only_overdue = {f["id"] for f in _features(doro, overdue="true")}
    assert only_overdue & mine == {late.id}
    assert late.id not in {f["id"] for f in _features(doro, overdue="false")}
    listed = doro.get("/api/v1/reports/list", params={"overdue": "true", "per_page": "200"})
    assert late.id in {item["id"] for item in listed.json()["items"]}
    assert all(item["overdue"] for item in listed.json()["items"])
    page = doro.get("/staff/reports", params={"overdue": "true", "category": "road_pothole"})
    row = re.search(rf"{late.receipt_no}</a>.*?</tr>", page.text, re.S)
    assert row and "期限超過" in row.group(0)
    grid = doro.get("/api/v1/reports", params={"bbox": TOWN_BBOX, "mode": "grid"}).json()
    assert sum(cell["properties"]["overdue"] for cell in grid["features"]) >= 1
