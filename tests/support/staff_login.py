"""Sign a test client in as a demo user: the real login form, or a bearer token."""

from __future__ import annotations

import re

import httpx


def login(client: httpx.Client, username: str, password: str) -> str:
    """Sign ``client`` in through the login form; returns the session's CSRF token."""
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    home = client.get(answer.headers["location"])
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf, home.text[:500]
    return csrf.group(1)


def bearer(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    """Authorization header of a fresh bearer token for ``username``."""
    answer = client.post("/api/v1/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
