"""Real ``machi worker`` processes against the fake LINE API: kill -9 mid-batch, two at once.

Real time here (processes cannot share a controlled clock), so leases are 2 s and LINE is slow
(300-500 ms a call) to catch sends in flight. Counted on the fake: every message delivered,
none twice, each resident's in order.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from machi.settings import Settings
from tests.fakes.line_server import FakeLineServer
from tests.support.delivery import (
    Clock,
    all_sent,
    assert_delivered_once_in_order,
    column_counts,
    queue_messages,
)

pytestmark = pytest.mark.db
WAIT_S = 90.0


def _clean(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox_message WHERE to_line_user_id LIKE 'Ut%'"))
        conn.execute(text("DELETE FROM line_channel"))


@pytest.fixture()
def slow_line() -> Iterator[FakeLineServer]:
    with FakeLineServer(latency_s=0.4) as server:
        yield server


def _start_worker(
    settings: Settings, line: FakeLineServer, log_path: Path
) -> subprocess.Popen[bytes]:
    """Start ``machi worker`` and return once it says it started (imports take a while)."""
    env = {
        **os.environ,
        "MACHI_ENV": "test",
        "MACHI_DATABASE_URL": settings.database_url,
        "MACHI_LINE_API_BASE": line.base_url,
        "MACHI_LINE_CHANNEL_ACCESS_TOKEN": line.token,
        "MACHI_LINE_LEASE_S": "2",
        "MACHI_LINE_SEND_TIMEOUT_S": "3",
        "MACHI_LINE_SEND_CONCURRENCY": "8",
    }
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "machi", "worker"], env=env, stdout=log, stderr=log
        )
    _wait_until(lambda: b"worker started" in log_path.read_bytes() or worker.poll() is not None)
    assert worker.poll() is None, log_path.read_text()
    return worker


def _wait_until(done: object, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if done():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_kill_9_mid_batch_then_a_new_worker_sends_the_rest_once(
    engine: Engine, test_settings: Settings, slow_line: FakeLineServer, tmp_path: Path
) -> None:
    _clean(engine)
    first = _start_worker(test_settings, slow_line, tmp_path / "first.log")
    queued = queue_messages(engine, slow_line, Clock(), users=30, per_user=3)
    try:
        _wait_until(lambda: len(slow_line.requests) >= 12)
        os.kill(first.pid, signal.SIGKILL)  # sends in flight, results unrecorded
        first.wait()
        in_flight = int(
            column_counts(engine, queued.ids, "lease_owner IS NOT NULL AND status = 'pending'")[
                True
            ]
        )
        second = _start_worker(test_settings, slow_line, tmp_path / "second.log")
        try:
            _wait_until(all_sent(engine, queued))
        finally:
            _stop(second)
    finally:
        _stop(first)
    assert in_flight > 0  # the kill did hit sends in flight
    check = assert_delivered_once_in_order(slow_line, queued)
    assert check.replies >= 25  # the new worker kept the tokens of the interrupted replies
    _clean(engine)


def test_two_workers_share_one_burst_with_slow_line(
    engine: Engine, test_settings: Settings, slow_line: FakeLineServer, tmp_path: Path
) -> None:
    _clean(engine)
    workers = [_start_worker(test_settings, slow_line, tmp_path / f"w{n}.log") for n in (1, 2)]
    queued = queue_messages(engine, slow_line, Clock(), users=40, per_user=4)
    try:
        _wait_until(all_sent(engine, queued))
    finally:
        for worker in workers:
            _stop(worker)
    check = assert_delivered_once_in_order(slow_line, queued)
    assert check.replies == 40
    _clean(engine)
