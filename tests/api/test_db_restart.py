"""PostgreSQL restarts under webhook load (~100 events/s) and nothing answered 200 is lost.

On a throwaway cluster: while signed webhooks arrive, the server restarts. Every answer is 200
or 5xx (LINE redelivers on 5xx), every event answered 200 is stored, the worker processes
every one of them by itself, and once the server is back the very next webhooks succeed
(the pool must not hand out the connections the restart killed).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from machi import localdb
from machi.settings import PROJECT_ROOT
from tests.conftest import free_port, migrate
from tests.fakes.line_server import FakeLineServer
from tests.support.line_events import SIGNATURE_HEADER, body_of, new_user_id, sign, text_event
from tests.support.throwaway_pg import throwaway_cluster
from workflow.db import session_scope
from workflow.demo.town import load_demo_town
from workflow.line.inbox import WEBHOOK_POOL_MAX as POOL_MAX

pytestmark = [pytest.mark.db, pytest.mark.slow]

RATE_PER_S = 100
EVENTS_PER_REQUEST = 4  # LINE batches events too; 25 requests/s is what 2 shared cores manage
LOAD_S = 3.0
RESTART_AT_S = 1.0
SECRET = "restart-channel-secret"


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[localdb.LocalCluster, str]]:
    with throwaway_cluster() as (pg, url):
        migrate(url)
        engine = create_engine(url)
        with session_scope(engine) as session:
            load_demo_town(session)
        engine.dispose()
        yield pg, url


async def _send(client: httpx.AsyncClient, url: str, events: list[dict[str, Any]]) -> int:
    body = body_of(events)
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
    answer = await client.post(f"{url}/line/webhook", content=body, headers=headers)
    return answer.status_code


async def _load(url: str, pg: localdb.LocalCluster, users: list[str]) -> dict[str, int]:
    """Send RATE_PER_S events a second for LOAD_S seconds, restarting the server meanwhile."""
    loop = asyncio.get_running_loop()
    batches: list[list[dict[str, Any]]] = []
    sends: list[asyncio.Task[int]] = []
    restarting: asyncio.Future[None] | None = None
    interval_s = EVENTS_PER_REQUEST / RATE_PER_S
    async with httpx.AsyncClient(timeout=30) as client:
        start = loop.time()
        while loop.time() - start < LOAD_S:
            if restarting is None and loop.time() - start >= RESTART_AT_S:
                restarting = asyncio.ensure_future(asyncio.to_thread(localdb.restart, pg))
            batch = [
                text_event(users[(len(batches) + n) % len(users)], "こんにちは")
                for n in range(EVENTS_PER_REQUEST)
            ]
            batches.append(batch)
            sends.append(asyncio.create_task(_send(client, url, batch)))
            await asyncio.sleep(max(0.0, start + len(batches) * interval_s - loop.time()))
        statuses = await asyncio.gather(*sends)
        assert restarting is not None
        await restarting
    return {
        event["webhookEventId"]: status
        for batch, status in zip(batches, statuses, strict=True)
        for event in batch
    }


async def _sequential(url: str, users: list[str], count: int) -> dict[str, int]:
    answers = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(count):
            event = text_event(users[n % len(users)], "メニュー")
            answers[event["webhookEventId"]] = await _send(client, url, [event])
    return answers


def _stored(engine: Engine, ids: list[str]) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT webhook_event_id FROM webhook_event WHERE webhook_event_id = ANY(:ids)"),
            {"ids": ids},
        )
        return {str(row[0]) for row in rows}


def _unprocessed(engine: Engine, ids: list[str]) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT webhook_event_id, processed_at, last_error FROM webhook_event "
                    "WHERE webhook_event_id = ANY(:ids) "
                    "AND (processed_at IS NULL OR last_error IS NOT NULL)"
                ),
                {"ids": ids},
            ).all()
        )


def _wait_processed(engine: Engine, ids: list[str], timeout_s: float) -> list[Any]:
    deadline = time.monotonic() + timeout_s
    left = _unprocessed(engine, ids)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = _unprocessed(engine, ids)
    return left


@pytest.fixture()
def server(
    cluster: tuple[localdb.LocalCluster, str], fake_line: FakeLineServer, tmp_path: Path
) -> Iterator[str]:
    """``machi serve --with-worker`` as a real process, on the throwaway cluster.

    A process, not a thread: the test's client must not share its GIL with the server.
    """
    port = free_port()
    env = {
        **os.environ,
        "MACHI_ENV": "test",
        "MACHI_DATABASE_URL": cluster[1],
        "MACHI_PORT": str(port),
        "MACHI_LINE_API_BASE": fake_line.base_url,
        "MACHI_LINE_CHANNEL_ACCESS_TOKEN": fake_line.token,
        "MACHI_LINE_CHANNEL_SECRET": SECRET,
        "MACHI_MEDIA_DIR": str(tmp_path / "media"),
        "MACHI_WORKER_POLL_S": "0.1",
    }
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(PROJECT_ROOT / ".venv/bin/machi"), "serve", "--with-worker"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        log.close()


def _wait_until_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("server did not come up in 60 s")


def test_restart_under_webhook_load_loses_nothing_answered_200(
    cluster: tuple[localdb.LocalCluster, str], server: str
) -> None:
    pg, db_url = cluster
    users = [new_user_id() for _ in range(50)]
    engine = create_engine(db_url, pool_pre_ping=True)
    try:
        answers = asyncio.run(_load(server, pg, users))
        assert set(answers.values()) <= {200} | set(range(500, 600)), answers
        ok = [event_id for event_id, status in answers.items() if status == 200]
        # the load was about 100 events/s (half of it on a loaded 2-core machine: a sanity check)
        assert len(answers) >= RATE_PER_S * LOAD_S * 0.5
        assert len(ok) > RATE_PER_S  # ... and went through before and after the restart
        assert _stored(engine, ok) == set(ok)

        localdb.restart(pg)  # quiet restart: every idle pooled connection is now dead
        after = asyncio.run(_sequential(server, users, 2 * POOL_MAX))
        assert set(after.values()) == {200}, after  # at once, no 500 from a dead connection
        ok += list(after)

        assert _wait_processed(engine, ok, timeout_s=120) == []
    finally:
        engine.dispose()
