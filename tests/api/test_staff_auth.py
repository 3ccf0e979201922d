"""Staff login: CSRF on the form, HttpOnly session, lockout, bearer tokens, roles."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from geo.models import StaffUser
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.live_server import live_server
from workflow.db import session_scope
from workflow.desk.passwords import hash_password


@pytest.fixture(scope="module")
def base_url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as url:
        yield url


@pytest.fixture()
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=False) as c:
        yield c


def login(client: httpx.Client, username: str, password: str) -> httpx.Client:
    """Sign ``client`` in through the real login form (fails the test if refused)."""
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    return client


def test_login_sets_an_httponly_samesite_session(client: httpx.Client) -> None:
    token = re.search(r'value="([^"]+)"', client.get("/staff/login").text)
    assert token
    answer = client.post(
        "/staff/login",
        data={"username": "doro", "password": "doro-demo", "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303
    header = answer.headers["set-cookie"]
    assert "machi_session=" in header and "HttpOnly" in header and "SameSite=lax" in header
    me = client.get("/api/v1/me").json()
    assert me == {
        "username": "doro",
        "display_name": "道路課 担当",
        "role": "staff",
        "department": "道路課",
    }


def test_login_form_without_csrf_token_is_refused(client: httpx.Client) -> None:
    answer = client.post("/staff/login", data={"username": "doro", "password": "doro-demo"})
    assert answer.status_code == 403
    assert "machi_session" not in answer.headers.get("set-cookie", "")


def test_logout_form_without_csrf_is_refused(client: httpx.Client) -> None:
    login(client, "doro", "doro-demo")
    assert client.post("/staff/logout").status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_wrong_password_is_answered_in_japanese(client: httpx.Client) -> None:
    token = re.search(r'value="([^"]+)"', client.get("/staff/login").text)
    assert token
    answer = client.post(
        "/staff/login", data={"username": "doro", "password": "nope", "csrf_token": token.group(1)}
    )
    assert answer.status_code == 401
    assert "ユーザー名またはパスワードが正しくありません" in answer.text


@pytest.fixture()
def lock_user(engine: Engine) -> Iterator[str]:
    with session_scope(engine) as session:
        session.add(
            StaffUser(
                municipality_id=MUNICIPALITY_ID,
                username="locktest",
                display_name="ロック試験",
                password_hash=hash_password("right"),
                role="staff",
            )
        )
    yield "locktest"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM staff_user WHERE username = 'locktest'"))


def test_five_failures_lock_the_account(client: httpx.Client, lock_user: str) -> None:
    form = {"username": lock_user, "grant_type": "password"}
    for _ in range(5):
        wrong = client.post("/api/v1/token", data={**form, "password": "wrong"})
        assert wrong.status_code == 401
    locked = client.post("/api/v1/token", data={**form, "password": "right"})
    assert locked.status_code == 401
    assert "ロック" in locked.json()["detail"]


def test_bearer_token_works_without_cookies(client: httpx.Client) -> None:
    answer = client.post("/api/v1/token", data={"username": "kankyo", "password": "kankyo-demo"})
    token = answer.json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["department"] == "環境課"
    forged = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    assert forged.status_code == 401


def test_crew_is_sent_to_the_crew_pages(client: httpx.Client) -> None:
    token = re.search(r'value="([^"]+)"', client.get("/staff/login").text)
    assert token
    answer = client.post(
        "/staff/login",
        data={"username": "crew1", "password": "crew-demo", "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/crew/"


def _form_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").text)
    assert token
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )


def test_the_login_form_locks_after_five_failures_too(
    client: httpx.Client, lock_user: str, engine: Engine
) -> None:
    for attempt in range(5):
        wrong = _form_login(client, lock_user, f"wrong-{attempt}")
        assert wrong.status_code == 401
    locked = _form_login(client, lock_user, "right")
    assert locked.status_code == 401 and "ロックしています" in locked.text
    assert "machi_session" not in locked.headers.get("set-cookie", "")
    with engine.connect() as conn:
        until = conn.execute(
            text("SELECT locked_until FROM staff_user WHERE username = :u"), {"u": lock_user}
        ).scalar_one()
    assert until is not None
