"""LINE delivery under faults, on a controlled clock: hours of LINE time in seconds.

Each test queues messages (the first per resident carries a fresh reply token), lets the real
sender (``Dispatcher`` + ``LineSender`` + line-bot-sdk) talk to the fake LINE API with a fault
injected, and counts on the fake by reply token and retry key: every message delivered, none
twice, each resident's in order, nothing given up before the horizon.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Protocol

import pytest
from sqlalchemy import Engine, text

from api.line.notices import delivery_apology
from tests.conftest import MUNICIPALITY_ID
from tests.fakes.line_server import FakeLineServer, Fault
from tests.support.delivery import (
    Clock,
    all_sent,
    assert_delivered_once_in_order,
    column_counts,
    drive,
    queue_messages,
    statuses,
)
from tests.support.desk import ReportFactory
from workflow.line.channel import read_channel
from workflow.line.dispatcher import DispatchConfig, Dispatcher
from workflow.line.failures import queue_apologies
from workflow.line.sender import LineSender, make_configuration

pytestmark = pytest.mark.db
MESSAGES = "/v2/bot/message/"


class MakeDispatcher(Protocol):
    def __call__(
        self, timeout_s: float = 2.0, horizon: dt.timedelta = dt.timedelta(hours=24)
    ) -> Dispatcher: ...


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def line(clock: Clock) -> Iterator[FakeLineServer]:
    with FakeLineServer(clock=clock.epoch) as server:
        yield server


def _clean(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox_message WHERE to_line_user_id LIKE 'Ut%'"))
        conn.execute(text("DELETE FROM line_channel"))


@pytest.fixture()
def make_dispatcher(engine: Engine, line: FakeLineServer, clock: Clock) -> Iterator[MakeDispatcher]:
    _clean(engine)
    made: list[tuple[Dispatcher, LineSender]] = []

    def factory(
        timeout_s: float = 2.0, horizon: dt.timedelta = dt.timedelta(hours=24)
    ) -> Dispatcher:
        sender = LineSender(make_configuration(line.token, line.base_url, pool_size=8), timeout_s)
        margin = dt.timedelta(seconds=timeout_s)
        config = DispatchConfig(concurrency=8, reply_margin=margin, horizon=horizon)
        dispatcher = Dispatcher(
            engine,
            MUNICIPALITY_ID,
            sender,
            config,
            clock.now,
            apologise=_apologise,
            rng=random.Random(7),
        )
        made.append((dispatcher, sender))
        return dispatcher

    yield factory
    for dispatcher, sender in made:
        dispatcher.close(timeout_s=5)
        sender.close()
    _clean(engine)


def test_half_of_the_calls_failing_with_500(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    queued = queue_messages(engine, line, clock, users=20, per_user=3)
    line.inject(Fault(MESSAGES, 500, ratio=0.5))

    drive(make_dispatcher(), clock, all_sent(engine, queued), step_s=1, max_steps=200)

    check = assert_delivered_once_in_order(line, queued)
    assert check.replies >= 18  # tokens stay valid across retries: replies stay replies
    assert len(line.replies(delivered_only=False)) > check.replies  # there were retries


def test_500_after_delivering_is_not_delivered_again(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    queued = queue_messages(engine, line, clock, users=20, per_user=2)
    line.inject(Fault(MESSAGES, 500, ratio=0.5, process=True))

    drive(make_dispatcher(), clock, all_sent(engine, queued), step_s=1, max_steps=200)

    check = assert_delivered_once_in_order(line, queued)
    via = column_counts(engine, queued.ids, "delivered_via")
    assert via["reply_earlier"] > 0 and via["push_409"] > 0  # the lost answers were settled
    assert check.replies == 20
    assert column_counts(engine, queued.ids, "duplicate_risk")[True] == 0


def test_429_storm_with_retry_after_pauses_the_channel(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    queued = queue_messages(engine, line, clock, users=10, per_user=2)
    storm_ends = clock.epoch() + 150
    line.inject(Fault(MESSAGES, 429, until=storm_ends, retry_after_s=60))

    drive(make_dispatcher(), clock, all_sent(engine, queued), step_s=5, max_steps=200)

    assert_delivered_once_in_order(line, queued)
    refused = sorted(r.at for r in line.requests if r.status == 429)
    gaps = [b - a for a, b in zip(refused, refused[1:], strict=False) if b - a > 1]
    assert gaps and min(gaps) >= 60  # nobody called LINE while Retry-After ran
    assert statuses(engine, queued.ids)["failed"] == 0


def test_two_hour_outage_then_delivery_resumes_within_ten_seconds(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    queued = queue_messages(engine, line, clock, users=10, per_user=3)
    outage_ends = clock.epoch() + 2 * 3600
    line.inject(Fault(MESSAGES, 503, until=outage_ends))
    dispatcher = make_dispatcher()

    drive(dispatcher, clock, lambda: clock.epoch() >= outage_ends, step_s=60, max_steps=200)
    tried = len(line.requests)
    drive(dispatcher, clock, all_sent(engine, queued), step_s=1, max_steps=60)

    assert_delivered_once_in_order(line, queued)
    delivered_at = max(r.at for r in line.requests if r.delivered)
    assert delivered_at - outage_ends <= 10
    assert tried <= 2 * 120  # one probe per round while LINE was down, not a flood
    assert statuses(engine, queued.ids)["failed"] == 0
    assert read_channel(engine, MUNICIPALITY_ID).healthy


def test_401_is_a_configuration_fault_until_fixed(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    queued = queue_messages(engine, line, clock, users=5, per_user=2)
    fixed_at = clock.epoch() + 600
    line.inject(Fault(MESSAGES, 401, until=fixed_at, message="Authentication failed"))
    dispatcher = make_dispatcher()

    drive(dispatcher, clock, lambda: clock.epoch() >= fixed_at, step_s=10, max_steps=100)
    during = read_channel(engine, MUNICIPALITY_ID)
    refused = [r for r in line.requests if r.status == 401]
    drive(dispatcher, clock, all_sent(engine, queued), step_s=5, max_steps=60)

    assert during.reason == "auth" and during.fault_since is not None
    # The first full round (8 slots), then one probe every 30 s; messages kept meanwhile.
    assert len(refused) <= 8 + 600 / 30 + 1
    assert_delivered_once_in_order(line, queued)
    assert read_channel(engine, MUNICIPALITY_ID).healthy


def test_a_hanging_call_costs_a_timeout_not_the_sender(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    queued = queue_messages(engine, line, clock, users=6, per_user=2)
    line.inject(Fault(MESSAGES, 200, count=3, hang_s=4, process=True))
    dispatcher = make_dispatcher(timeout_s=0.5)

    started = time.perf_counter()
    dispatcher.pump()
    pumped_s = time.perf_counter() - started
    drive(dispatcher, clock, all_sent(engine, queued), step_s=1, max_steps=60)

    assert pumped_s < 1.0  # leasing and handing out never waits for LINE
    assert_delivered_once_in_order(line, queued)


def test_given_up_after_the_horizon_then_one_apology_with_the_receipt(
    engine: Engine, line: FakeLineServer, clock: Clock, make_dispatcher: MakeDispatcher
) -> None:
    reports = ReportFactory(engine)
    report = reports()
    try:
        queued = queue_messages(engine, line, clock, users=3, per_user=2, report_id=report.id)
        line.inject(Fault(MESSAGES, 503, until=clock.epoch() + 3 * 3600))
        dispatcher = make_dispatcher(horizon=dt.timedelta(hours=2))

        given_up = lambda: statuses(engine, queued.ids)["failed"] == 6  # noqa: E731
        drive(dispatcher, clock, given_up, step_s=120, max_steps=100)
        early = column_counts(engine, queued.ids, "given_up_at")
        drive(dispatcher, clock, lambda: bool(_apologies(line)), step_s=30, max_steps=400)
        drive(dispatcher, clock, lambda: len(_apologies(line)) == 3, step_s=5, max_steps=60)

        assert column_counts(engine, queued.ids, "give_up_reason") == {"horizon": 6}
        assert all(at is not None for at in early)
        apologies = _apologies(line)
        assert sorted(user for user, _ in apologies) == sorted(queued.users)  # one each
        assert all(report.receipt_no in body for _, body in apologies)
    finally:
        reports.cleanup()


def _apologise(engine: Engine, now: dt.datetime) -> int:
    build = lambda receipts: delivery_apology(receipts, "042-523-2111")  # noqa: E731
    return queue_apologies(engine, MUNICIPALITY_ID, now, build)


def _apologies(line: FakeLineServer) -> list[tuple[str, str]]:
    return [(user, body) for user, _, body in line.delivered_texts() if "申し訳" in body]
