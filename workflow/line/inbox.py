"""The LINE webhook inbox: events stored as received, then claimed one at a time by the worker.

The webhook only inserts (deduplicated by ``webhookEventId``) and answers; the worker claims
the oldest unprocessed event whose resident has no older unprocessed event (webhook order per
resident), with ``FOR UPDATE SKIP LOCKED`` so several workers never take the same event.
The claim lives in the caller's transaction: the event's own writes and ``mark_processed``
commit together, so a crash re-processes it and a processed event is never processed again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.db import TOWN_SETTING, libpq_conninfo

MAX_EVENT_ATTEMPTS = 3
MAX_ERROR_CHARS = 2000
WEBHOOK_POOL_MAX = 8
WEBHOOK_POOL_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 3  # per host: a dead host of a multi-host URL must not stall the next one
# psycopg_pool retries a failed connection with doubling delays (1, 2, 4 ... s) until this
# timeout, and grows the pool one attempt at a time: with its default (300 s), after the
# ~50 s a failover takes the next attempt could come half a minute after the new primary
# accepts writes. Giving up early makes the next request start over at once.
RECONNECT_TIMEOUT_S = 4.0

WebhookPool = AsyncConnectionPool  # the webhook's own async pool (no SQLAlchemy on its path)

# One statement whatever the number of events: atomic even on an autocommit connection, one
# round trip, and constant text so psycopg prepares it once per connection. The arrays go in
# binary (%(x)b): text arrays would be escaped character by character.
_INSERT_SQL = (
    "INSERT INTO webhook_event (municipality_id, webhook_event_id, event_type, line_user_id, "
    "is_redelivery, payload) SELECT %(m)s, e.event_id, e.event_type, e.user_id, e.redelivery, "
    "CAST(e.payload AS jsonb) FROM unnest(CAST(%(ids)b AS text[]), CAST(%(types)b AS text[]), "
    "CAST(%(users)b AS text[]), CAST(%(redeliveries)b AS boolean[]), "
    "CAST(%(payloads)b AS text[])) WITH ORDINALITY "
    "AS e(event_id, event_type, user_id, redelivery, payload, n) ORDER BY e.n "
    "ON CONFLICT (municipality_id, webhook_event_id) DO NOTHING"
)

# An id already stored is acknowledged only once its row is as safe as a new one. The no-op
# insert writes no WAL, so its commit would not wait for the synchronous standby: a row that a
# dying primary committed locally while its client got an error (never replicated) would be
# acknowledged when LINE redelivers it there, then discarded at failover (pg_rewind). Locking
# the known rows writes WAL, and the commit then waits until the standby has everything up
# to it, those rows included. Only a redelivery pays for it.
_CONFIRM_KNOWN_SQL = (
    "SELECT 1 FROM webhook_event WHERE municipality_id = %(m)s "
    "AND webhook_event_id = ANY(CAST(%(ids)b AS text[])) FOR KEY SHARE"
)

# Webhook order per resident: an event waits while an older one of the same user is pending.
_CLAIM = text(
    "SELECT e.id, e.webhook_event_id, e.event_type, e.line_user_id, e.is_redelivery, e.payload, "
    "e.received_at, e.attempts FROM webhook_event e "
    "WHERE e.municipality_id = :m AND e.processed_at IS NULL "
    "AND NOT (e.id = ANY(CAST(:skip AS bigint[]))) "
    "AND NOT EXISTS (SELECT 1 FROM webhook_event p WHERE p.municipality_id = e.municipality_id "
    "AND p.processed_at IS NULL AND p.line_user_id = e.line_user_id AND p.id < e.id) "
    "ORDER BY e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED"
)


@dataclass(frozen=True)
class InboundEvent:
    """One webhook event as the webhook stores it (``payload_json`` is the raw event)."""

    webhook_event_id: str
    event_type: str
    line_user_id: str | None
    is_redelivery: bool
    payload_json: str


@dataclass(frozen=True)
class ClaimedEvent:
    """A stored event, locked by the claiming transaction until it commits."""

    id: int
    municipality_id: int
    webhook_event_id: str
    event_type: str
    line_user_id: str | None
    is_redelivery: bool
    payload: dict[str, Any]
    received_at: dt.datetime
    attempts: int


def _insert_params(municipality_id: int, events: Sequence[InboundEvent]) -> dict[str, Any]:
    return {
        "m": municipality_id,
        "ids": [event.webhook_event_id for event in events],
        "types": [event.event_type for event in events],
        "users": [event.line_user_id for event in events],
        "redeliveries": [event.is_redelivery for event in events],
        "payloads": [event.payload_json for event in events],
    }


async def open_webhook_pool(database_url: str) -> WebhookPool:
    """Open the webhook's small async pool without waiting for the database to answer.

    Its connections are in autocommit mode: the one INSERT per request is its own transaction.
    A multi-host URL (``target_session_attrs=read-write``) works as for the engine: after a
    failover, new connections go to the new primary (``store_webhook_events`` drops the dead).

    Args:
        database_url: the SQLAlchemy URL (``postgresql+psycopg://...``) of the app's engine.
    """
    pool = AsyncConnectionPool(
        libpq_conninfo(database_url),
        min_size=2,
        max_size=WEBHOOK_POOL_MAX,
        timeout=WEBHOOK_POOL_TIMEOUT_S,
        reconnect_timeout=RECONNECT_TIMEOUT_S,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
        open=False,
    )
    await pool.open(wait=False)
    return pool


async def store_webhook_events(
    pool: AsyncConnectionPool, municipality_id: int, events: Sequence[InboundEvent]
) -> None:
    """Insert the events of one webhook request in one statement; known ids are ignored.

    The webhook's hot path: plain psycopg on an async pool (no thread hand-off, no ORM). The
    pool's connections are in autocommit mode; the single INSERT is its own transaction.

    Args:
        pool: open async psycopg pool of autocommit connections.
        municipality_id: tenant.
        events: the request's events, in webhook order (ids increase in that order).

    Raises:
        psycopg.OperationalError: the events could not be stored (``PoolTimeout`` when no
            connection could be had); nothing was stored, the webhook must not answer 200.
    """
    if not events:
        return
    params = _insert_params(municipality_id, events)
    try:
        await _insert(pool, params)
    except PoolTimeout:  # no connection at all: the database is down
        raise
    except psycopg.OperationalError:
        # After a PostgreSQL restart every idle connection of the pool is dead, and each would
        # fail one webhook when drawn. Drop them all now and try once more on a fresh one: the
        # insert is idempotent (known ids are ignored), so a retry never stores twice.
        await pool.check()
        await _insert(pool, params)


# The pool is plain psycopg, so no engine listener sets the town: the insert sets it itself
# (SET LOCAL), or row-level security refuses the rows. Both statements go in one pipeline:
# one round trip, and on an autocommit connection they run in one implicit transaction (it
# ends at the pipeline's sync), so the setting reaches the INSERT and ends with it. An
# explicit transaction() would add BEGIN/COMMIT and a sync: measured about twice as slow.
_SET_TOWN_SQL = f"SELECT set_config('{TOWN_SETTING}', %(town)s, true)"


async def _insert(pool: AsyncConnectionPool, params: dict[str, Any]) -> None:
    town = {"town": str(params["m"])}
    async with pool.connection() as conn:
        async with conn.pipeline():
            await conn.execute(_SET_TOWN_SQL, town)
            inserted = await conn.execute(_INSERT_SQL, params)
        if inserted.rowcount < len(params["ids"]):  # known ids: see _CONFIRM_KNOWN_SQL
            async with conn.pipeline():
                await conn.execute(_SET_TOWN_SQL, town)
                await conn.execute(_CONFIRM_KNOWN_SQL, params)


def store_webhook_events_sync(
    engine: Engine, municipality_id: int, events: Sequence[InboundEvent]
) -> None:
    """Same as ``store_webhook_events`` through the SQLAlchemy engine."""
    if not events:
        return
    params = _insert_params(municipality_id, events)
    with engine.begin() as conn:
        if conn.exec_driver_sql(_INSERT_SQL, params).rowcount < len(events):
            conn.exec_driver_sql(_CONFIRM_KNOWN_SQL, params)


def claim_next_event(
    session: Session, municipality_id: int, skip_ids: Sequence[int] = ()
) -> ClaimedEvent | None:
    """Lock the next event to process in the caller's transaction, or None when none is due.

    Args:
        session: open session; the lock holds until its transaction ends.
        municipality_id: tenant.
        skip_ids: events to leave for a later call (they failed in this one).
    """
    row = session.execute(_CLAIM, {"m": municipality_id, "skip": list(skip_ids)}).first()
    if row is None:
        return None
    return ClaimedEvent(
        id=int(row.id),
        municipality_id=municipality_id,
        webhook_event_id=str(row.webhook_event_id),
        event_type=str(row.event_type),
        line_user_id=row.line_user_id,
        is_redelivery=bool(row.is_redelivery),
        payload=dict(row.payload),
        received_at=row.received_at,
        attempts=int(row.attempts),
    )


def mark_processed(session: Session, event: ClaimedEvent, now: dt.datetime) -> None:
    """Mark a claimed event done, in the same transaction as the writes it caused."""
    session.execute(
        text(
            "UPDATE webhook_event SET processed_at = :now, attempts = attempts + 1, "
            "last_error = NULL WHERE municipality_id = :m AND id = :id"
        ),
        {"now": now, "m": event.municipality_id, "id": event.id},
    )


def record_failure(session: Session, event: ClaimedEvent, error: str, now: dt.datetime) -> bool:
    """Count a failed attempt; after ``MAX_EVENT_ATTEMPTS`` the event is given up (processed).

    Args:
        session: the claiming transaction (the event's own writes already rolled back).
        event: the claimed event.
        error: what went wrong, kept for staff in ``last_error``.
        now: aware time of the attempt.

    Returns:
        True when the event was given up now (the resident should get an apology).
    """
    given_up = event.attempts + 1 >= MAX_EVENT_ATTEMPTS
    session.execute(
        text(
            "UPDATE webhook_event SET attempts = attempts + 1, last_error = :err, "
            "processed_at = CASE WHEN :give_up THEN CAST(:now AS timestamptz) END "
            "WHERE municipality_id = :m AND id = :id"
        ),
        {
            "err": error[:MAX_ERROR_CHARS],
            "give_up": given_up,
            "now": now,
            "m": event.municipality_id,
            "id": event.id,
        },
    )
    return given_up


def forget_idle_dialogues(session: Session, municipality_id: int, before: dt.datetime) -> int:
    """Drop dialogues left untouched since ``before``; returns how many were dropped.

    An abandoned dialogue would otherwise keep its answers (a booking's name and phone among
    them) for as long as the resident stays silent; it is reset on their next message anyway.
    A dialogue being processed is row-locked and updated meanwhile, so it is not dropped.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        before: aware time; dialogues last updated earlier are dropped.
    """
    result = session.execute(
        text("DELETE FROM dialogue_state WHERE municipality_id = :m AND updated_at < :before"),
        {"m": municipality_id, "before": before},
    )
    return int(getattr(result, "rowcount", 0) or 0)
