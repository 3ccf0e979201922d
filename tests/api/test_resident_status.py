"""The web status page ``/r/status`` on the real server: receipt number + PIN, nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.live_server import live_server
from tests.support.resident_http import error_of, receipt_of, road_fields, status_of, submit
from tests.support.resident_web import TACHIKAWA_PHONE, form_token, web_rows_removed_afterwards
from workflow.db import session_scope
from workflow.reports.transitions import Actor, transition
from workflow.texts.resident import web as t

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def url(
    test_settings: Settings, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    settings = test_settings.model_copy(update={"media_dir": tmp_path_factory.mktemp("media")})
    with web_rows_removed_afterwards(engine), live_server(create_app(settings)) as base:
        yield base


@pytest.fixture()
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=20) as browser:
        yield browser


def _report_id(engine: Engine, receipt_no: str) -> int:
    with engine.connect() as conn:
        sql = "SELECT id FROM report WHERE receipt_no = :no"
        return int(conn.execute(text(sql), {"no": receipt_no}).scalar_one())


def _failures(engine: Engine, receipt_no: str) -> list[str]:
    with engine.connect() as conn:
        sql = "SELECT client_key FROM pin_failure WHERE receipt_no = :no"
        return [str(key) for key in conn.execute(text(sql), {"no": receipt_no}).scalars()]


def test_status_page_follows_the_status_with_staff_notes(
    client: httpx.Client, engine: Engine
) -> None:
    receipt_no, pin = receipt_of(client, submit(client, "road", road_fields(1)))
    report_id = _report_id(engine, receipt_no)
    with session_scope(engine) as session:
        actor = Actor("staff:doro")
        transition(session, MUNICIPALITY_ID, report_id, "in_progress", actor, "明日補修します")

    page = status_of(client, receipt_no, pin).text

    history = page[page.index('id="r-history"') :]
    assert 'id="r-status-label"' in page and "作業中" in page[: page.index('id="r-history"')]
    assert "明日補修します" in history
    assert history.index("受付</span>") < history.index("作業中</span>")


def test_wrong_pin_is_refused_politely_then_locked(client: httpx.Client, engine: Engine) -> None:
    receipt_no, pin = receipt_of(client, submit(client, "road", road_fields(7)))
    wrong = "000000" if pin != "000000" else "111111"

    refused = status_of(client, receipt_no, wrong)
    unknown = status_of(client, "R-1999-999999", pin)

    assert refused.status_code == unknown.status_code == 401
    assert "正しくありません" in error_of(refused.text, "pin")
    assert error_of(refused.text, "pin") == error_of(unknown.text, "pin")  # no hint which
    assert "高松町" not in refused.text and "栄町" not in refused.text
    for _ in range(4):
        assert status_of(client, receipt_no, wrong).status_code == 401
    locked = status_of(client, receipt_no, pin)  # 5 failures: even the right PIN waits now
    assert locked.status_code == 429 and TACHIKAWA_PHONE in error_of(locked.text, "pin")
    failures = _failures(engine, receipt_no)
    assert len(failures) == 5 and all("127.0.0.1" not in key for key in failures)


def test_status_form_needs_its_token_and_both_fields(client: httpx.Client) -> None:
    client.get("/r/status")
    forged = client.post(
        "/r/status", data={"receipt_no": "R-2026-000001", "pin": "1", "csrf_token": "x"}
    )
    token = form_token(client, "/r/status")
    empty = client.post("/r/status", data={"receipt_no": "", "pin": "", "csrf_token": token})
    assert forged.status_code == 403 and error_of(forged.text, "form") == t.FORM_EXPIRED
    assert empty.status_code == 422 and error_of(empty.text, "pin") == t.STATUS_FIELDS_MISSING
