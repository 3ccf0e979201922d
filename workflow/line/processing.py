"""The worker's loop over stored webhook events: one short unit of work per event.

The web layer owns the LINE dialogue and hands it in as an ``EventHandler`` (as notices are
handed to ``transition``), so this loop, which owns the transactions, never imports the web
layer. Per claimed event: the handler's writes and ``processed_at`` commit together. An event
that raises is rolled back to a savepoint, its error and attempt recorded, and left for the
next call; when it is given up the handler's ``apologise`` queues one apology.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workflow.db import session_scope
from workflow.line.inbox import (
    ClaimedEvent,
    claim_next_event,
    forget_idle_dialogues,
    mark_processed,
    record_failure,
)

log = logging.getLogger("machi.line")


class EventHandler(Protocol):
    """What the dialogue does with claimed events, inside the loop's unit of work."""

    def handle(self, session: Session, claimed: ClaimedEvent, now: dt.datetime) -> list[int]:
        """Do what the event asks; returns the ids of photos it added."""
        ...

    def apologise(self, session: Session, claimed: ClaimedEvent, now: dt.datetime) -> None:
        """Queue one apology for an event given up after repeated failures."""
        ...


def process_events(
    engine: Engine,
    municipality_id: int,
    now: Callable[[], dt.datetime],
    handler: EventHandler,
    limit: int,
) -> tuple[int, list[int]]:
    """Process up to ``limit`` stored events, each in its own unit of work.

    Args:
        engine: the pooled engine.
        municipality_id: tenant.
        now: aware clock, read once per event.
        handler: the dialogue's handling of one event, and its apology.
        limit: at most this many events per call.

    Returns:
        How many events were handled, and the ids of the photos they added.
    """
    failed: list[int] = []
    photo_ids: list[int] = []
    handled = 0
    while handled < limit:
        new_photos = _process_next(engine, municipality_id, now(), handler, failed)
        if new_photos is None:
            break
        photo_ids.extend(new_photos)
        handled += 1
    return handled, photo_ids


def _process_next(
    engine: Engine,
    municipality_id: int,
    now: dt.datetime,
    handler: EventHandler,
    failed: list[int],
) -> list[int] | None:
    """Claim and process one event; None when nothing is due. Returns new photo ids."""
    with session_scope(engine) as session:
        claimed = claim_next_event(session, municipality_id, failed)
        if claimed is None:
            return None
        try:
            with session.begin_nested():
                photo_ids = handler.handle(session, claimed, now)
                mark_processed(session, claimed, now)
        except Exception as exc:  # one bad event must not stop the others
            log.exception("LINE event %s failed", claimed.webhook_event_id)
            failed.append(claimed.id)
            if record_failure(session, claimed, f"{type(exc).__name__}: {exc}", now):
                handler.apologise(session, claimed, now)
            return []
        return photo_ids


def forget_idle(engine: Engine, municipality_id: int, idle_since: dt.datetime) -> None:
    """Drop dialogues (and the answers they hold) untouched since ``idle_since`` (aware)."""
    with session_scope(engine) as session:
        forget_idle_dialogues(session, municipality_id, idle_since)
