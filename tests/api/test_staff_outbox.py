"""The staff page of undelivered LINE messages: who sees what, 「再送」, and /readyz."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import ReportFactory, login
from tests.support.live_server import live_server
from workflow.db import session_scope
from workflow.line.outbox import enqueue

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as base:
        yield base


def _given_up(engine: Engine, report_id: int | None, error: str) -> int:
    with session_scope(engine) as session:
        row = enqueue(
            session,
            MUNICIPALITY_ID,
            "Ustaff0001",
            [{"type": "text", "text": "x"}],
            "status_change",
            report_id=report_id,
        )
        assert row is not None
        row_id = row.id
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE outbox_message SET status = 'failed', give_up_reason = 'horizon', "
                "given_up_at = now(), attempts = 7, first_error = :e, first_error_at = now(), "
                "last_error = :e, last_error_at = now() WHERE id = :id"
            ),
            {"e": error, "id": row_id},
        )
    return row_id


def test_given_up_messages_are_listed_by_scope_and_resent(engine: Engine, url: str) -> None:
    reports = ReportFactory(engine)
    road = reports("road_pothole")
    ours = _given_up(engine, road.id, "HTTP 503: road outage")
    dialogue = _given_up(engine, None, "HTTP 503: dialogue outage")
    try:
        with (
            httpx.Client(base_url=url, timeout=30) as admin,
            httpx.Client(base_url=url, timeout=30) as doro,
            httpx.Client(base_url=url, timeout=30) as kankyo,
        ):
            admin_page = login(admin, "admin", "admin-demo").get("/staff/outbox").text
            doro_page = login(doro, "doro", "doro-demo").get("/staff/outbox").text
            kankyo_page = login(kankyo, "kankyo", "kankyo-demo").get("/staff/outbox").text
            token = doro_page.split('name="csrf_token" value="')[1].split('"')[0]
            resent = doro.post(f"/staff/outbox/{ours}/resend", data={"csrf_token": token})
            ready = admin.get("/readyz").json()

        assert "road outage" in admin_page and "dialogue outage" in admin_page
        assert "road outage" in doro_page and "dialogue outage" not in doro_page
        assert road.receipt_no in doro_page and "送信期限切れ" in doro_page
        assert "road outage" not in kankyo_page
        assert resent.status_code == 303 and "resent" in resent.headers["location"]
        with engine.connect() as conn:
            status = conn.execute(
                text("SELECT status FROM outbox_message WHERE id = :id"), {"id": ours}
            ).scalar()
        assert status == "pending"
        assert ready["line"]["given_up"] >= 1 and ready["line"]["backlog"] >= 1
        assert ready["status"] == "degraded"
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM outbox_message WHERE id IN (:a, :b)"), {"a": ours, "b": dialogue}
            )
        reports.cleanup()
