"""Disaster HQ over HTTP: who may use it, the audited switch, preview -> confirm -> send -> LINE."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.api.conftest import LineHarness
from tests.conftest import MUNICIPALITY_ID
from tests.fakes.line_server import FakeLineServer
from tests.support.desk import (
    MadeReport,
    ReportFactory,
    csrf_of,
    hq_rows_removed_afterwards,
    login,
    scalar,
)
from tests.support.line_events import new_user_id, postback_event
from tests.support.live_server import live_server
from workflow.line.dispatcher import dispatch_due
from workflow.line.sender import LineSender, make_configuration
from workflow.texts.resident import line as texts

M = MUNICIPALITY_ID
PASSWORDS = {"crew1": "crew-demo"}


@pytest.fixture(scope="module")
def base_url(line_settings: Settings, engine: Engine) -> Iterator[str]:
    with hq_rows_removed_afterwards(engine), live_server(create_app(line_settings)) as url:
        yield url


@contextmanager
def _client(base_url: str, user: str | None = None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=20) as client:
        if user is not None:
            login(client, user, PASSWORDS.get(user, f"{user}-demo"))
        yield client


@pytest.fixture()
def bousai(base_url: str) -> Iterator[httpx.Client]:
    with _client(base_url, "bousai") as client:
        yield client


def _district(engine: Engine, name: str) -> tuple[int, tuple[float, float]]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM district "
                "WHERE municipality_id = :m AND name = :n"
            ),
            {"m": M, "n": name},
        ).one()
    return int(row.id), (float(row.lon), float(row.lat))


def _hq_csrf(client: httpx.Client) -> str:
    page = client.get("/staff/disaster")
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert token
    return token.group(1)


@pytest.mark.parametrize("user", ["doro", "kankyo", "crew1"])
def test_only_admin_and_the_disaster_department_may_enter(base_url: str, user: str) -> None:
    with _client(base_url, user) as client:
        for path in ("/staff/disaster", "/staff/disaster/push"):
            page = client.get(path)
            assert page.status_code == 403, path
            if user != "crew1":
                assert "防災担当課の職員だけ" in page.text
        assert client.get("/api/v1/disaster/reports").status_code == 403
        assert client.get("/api/v1/disaster/mode").status_code == 403
    with _client(base_url, "admin") as admin:
        assert admin.get("/staff/disaster").status_code == 200
        assert admin.get("/api/v1/disaster/reports").status_code == 200
    with _client(base_url) as anonymous:
        assert anonymous.get("/staff/disaster").headers["location"] == "/staff/login"
        assert anonymous.get("/api/v1/disaster/mode").status_code == 401


def test_the_switch_is_audited_and_refused_to_others(base_url: str, bousai: httpx.Client) -> None:
    headers = {"X-CSRF-Token": _hq_csrf(bousai)}
    assert bousai.put("/api/v1/disaster/mode", json={"on": True}).status_code == 403  # no CSRF
    on = bousai.put("/api/v1/disaster/mode", json={"on": True}, headers=headers)
    assert on.status_code == 200 and on.json()["on"] is True and on.json()["changed"] is True
    assert on.json()["changed_by"] == "防災危機管理課 担当"
    page = bousai.get("/staff/disaster")
    assert "災害モード 実施中" in page.text and "災害モードを終了する" in page.text
    with _client(base_url, "doro") as doro:
        refused = doro.put(
            "/api/v1/disaster/mode", json={"on": False}, headers={"X-CSRF-Token": csrf_of(doro)}
        )
        assert refused.status_code == 403
    town = bousai.get("/api/v1/town").json()
    assert town["disaster_mode"] is True
    form = bousai.post(
        "/staff/disaster/mode", data={"on": "0", "csrf_token": headers["X-CSRF-Token"]}
    )
    assert form.status_code == 303
    log = bousai.get("/api/v1/disaster/log", params={"limit": 2}).json()["items"]
    assert [e["action"] for e in log] == ["mode_off", "mode_on"]
    assert {e["actor"] for e in log} == {"防災危機管理課 担当"}
    assert bousai.get("/api/v1/town").json()["disaster_mode"] is False


def _residents_in(reports: ReportFactory, engine: Engine, name: str, n: int) -> list[MadeReport]:
    _id, place = _district(engine, name)
    return [reports("road_pothole", place=place) for _ in range(n)]


def _preview(client: httpx.Client, csrf: str, ids: list[int], body: str) -> httpx.Response:
    return client.post(
        "/api/v1/disaster/segment-push/preview",
        json={"district_ids": ids, "body": body},
        headers={"X-CSRF-Token": csrf},
    )


def _send(client: httpx.Client, csrf: str, **push: Any) -> httpx.Response:
    return client.post("/api/v1/disaster/segment-push", json=push, headers={"X-CSRF-Token": csrf})


def test_preview_confirm_send_reaches_each_resident_once(
    bousai: httpx.Client,
    reports: ReportFactory,
    engine: Engine,
    fake_line: FakeLineServer,
    line_settings: Settings,
) -> None:
    district_id, _place = _district(engine, "富士見町七丁目")
    csrf = _hq_csrf(bousai)
    before = _preview(bousai, csrf, [district_id], "確認").json()["recipients"]
    mine = _residents_in(reports, engine, "富士見町七丁目", 2)
    body = "富士見町の避難所を開設しました。"
    preview = _preview(bousai, csrf, [district_id], body)
    assert preview.status_code == 200, preview.text
    answer = preview.json()
    assert answer["recipients"] == before + 2 and answer["districts"] == ["富士見町七丁目"]
    push = {"district_ids": [district_id], "body": body, "confirmation": answer["confirmation"]}
    sent = _send(bousai, csrf, **push)
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipients"] == before + 2 and sent.json()["already_sent"] is False
    again = _send(bousai, csrf, **push)
    assert again.status_code == 200 and again.json()["already_sent"] is True
    configuration = make_configuration(fake_line.token, line_settings.line_api_base)
    while dispatch_due(engine, LineSender(configuration), lambda: dt.datetime.now(tz=dt.UTC)):
        pass
    for report in mine:
        pushes = fake_line.pushes(to=report.line_user_id)
        assert len(pushes) == 1, report
        assert body in str(pushes[0].json["messages"]) and "災害対策本部" in str(pushes[0].json)


def test_a_changed_or_forged_confirmation_sends_nothing(
    bousai: httpx.Client, engine: Engine
) -> None:
    district_id, _place = _district(engine, "錦町二丁目")
    csrf = _hq_csrf(bousai)
    answer = _preview(bousai, csrf, [district_id], "元の文").json()
    logs = scalar(engine, "SELECT count(*) FROM disaster_log")
    changed = _send(
        bousai, csrf, district_ids=[district_id], body="別の文", confirmation=answer["confirmation"]
    )
    assert changed.status_code == 422 and changed.json()["field"] == "confirmation"
    other_district = _district(engine, "曙町一丁目")[0]
    moved = _send(
        bousai,
        csrf,
        district_ids=[other_district],
        body="元の文",
        confirmation=answer["confirmation"],
    )
    assert moved.status_code == 422 and moved.json()["field"] == "confirmation"
    forged = _send(
        bousai,
        csrf,
        district_ids=[district_id],
        body="元の文",
        confirmation=answer["confirmation"] + "x",
    )
    assert forged.status_code == 422 and "有効期限" in forged.json()["message"]
    assert scalar(engine, "SELECT count(*) FROM disaster_log") == logs


@pytest.mark.parametrize(
    ("ids", "body", "field"),
    [([], "本文", "district_ids"), ([1, 2], "", "body"), ([1], "あ" * 501, "body")],
)
def test_bad_previews_name_the_field(
    bousai: httpx.Client, engine: Engine, ids: list[int], body: str, field: str
) -> None:
    real = [_district(engine, "錦町一丁目")[0]] if ids else []
    answer = _preview(bousai, _hq_csrf(bousai), real or ids, body)
    assert answer.status_code == 422
    assert answer.json()["field"] == field and answer.json()["message"]


def test_push_pages_preview_then_send(
    bousai: httpx.Client, reports: ReportFactory, engine: Engine
) -> None:
    district_id, _place = _district(engine, "羽衣町三丁目")
    _residents_in(reports, engine, "羽衣町三丁目", 1)
    csrf = _hq_csrf(bousai)
    empty = bousai.post("/staff/disaster/push/preview", data={"csrf_token": csrf, "body": "a"})
    assert empty.status_code == 422 and "町丁目を1つ以上選んで" in empty.text
    body = '給水車が<b>到着</b>しました "すぐ" 来てください'
    page = bousai.post(
        "/staff/disaster/push/preview",
        data={"csrf_token": csrf, "body": body, "district": [str(district_id)]},
    )
    assert page.status_code == 200 and "送信内容の確認" in page.text
    assert "&lt;b&gt;到着&lt;/b&gt;" in page.text and "<b>到着</b>" not in page.text
    token = re.search(r'name="confirmation" value="([^"]+)"', page.text)
    assert token
    count = re.search(r'id="preview-count">([\d,]+) 人', page.text)
    assert count and int(count.group(1).replace(",", "")) >= 1
    sent = bousai.post(
        "/staff/disaster/push/send",
        data={"csrf_token": csrf, "body": body, "district": [str(district_id)],
              "confirmation": token.group(1)},
    )  # fmt: skip
    assert sent.status_code == 303
    done = bousai.get(sent.headers["location"])
    assert "羽衣町三丁目" in done.text and f"{count.group(1)} 人へ送信を受け付けました" in done.text


def _put_mode(client: httpx.Client, csrf: str, on: bool) -> None:
    answer = client.put("/api/v1/disaster/mode", json={"on": on}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text


def test_the_switch_opens_and_closes_the_line_disaster_flow(
    harness: LineHarness, engine: Engine
) -> None:
    with hq_rows_removed_afterwards(engine), _client(harness.url, "bousai") as bousai:
        csrf = _hq_csrf(bousai)
        _put_mode(bousai, csrf, True)
        opened = harness.send(postback_event(new_user_id(), "flow=disaster"))
        assert texts.ASK_DISASTER_CATEGORY in json.dumps(opened, ensure_ascii=False)
        _put_mode(bousai, csrf, False)
        closed = harness.send(postback_event(new_user_id(), "flow=disaster"))
        assert "現在、災害情報の受付は行っておりません" in json.dumps(closed, ensure_ascii=False)


def test_the_staff_menu_offers_the_hq_only_to_the_hq(base_url: str) -> None:
    for user, offered in (("bousai", True), ("admin", True), ("doro", False), ("kankyo", False)):
        with _client(base_url, user) as client:
            home = client.get("/staff/")
            trends = client.get("/staff/trends")
        assert ('href="/staff/disaster"' in home.text) is offered, user
        assert ('href="/staff/disaster"' in trends.text) is offered, user
        assert 'href="/staff/trends"' in home.text and 'href="/staff/map"' in home.text
