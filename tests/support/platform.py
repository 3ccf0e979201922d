"""Helpers for the platform operator's tests: accounts, sign-in, LINE traffic to count."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine, text

from workflow.db import session_factory
from workflow.platform.operators import add_operator


@dataclass(frozen=True)
class Operator:
    username: str
    password: str


@contextmanager
def operator_account(engine: Engine, prefix: str = "ops") -> Iterator[Operator]:
    """A platform operator for the block (committed), deleted afterwards."""
    operator = Operator(f"{prefix}-{secrets.token_hex(4)}", secrets.token_urlsafe(18))
    with session_factory(engine)() as session:
        add_operator(session, operator.username, operator.password)
    try:
        yield operator
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM platform_operator WHERE username = :u"),
                {"u": operator.username},
            )


def login_form_token(client: httpx.Client) -> str:
    page = client.get("/platform/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:300]
    return token.group(1)


def platform_login(client: httpx.Client, operator: Operator) -> str:
    """Sign ``client`` in through the operator's form; returns the session's CSRF token."""
    answer = client.post(
        "/platform/login",
        data={
            "username": operator.username,
            "password": operator.password,
            "csrf_token": login_form_token(client),
        },
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/platform/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and csrf, page.text[:300]
    return csrf.group(1)


def platform_bearer(client: httpx.Client, operator: Operator) -> dict[str, str]:
    answer = client.post(
        "/platform/api/token", data={"username": operator.username, "password": operator.password}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


_BOX = "SRID=4326;MULTIPOLYGON(((135 35,135.01 35,135.01 35.01,135 35.01,135 35)))"


@contextmanager
def extra_town(engine: Engine, town_id: int, name: str, active: bool = True) -> Iterator[int]:
    """A town of ``town_id`` in the registry (committed), removed with all it holds."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, prefecture, phone, boundary, active) "
                "VALUES (:m, :c, :n, '-', '000-000-0000', ST_GeomFromEWKT(:b), :a)"
            ),
            {"m": town_id, "c": str(town_id), "n": name, "b": _BOX, "a": active},
        )
    try:
        yield town_id
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM municipality WHERE id = :m"), {"m": town_id})


@dataclass
class LineTraffic:
    """Webhook events and outbox rows a test added (removed by ``remove``)."""

    engine: Engine
    event_ids: list[int] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)

    def event(
        self, town: int, line_user_id: str, said: str, received: dt.datetime, processed: bool
    ) -> None:
        payload = {"type": "message", "source": {"userId": line_user_id}, "message": {"text": said}}
        with self.engine.begin() as conn:
            self.event_ids.append(
                conn.execute(
                    text(
                        "INSERT INTO webhook_event (municipality_id, webhook_event_id, "
                        "event_type, line_user_id, payload, received_at, processed_at) VALUES "
                        "(:m, :w, 'message', :u, CAST(:p AS jsonb), :r, :done) RETURNING id"
                    ),
                    {
                        "m": town,
                        "w": "01PLATFORM" + secrets.token_hex(8),
                        "u": line_user_id,
                        "p": json.dumps(payload, ensure_ascii=False),
                        "r": received,
                        "done": received if processed else None,
                    },
                ).scalar_one()
            )

    def message(self, town: int, line_user_id: str, said: str, status: str) -> None:
        messages = json.dumps([{"type": "text", "text": said}], ensure_ascii=False)
        with self.engine.begin() as conn:
            self.outbox_ids.append(
                conn.execute(
                    text(
                        "INSERT INTO outbox_message (municipality_id, to_line_user_id, messages, "
                        "purpose, status) VALUES (:m, :u, CAST(:msg AS jsonb), 'reply', :s) "
                        "RETURNING id"
                    ),
                    {"m": town, "u": line_user_id, "msg": messages, "s": status},
                ).scalar_one()
            )

    def remove(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM webhook_event WHERE id = ANY(:i)"), {"i": self.event_ids}
            )
            conn.execute(
                text("DELETE FROM outbox_message WHERE id = ANY(:i)"), {"i": self.outbox_ids}
            )
