"""The staff phone-entry page (電話受付) and the booking API used with a session + CSRF."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import Engine

from tests.support import bulky
from tests.support.bulky import booking_body, row_counts

base_url, client, made = bulky.base_url, bulky.client, bulky.made


def sign_in(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text


def test_page_needs_a_signed_in_kankyo_clerk(client: httpx.Client) -> None:
    anonymous = client.get("/staff/phone-booking", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/staff/login"
    sign_in(client, "doro", "doro-demo")
    assert client.get("/staff/phone-booking").status_code == 403


def test_page_books_with_the_session_and_its_csrf_token(
    client: httpx.Client, engine: Engine, made: list[str]
) -> None:
    sign_in(client, "kankyo", "kankyo-demo")
    page = client.get("/staff/phone-booking")
    assert page.status_code == 200
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert csrf and 'name="csrf_token"' in page.text and "/static/phone_booking.js" in page.text
    assert client.get("/static/phone_booking.js").status_code == 200
    body = booking_body(client, engine)
    before = row_counts(engine)
    forged = client.post("/api/v1/bookings", json=body)
    assert forged.status_code == 403 and row_counts(engine) == before
    answer = client.post("/api/v1/bookings", json=body, headers={"X-CSRF-Token": csrf.group(1)})
    assert answer.status_code == 201, answer.text
    made.append(answer.json()["receipt_no"])
    assert "受け付けました" in answer.json()["receipt_text"]
