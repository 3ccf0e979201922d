"""The worker serves every town fairly, each with its own LINE channel access token (issue 17).

The real worker (``run_worker``: event threads, sender, photos, upkeep) runs in a thread for
two towns, the demo town A and a clone B, against the fake LINE API, which accepts both
towns' tokens and records which one each request carried.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from api.line.events import inbound_event
from machi.settings import Settings
from machi.worker import run_worker
from machi.worker_duties import EVENT_TURN
from machi.worker_towns import StaticTowns, WorkerTown
from tests.api.conftest import rows_removed_afterwards
from tests.conftest import MUNICIPALITY_ID as TOWN_A
from tests.fakes.line_server import FakeLineServer, RecordedRequest
from tests.support.line_events import new_user_id, text_event
from tests.support.second_town import add_booking, second_town
from workflow.bookings.reminders import queue_reminders
from workflow.clock import TOKYO
from workflow.line.dispatcher import DispatchConfig
from workflow.line.inbox import store_webhook_events_sync
from workflow.line.rounds import TownRing
from workflow.line.sender import LineSender, make_configuration
from workflow.line.towns_dispatch import TownsDispatcher

pytestmark = pytest.mark.db
log = logging.getLogger(__name__)
TOKEN_B = "town-b-channel-access-token"
TOWN_C = 99902  # served, but without a LINE channel
BACKLOG = 10_000
THREADS = 4
WAIT_S = 60.0

# 10,000 text messages in town A from as many residents, stored in one statement.
_BACKLOG_SQL = text(
    "INSERT INTO webhook_event (municipality_id, webhook_event_id, event_type, line_user_id, "
    "payload) SELECT :m, :tag || g, 'message', :tag || g, jsonb_build_object('type', "
    "'message', 'mode', 'active', 'timestamp', :ts, 'webhookEventId', :tag || g, "
    "'source', jsonb_build_object('type', 'user', 'userId', :tag || g), 'deliveryContext', "
    "jsonb_build_object('isRedelivery', false), 'replyToken', md5(:tag || g), 'message', "
    "jsonb_build_object('id', :tag || g, 'type', 'text', 'text', 'hello')) "
    "FROM generate_series(1, :n) AS g"
)


# Pushes queued for as many residents of a town, stored in one statement.
_OUTBOX_SQL = text(
    "INSERT INTO outbox_message (municipality_id, to_line_user_id, messages, purpose) "
    "SELECT :m, :tag || g, jsonb_build_array(jsonb_build_object('type', 'text', 'text', "
    "'hello')), 'status_change' FROM generate_series(1, :n) AS g"
)


@pytest.fixture(scope="module")
def line() -> Iterator[FakeLineServer]:
    with FakeLineServer(latency_s=0.05) as server:
        server.add_token(TOKEN_B)
        yield server


@pytest.fixture(scope="module")
def town_b(engine: Engine) -> Iterator[int]:
    with rows_removed_afterwards(engine), second_town(engine) as town:
        yield town


@pytest.fixture()
def settings(test_settings: Settings, line: FakeLineServer, tmp_path: Path) -> Settings:
    return test_settings.model_copy(
        update={
            "line_api_base": line.base_url,
            "line_channel_access_token": line.token,
            "media_dir": tmp_path,
            "worker_event_threads": THREADS,
        }
    )


def _towns(town_b: int, line: FakeLineServer, *, without_line: int | None = None) -> StaticTowns:
    towns = [
        WorkerTown(TOWN_A, str(TOWN_A), "http://a.example"),
        WorkerTown(town_b, str(town_b), "http://b.example"),
    ]
    if without_line is not None:  # a town with no LINE channel (no token)
        towns.append(WorkerTown(without_line, str(without_line), "http://c.example"))
    return StaticTowns(towns, {TOWN_A: line.token, town_b: TOKEN_B})


@contextmanager
def running_worker(settings: Settings, towns: StaticTowns) -> Iterator[None]:
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(settings, stop, towns), name="worker")
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(WAIT_S)
        assert not worker.is_alive()


def _wait_until(done: Callable[[], object], timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def _bearer(request: RecordedRequest) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


def _store_backlog(engine: Engine, town: int, count: int) -> str:
    tag = f"Ufair{uuid.uuid4().hex[:8]}-"
    params = {"m": town, "tag": tag, "ts": int(time.time() * 1000), "n": count}
    with engine.begin() as conn:
        conn.execute(_BACKLOG_SQL, params)
    return tag


def _count(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _forget_backlog(engine: Engine, tag: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM outbox_message WHERE to_line_user_id LIKE :t"), {"t": tag + "%"}
        )
        conn.execute(text("DELETE FROM webhook_event WHERE line_user_id LIKE :t"), {"t": tag + "%"})


def _event_of_town_b(engine: Engine, town_b: int) -> dict[str, Any]:
    event = text_event(new_user_id(), "hello")
    store_webhook_events_sync(engine, town_b, [inbound_event(event)])
    return event


def _answered_in(line: FakeLineServer, event: dict[str, Any], since: float) -> float:
    token = event["replyToken"]
    _wait_until(lambda: [r for r in line.replies() if r.json["replyToken"] == token])
    return time.monotonic() - since


def _pending(engine: Engine, tag: str) -> int:
    return _count(
        engine,
        "SELECT count(*) FROM webhook_event WHERE municipality_id = :m AND line_user_id LIKE :t "
        "AND processed_at IS NULL",
        m=TOWN_A,
        t=tag + "%",
    )


def _processed_before(engine: Engine, tag: str, town_b: int, event: dict[str, Any]) -> int:
    return _count(
        engine,
        "SELECT count(*) FROM webhook_event a WHERE a.municipality_id = :m AND a.line_user_id "
        "LIKE :t AND a.processed_at < (SELECT processed_at FROM webhook_event WHERE "
        "municipality_id = :b AND webhook_event_id = :id)",
        m=TOWN_A,
        t=tag + "%",
        b=town_b,
        id=event["webhookEventId"],
    )


def test_a_backlog_of_10000_events_in_town_a_does_not_delay_town_b(
    engine: Engine, settings: Settings, line: FakeLineServer, town_b: int
) -> None:
    tag = _store_backlog(engine, TOWN_A, BACKLOG)
    first = _event_of_town_b(engine, town_b)  # waiting when the worker starts
    started = time.monotonic()
    try:
        with running_worker(settings, _towns(town_b, line)):
            first_s = _answered_in(line, first, started)
            _wait_until(lambda: _pending(engine, tag) <= BACKLOG - 100)  # A in full swing
            arrived = time.monotonic()
            second = _event_of_town_b(engine, town_b)  # arrives in the middle of A's spike
            second_s = _answered_in(line, second, arrived)
            pending_a = _pending(engine, tag)
        a_before_first = _processed_before(engine, tag, town_b, first)
    finally:
        _forget_backlog(engine, tag)
    figures = (
        f"B answered in {first_s:.2f} s (A processed {a_before_first} before it), "
        f"then in {second_s:.2f} s in the middle of A's spike; A still pending: {pending_a}"
    )
    log.info(figures)
    assert first_s < 2.0 and second_s < 2.0, figures
    assert a_before_first <= THREADS * EVENT_TURN, figures
    assert pending_a > BACKLOG * 0.9, figures
    by_token = {r.json["replyToken"]: _bearer(r) for r in line.replies()}
    assert [by_token.pop(e["replyToken"]) for e in (first, second)] == [TOKEN_B, TOKEN_B]
    assert by_token and set(by_token.values()) == {line.token}  # town A's replies: A's token


def test_reminders_of_both_towns_go_out_each_with_its_towns_token(
    engine: Engine,
    settings: Settings,
    line: FakeLineServer,
    town_b: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    eve = dt.datetime(2027, 6, 2, 18, 30, tzinfo=TOKYO)  # the evening before the pickups
    user_a, user_b = new_user_id(), new_user_id()
    bookings = [
        add_booking(engine, TOWN_A, user_a, eve.date() + dt.timedelta(days=1)),
        add_booking(engine, town_b, user_b, eve.date() + dt.timedelta(days=1)),
    ]
    monkeypatch.setattr(  # the worker's own clock runs on: sending needs the real time
        "machi.worker_duties.queue_reminders",
        lambda engine, town, _now: queue_reminders(engine, town, eve),
    )

    with running_worker(settings, _towns(town_b, line, without_line=TOWN_C)):
        _wait_until(lambda: line.pushes(to=user_a) and line.pushes(to=user_b))
        time.sleep(1.5)  # a few more rounds over town C, which has no LINE channel

    assert [_bearer(r) for r in line.pushes(to=user_a)] == [line.token]
    assert [_bearer(r) for r in line.pushes(to=user_b)] == [TOKEN_B]
    keys = _count(
        engine,
        "SELECT count(*) FROM outbox_message WHERE dedupe_key = ANY(:keys) AND status = 'sent'",
        keys=[f"reminder:{b}:eve" for b in bookings],
    )
    assert keys == 2
    warnings = [r.message for r in caplog.records if f"town {TOWN_C} has no LINE" in r.message]
    assert sorted(warnings) == [
        f"town {TOWN_C} has no LINE channel access token: photo downloads skipped for it",
        f"town {TOWN_C} has no LINE channel access token: sending skipped for it",
    ]


def test_the_sender_serves_town_b_between_batches_of_a_backlog_in_town_a(
    engine: Engine, line: FakeLineServer, town_b: int
) -> None:
    tag = f"Ufair{uuid.uuid4().hex[:8]}-"
    with engine.begin() as conn:
        conn.execute(_OUTBOX_SQL, {"m": TOWN_A, "tag": tag, "n": 2000})
        conn.execute(_OUTBOX_SQL, {"m": town_b, "tag": tag + "b", "n": 1})
    tokens = {TOWN_A: line.token, town_b: TOKEN_B}
    senders = {
        t: LineSender(make_configuration(k, line.base_url, pool_size=16)) for t, k in tokens.items()
    }
    config = DispatchConfig(concurrency=16)
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    dispatcher = TownsDispatcher(
        engine, lambda: [TOWN_A, town_b], senders.get, config, clock, ring=TownRing(0.2)
    )
    stop = threading.Event()
    sending = threading.Thread(target=dispatcher.run, args=(stop, 0.2))
    sending.start()
    try:
        _wait_until(lambda: line.pushes(to=tag + "b1"))
        pushed_a = len(
            [
                r
                for r in line.pushes()
                if r.json["to"].startswith(tag) and r.json["to"] != tag + "b1"
            ]
        )
    finally:
        stop.set()
        sending.join(WAIT_S)
        dispatcher.close()
        for sender in senders.values():
            sender.close()
        _forget_backlog(engine, tag)
    assert [_bearer(r) for r in line.pushes(to=tag + "b1")] == [TOKEN_B]
    assert pushed_a <= 2 * config.concurrency, pushed_a
