"""Every request knows its town: host names, per-town webhooks and secrets, cross-town tokens."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.line_events import SIGNATURE_HEADER, body_of, new_user_id, sign, text_event
from tests.support.live_server import live_server
from tests.support.staff_login import bearer
from workflow.db import session_scope
from workflow.towns import DataKey, add_town, disable_town, enable_town, set_line_channel

pytestmark = pytest.mark.db

B_CODE, B_ID, B_HOST = "26213", 26213, "b-town.test"
B_SECRET, B_TOKEN = "b-town-channel-secret", "b-town-access-token"


@pytest.fixture(scope="module")
def town_b(engine: Engine, test_settings: Settings) -> Iterator[None]:
    """A second town (no demo data: registry row and LINE channel only)."""
    with session_scope(engine) as session:
        add_town(session, B_CODE, "試験町", "京都府", "0772-00-0000", host=B_HOST)
        set_line_channel(
            session, B_ID, None, B_SECRET, B_TOKEN, DataKey.from_settings(test_settings)
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            for table in ("webhook_event", "line_channel", "municipality"):
                column = "id" if table == "municipality" else "municipality_id"
                conn.execute(text(f"DELETE FROM {table} WHERE {column} = :b"), {"b": B_ID})


_APPS: list[FastAPI] = []


@pytest.fixture(scope="module")
def base(test_settings: Settings, town_b: None) -> Iterator[str]:
    app = create_app(test_settings)
    _APPS.append(app)
    with live_server(app) as url:
        yield url
    _APPS.remove(app)


def _reload_towns() -> None:
    for app in _APPS:
        app.state.towns.reload()
        app.state.line_secrets.forget()


def _town_of(base: str, host: str | None) -> httpx.Response:
    headers = {"Host": host} if host else {}
    return httpx.get(f"{base}/api/v1/town", headers=headers, timeout=10)


def test_the_host_name_picks_the_town_and_others_get_the_default(base: str) -> None:
    assert _town_of(base, B_HOST).json()["code"] == B_CODE
    assert _town_of(base, "B-Town.TEST:8000").json()["code"] == B_CODE
    assert _town_of(base, "tachikawa.localhost").json()["code"] == str(MUNICIPALITY_ID)
    assert _town_of(base, "unknown.example").json()["code"] == str(MUNICIPALITY_ID)
    assert _town_of(base, None).json()["code"] == str(MUNICIPALITY_ID)


def _post(base: str, code: str | None, secret: str, user: str) -> httpx.Response:
    body = body_of([text_event(user, "こんにちは")])
    path = f"/line/{code}/webhook" if code else "/line/webhook"
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
    return httpx.post(f"{base}{path}", content=body, headers=headers, timeout=10)


def _stored_for(engine: Engine, user: str) -> list[int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT municipality_id FROM webhook_event WHERE line_user_id = :u"), {"u": user}
        )
        return [row[0] for row in rows]


def test_each_town_webhook_checks_its_own_secret_and_stores_for_its_town(
    base: str, engine: Engine, test_settings: Settings
) -> None:
    a_secret = test_settings.line_channel_secret
    user_b, user_a, forged = new_user_id(), new_user_id(), new_user_id()
    assert _post(base, B_CODE, B_SECRET, user_b).status_code == 200
    assert _post(base, str(MUNICIPALITY_ID), a_secret, user_a).status_code == 200
    refused = _post(base, B_CODE, a_secret, forged)  # signed with the other town's secret
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_signature"
    assert _stored_for(engine, user_b) == [B_ID]
    assert _stored_for(engine, user_a) == [MUNICIPALITY_ID]
    assert _stored_for(engine, forged) == []


def test_an_unknown_town_webhook_is_404_and_stores_nothing(base: str, engine: Engine) -> None:
    user = new_user_id()
    answer = _post(base, "99998", "whatever", user)
    assert answer.status_code == 404 and answer.json()["error"] == "unknown_town"
    assert _stored_for(engine, user) == []


def test_a_staff_token_of_one_town_is_refused_on_another(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        headers = bearer(client, "admin", "admin-demo")
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        other = client.get("/api/v1/me", headers={**headers, "Host": B_HOST})
        assert other.status_code == 401


def test_a_disabled_town_answers_404_on_its_host(
    base: str, engine: Engine, test_settings: Settings
) -> None:
    with session_scope(engine) as session:
        disable_town(session, B_CODE)
    try:
        _reload_towns()
        assert _town_of(base, B_HOST).status_code == 404
        assert _post(base, B_CODE, B_SECRET, new_user_id()).status_code == 404
    finally:
        with session_scope(engine) as session:
            enable_town(session, B_CODE)
        _reload_towns()
    assert _town_of(base, B_HOST).json()["code"] == B_CODE
