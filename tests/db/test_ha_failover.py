"""The app's two kinds of connection follow a pg_auto_failover switchover (opt-in: minutes).

A formation of its own (``machi.ha`` on free ports in a temporary directory), the app's engine
and the webhook's pool on its multi-host URL; ``pg_autoctl perform failover`` swaps primary and
standby; the same engine and the same pool then write to the new primary, without a restart.
Skipped unless ``pg_autoctl`` is installed and ``MACHI_HA_TEST=1``; the full drill under load
with a killed primary is ``python -m bench.failover``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from geo.db import get_engine, town_scope
from machi import ha
from tests.conftest import free_port
from workflow.line.inbox import InboundEvent, open_webhook_pool, store_webhook_events

pytestmark = [
    pytest.mark.db,
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        shutil.which("pg_autoctl") is None or os.environ.get("MACHI_HA_TEST") != "1",
        reason="needs pg_autoctl (postgresql-15-auto-failover) and MACHI_HA_TEST=1",
    ),
]

TOWN = 13202


@pytest.fixture(scope="module")
def formation() -> Iterator[ha.Formation]:
    root = Path(tempfile.mkdtemp(prefix="machi-ha-"))
    root.chmod(0o755)  # pg_autoctl runs as ``postgres`` when the tests run as root
    ports = (free_port(), free_port(), free_port())
    created = ha.Formation(root=root, monitor_port=ports[0], node_ports=(ports[1], ports[2]))
    try:
        yield ha.up(created)
    finally:
        ha.down(created)
        shutil.rmtree(root, ignore_errors=True)


def _event(event_id: str) -> InboundEvent:
    payload = f'{{"type": "message", "webhookEventId": "{event_id}"}}'
    return InboundEvent(event_id, "message", "U" + "1" * 32, False, payload)


def _where(engine: Engine, event_id: str) -> int:
    """The port of the server that stored ``event_id`` (through the engine: the primary)."""
    sql = "SELECT inet_server_port() FROM webhook_event WHERE webhook_event_id = :id"
    with town_scope(TOWN), engine.begin() as conn:  # row-level security: the town's rows
        return int(conn.execute(text(sql), {"id": event_id}).scalar_one())


async def _store_around_switchover(formation: ha.Formation, engine: Engine) -> list[int]:
    pool = await open_webhook_pool(formation.database_url())
    try:
        await store_webhook_events(pool, TOWN, [_event("HA-BEFORE")])
        before = _where(engine, "HA-BEFORE")
        monitor = f"--pgdata={formation.pgdata('monitor')}"
        await asyncio.to_thread(ha.autoctl, formation, "perform", "failover", monitor)
        await store_webhook_events(pool, TOWN, [_event("HA-AFTER")])
        return [before, _where(engine, "HA-AFTER")]
    finally:
        await pool.close()


def test_engine_and_webhook_pool_write_to_the_new_primary_after_a_switchover(
    formation: ha.Formation,
) -> None:
    engine = get_engine(formation.database_url())
    try:
        before, after = asyncio.run(_store_around_switchover(formation, engine))
    finally:
        engine.dispose()
    assert {before, after} == set(formation.node_ports)  # the primary moved, the app followed
    states = {s.name: s.current for s in ha.node_states(formation)}
    assert sorted(states.values()) == ["primary", "secondary"]
