"""The LINE harness: the real app in uvicorn, the fake LINE API, and the worker's steps.

Processing commits (the worker's own transactions), so tests that use it pick unique LINE
user ids and places, and each module's harness removes, at its end, every row its tests
added (reports, residents, events, outbox) and puts the receipt counters back: the database
is shared by the whole run and other tests count its reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from api.line.processor import process_pending_events
from machi.settings import Settings
from tests.fakes.line_server import FakeLineServer
from tests.support.desk import ReportFactory
from tests.support.line_events import SIGNATURE_HEADER, body_of, sign
from tests.support.live_server import live_server
from workflow.line.content import LineContentFetcher
from workflow.line.dispatcher import dispatch_due
from workflow.line.sender import LineSender, make_configuration
from workflow.reports.photos import download_pending_photos

TACHIKAWA_PHONE = "042-523-2111"
# Children before parents; photos, status history, messages and dialogue states cascade.
_ADDED_ROWS = ("outbox_message", "report", "resident", "webhook_event")


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    """Committed reports, deleted (with what hangs off them) after the test."""
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


def utc_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


@dataclass
class LineHarness:
    url: str
    line: FakeLineServer
    settings: Settings
    engine: Engine
    client: httpx.Client

    def post(self, events: list[dict[str, Any]], signature: str | None = "sign") -> httpx.Response:
        body = body_of(events)
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers[SIGNATURE_HEADER] = sign(body, self.settings.line_channel_secret)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = signature
        return self.client.post(f"{self.url}/line/webhook", content=body, headers=headers)

    def process(self) -> int:
        """Run the worker once: process the stored events, then send every due message."""
        handled = process_pending_events(self.engine, self.settings, utc_now)
        self.flush_outbox()
        return handled

    def flush_outbox(self) -> None:
        configuration = make_configuration(
            self.settings.line_channel_access_token, self.settings.line_api_base
        )
        sender = LineSender(configuration)
        while dispatch_due(self.engine, sender, utc_now, self.settings.municipality_id):
            pass
        sender.close()

    def send(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Post one event, process it, and return the messages answered to its reply token."""
        assert self.post([event]).status_code == 200
        self.process()
        return self.replies_to(event["replyToken"])

    def replies_to(self, reply_token: str) -> list[dict[str, Any]]:
        return [
            message
            for request in self.line.replies()
            if request.json["replyToken"] == reply_token
            for message in request.json["messages"]
        ]

    def download_photos(self, now: dt.datetime | None = None) -> int:
        configuration = make_configuration(
            self.settings.line_channel_access_token, self.settings.line_api_base
        )
        clock = (lambda: now) if now is not None else utc_now
        return download_pending_photos(
            self.engine, self.settings, LineContentFetcher(configuration), now=clock
        )

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())


@pytest.fixture(scope="module")
def fake_line() -> Iterator[FakeLineServer]:
    # LINE answers in about 100 ms (the fake's default); 10 ms keeps the many dialogue tests
    # quick, and the delivery tests use their own fakes at full latency.
    with FakeLineServer(latency_s=0.01) as server:
        yield server


@pytest.fixture(scope="module")
def line_settings(
    test_settings: Settings, fake_line: FakeLineServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    media: Path = tmp_path_factory.mktemp("media")
    return test_settings.model_copy(
        update={
            "line_api_base": fake_line.base_url,
            "line_channel_access_token": fake_line.token,
            "line_channel_secret": "test-channel-secret",
            "media_dir": media,
        }
    )


@contextmanager
def rows_removed_afterwards(engine: Engine) -> Iterator[None]:
    """Delete the rows added inside the block and restore the receipt counters."""
    with engine.connect() as conn:
        last_ids = {
            table: int(conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one())
            for table in _ADDED_ROWS
        }
        counters = [
            dict(row._mapping) for row in conn.execute(text("SELECT * FROM receipt_counter"))
        ]
    try:
        yield
    finally:
        with engine.begin() as conn:
            for table in _ADDED_ROWS:
                conn.execute(
                    text(f"DELETE FROM {table} WHERE id > :last"), {"last": last_ids[table]}
                )
            conn.execute(text("DELETE FROM receipt_counter"))
            if counters:
                conn.execute(
                    text(
                        "INSERT INTO receipt_counter (municipality_id, prefix, year, last_value) "
                        "VALUES (:municipality_id, :prefix, :year, :last_value)"
                    ),
                    counters,
                )


@pytest.fixture(scope="module")
def harness(
    line_settings: Settings, fake_line: FakeLineServer, engine: Engine
) -> Iterator[LineHarness]:
    app = create_app(line_settings)
    with (
        rows_removed_afterwards(engine),
        live_server(app) as url,
        httpx.Client(timeout=10) as client,
    ):
        yield LineHarness(url, fake_line, line_settings, engine, client)
