"""With a synchronous standby, the webhook answers 200 only for events the standby has too.

A new event's commit waits for the standby. An event already stored must too: when a primary
dies, a commit it made locally (its client got an error, the standby never got the row) is
discarded at failover, and if LINE's redelivery of that event reached the old primary in the
seconds pg_autoctl restarts it, a no-op insert would acknowledge a row about to be lost.

On a throwaway cluster whose synchronous standby never connects, every commit that writes
waits; the test cancels one such wait (the row is then committed locally only, as on the old
primary), stores the same event again through the webhook's pool, and checks that the answer
waits for the standby; emptying ``synchronous_standby_names`` releases it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from geo.db import town_scope, watch_town
from machi.settings import DEV_APP_ROLE
from tests.conftest import migrate
from tests.support.throwaway_pg import throwaway_cluster
from workflow.line.inbox import (
    InboundEvent,
    open_webhook_pool,
    store_webhook_events,
    store_webhook_events_sync,
)

pytestmark = [pytest.mark.db, pytest.mark.slow]

TOWN = 13202
_TOWN_ROW = text(
    "INSERT INTO municipality (id, code, name, prefecture, phone, boundary) VALUES (:id, "
    "'132021', '立川市', '東京都', '042-523-2111', "
    "ST_Multi(ST_MakeEnvelope(139.37, 35.68, 139.45, 35.73, 4326)))"
)


class Primary(NamedTuple):
    url: str  # as the app's role, held by row-level security
    admin: Engine  # the owner, autocommit: settings, pg_stat_activity, cancels
    app: Engine  # as the app's engine


@pytest.fixture(scope="module")
def primary() -> Iterator[Primary]:
    with throwaway_cluster() as (_, owner_url):
        migrate(owner_url)
        url = make_url(owner_url).set(username=DEV_APP_ROLE).render_as_string()
        admin = create_engine(owner_url, isolation_level="AUTOCOMMIT")
        app = watch_town(create_engine(url))
        with admin.connect() as conn:
            conn.execute(_TOWN_ROW, {"id": TOWN})
            # CI starts throwaway clusters with synchronous_commit=off (MACHI_PG_FAST), under
            # which no commit waits for a standby; a database setting overrides the server's
            database = make_url(owner_url).database
            conn.execute(text(f'ALTER DATABASE "{database}" SET synchronous_commit = on'))
        try:
            yield Primary(url, admin, app)
        finally:
            app.dispose()
            admin.dispose()


def _standby_names(engine: Engine, names: str) -> None:
    with engine.connect() as conn:
        conn.execute(text(f"ALTER SYSTEM SET synchronous_standby_names = '{names}'"))
        conn.execute(text("SELECT pg_reload_conf()"))
    time.sleep(0.3)  # the backends read the new value at their next command


def _waiting_for_standby(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        sql = "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep'"
        return [int(pid) for pid in conn.execute(text(sql)).scalars()]


def _until(check: Callable[[], object], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def _event(event_id: str) -> InboundEvent:
    payload = f'{{"type": "message", "webhookEventId": "{event_id}"}}'
    return InboundEvent(event_id, "message", "U" + "0" * 32, False, payload)


def _store_sync(engine: Engine, event: InboundEvent) -> None:
    with town_scope(TOWN):  # as the webhook's request: its transaction sets machi.town
        store_webhook_events_sync(engine, TOWN, [event])


def _stored_locally_only(db: Primary, event: InboundEvent) -> None:
    """Store ``event`` and cancel its wait for the standby: committed here, nowhere else."""
    storing = threading.Thread(target=_store_sync, args=(db.app, event))
    storing.start()
    _until(lambda: _waiting_for_standby(db.admin))
    with db.admin.connect() as conn:
        for pid in _waiting_for_standby(db.admin):
            conn.execute(text("SELECT pg_cancel_backend(:pid)"), {"pid": pid})
    storing.join(timeout=10)
    assert not storing.is_alive()


async def _store_again(db: Primary, event: InboundEvent) -> bool:
    """Store ``event`` again through the webhook's pool; True if that waited for the standby."""
    pool = await open_webhook_pool(db.url)
    try:
        storing = asyncio.create_task(store_webhook_events(pool, TOWN, [event]))
        await asyncio.sleep(1.0)
        waited = not storing.done()
        await asyncio.to_thread(_standby_names, db.admin, "")  # the standby "arrives"
        await asyncio.wait_for(storing, timeout=10)
        return waited
    finally:
        await pool.close()


def test_a_known_event_is_acknowledged_only_once_the_standby_has_it(primary: Primary) -> None:
    event = _event("SYNCSTANDBY-1")
    _standby_names(primary.admin, "nobody")
    try:
        _stored_locally_only(primary, event)
        assert asyncio.run(_store_again(primary, event))
    finally:
        _standby_names(primary.admin, "")
    with primary.admin.connect() as conn:
        sql = "SELECT count(*) FROM webhook_event WHERE webhook_event_id = :id"
        assert conn.execute(text(sql), {"id": event.webhook_event_id}).scalar_one() == 1


def test_the_sync_path_waits_for_the_standby_for_a_known_event_too(primary: Primary) -> None:
    event = _event("SYNCSTANDBY-2")
    _standby_names(primary.admin, "nobody")
    try:
        _stored_locally_only(primary, event)
        again = threading.Thread(target=_store_sync, args=(primary.app, event))
        again.start()
        again.join(timeout=1.0)
        assert again.is_alive()  # waiting for the standby
    finally:
        _standby_names(primary.admin, "")
    again.join(timeout=10)
    assert not again.is_alive()
