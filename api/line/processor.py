"""The worker side of the LINE webhook: process stored events one short transaction each.

For every claimed event (oldest first, one resident's events in webhook order):
follow / unfollow keep the ``resident`` row current; messages and postbacks from a 1:1 chat
run one dialogue turn (``conversation.take_turn``); everything else is only marked processed.
The event's writes, its replies (outbox rows carrying the reply token) and ``processed_at``
commit together. No LINE call happens inside: the outbox sender and the photo downloader run
after, each in its own short transactions.

The loop and its transactions are ``workflow.line.processing``'s: an event that raises is
rolled back to a savepoint, its error and attempt recorded, and left for the next call; after
``MAX_EVENT_ATTEMPTS`` it is given up and the resident gets one apology (deduplicated by the
event id), which this module words.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Final

from api.line import events, messages
from api.line.conversation import Turn, TurnResult, make_context, take_turn
from api.line.model import Message, load_state
from machi.settings import Settings
from workflow.db import Engine, Session, town_scope
from workflow.line import reports as line_reports
from workflow.line import residents
from workflow.line.content import ContentFetcher
from workflow.line.inbox import ClaimedEvent
from workflow.line.outbox import enqueue
from workflow.line.processing import forget_idle, process_events
from workflow.reports.photos import download_pending_photos
from workflow.texts.resident import line as texts

log = logging.getLogger("machi.line")

REPLY_TOKEN_TTL: Final = dt.timedelta(seconds=50)  # LINE accepts a reply for about a minute
MAX_MESSAGES_PER_REQUEST: Final = 5
DEFAULT_BATCH: Final = 200
# Abandoned dialogues (and the personal data a booking's answers hold) are dropped after this.
FORGET_DIALOGUES_AFTER: Final = dt.timedelta(days=1)


class _Dialogue:
    """The LINE dialogue as ``workflow.line.processing`` calls it, one event at a time."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url

    def handle(self, session: Session, claimed: ClaimedEvent, now: dt.datetime) -> list[int]:
        return handle_event(session, self.settings, claimed, now, self.base_url)

    def apologise(self, session: Session, claimed: ClaimedEvent, now: dt.datetime) -> None:
        _apologise(session, claimed, now)


def process_pending_events(
    engine: Engine,
    settings: Settings,
    now: Callable[[], dt.datetime],
    content_fetcher: ContentFetcher | None = None,
    *,
    limit: int = DEFAULT_BATCH,
    town_id: int | None = None,
    base_url: str | None = None,
    tidy: bool = True,
) -> int:
    """Process up to ``limit`` stored webhook events of one town; returns how many were handled.

    Args:
        engine: the pooled engine.
        settings: ``duplicate_radius_m``, ``media_dir``; the town when ``town_id`` is None.
        now: aware clock, read once per event.
        content_fetcher: when given, photos of reports submitted in this call are
            downloaded right after the events (``download_pending_photos`` retries later
            anyway); the worker passes None and downloads after sending the replies.
        limit: at most this many events per call, so the worker's loop stays responsive.
        town_id: the town whose events to process (default: the settings' municipality);
            all the work runs in ``town_scope`` of it.
        base_url: the town's public base URL for links in replies (default: the settings').
        tidy: when the inbox is drained, drop dialogues idle for ``FORGET_DIALOGUES_AFTER``
            (the worker does that on its own schedule: ``forget_idle_dialogues``).
    """
    municipality_id = settings.municipality_id if town_id is None else town_id
    dialogue = _Dialogue(settings, base_url or settings.base_url)
    with town_scope(municipality_id):
        handled, photo_ids = process_events(engine, municipality_id, now, dialogue, limit)
        if content_fetcher is not None and photo_ids:
            download_pending_photos(
                engine, settings, content_fetcher, now=now, only_ids=photo_ids, town_id=town_id
            )
        if tidy and handled < limit:  # the inbox is drained: tidy up
            forget_idle(engine, municipality_id, now() - FORGET_DIALOGUES_AFTER)
    return handled


def forget_idle_dialogues(engine: Engine, town_id: int, now: dt.datetime) -> None:
    """Drop the town's dialogues idle for ``FORGET_DIALOGUES_AFTER`` (and the answers they hold)."""
    with town_scope(town_id):
        forget_idle(engine, town_id, now - FORGET_DIALOGUES_AFTER)


def handle_event(
    session: Session,
    settings: Settings,
    claimed: ClaimedEvent,
    now: dt.datetime,
    base_url: str | None = None,
) -> list[int]:
    """Do what one event asks inside the caller's transaction; returns new photo ids.

    ``base_url``: the town's public base URL for links (default: the settings').
    """
    raw = claimed.payload
    user_id = claimed.line_user_id
    source = raw.get("source")
    if user_id is None or not isinstance(source, dict) or source.get("type") != "user":
        return []  # groups, rooms and events without a user: stored, nothing to do
    if claimed.event_type in ("follow", "unfollow"):
        at = events.occurred_at(raw) or now
        following = claimed.event_type == "follow"
        residents.record_follow(session, claimed.municipality_id, user_id, following, at)
        return []
    dialogue_event = events.to_dialogue_event(raw)
    if dialogue_event is None or not events.is_direct_chat(raw):
        return []
    municipality_id = claimed.municipality_id
    resident_id = residents.ensure_line_resident(session, municipality_id, user_id, now)
    facts = line_reports.load_dialogue_facts(session, municipality_id)
    map_url = f"{base_url or settings.base_url}/map"
    ctx = make_context(facts, now, settings.duplicate_radius_m, map_url)
    turn = Turn(session, municipality_id, resident_id, facts, ctx)
    stored = residents.load_dialogue_state(session, municipality_id, resident_id)
    result = take_turn(turn, load_state(stored), dialogue_event)
    _store_state(session, municipality_id, resident_id, result, now)
    _reply(session, claimed, resident_id, result.messages, result.report_id)
    return result.photo_ids


def _store_state(
    session: Session, municipality_id: int, resident_id: int, result: TurnResult, now: dt.datetime
) -> None:
    if result.state is None:
        residents.delete_dialogue_state(session, municipality_id, resident_id)
    else:
        state_json = result.state.to_json()
        residents.save_dialogue_state(session, municipality_id, resident_id, state_json, now)


def _reply(
    session: Session,
    claimed: ClaimedEvent,
    resident_id: int | None,
    replies: list[Message],
    report_id: int | None,
    purpose: str = "dialogue",
    dedupe_key: str | None = None,
) -> None:
    """Queue the messages: the first five as a reply while the token is fresh, rest as pushes."""
    if claimed.line_user_id is None or not replies:
        return
    token = events.reply_token_of(claimed.payload)
    expires_at = (events.occurred_at(claimed.payload) or claimed.received_at) + REPLY_TOKEN_TTL
    step = MAX_MESSAGES_PER_REQUEST
    for index in range(0, len(replies), step):
        row = enqueue(
            session,
            claimed.municipality_id,
            claimed.line_user_id,
            replies[index : index + step],
            purpose="receipt" if report_id is not None else purpose,
            resident_id=resident_id,
            report_id=report_id,
            dedupe_key=None if dedupe_key is None else f"{dedupe_key}:{index}",
        )
        if row is not None and index == 0 and token is not None:
            row.reply_token = token
            row.reply_token_expires_at = expires_at


def _apologise(session: Session, claimed: ClaimedEvent, now: dt.datetime) -> None:
    """Tell the resident, once per event, that their message could not be handled."""
    if claimed.line_user_id is None or not events.is_direct_chat(claimed.payload):
        return
    facts = line_reports.load_dialogue_facts(session, claimed.municipality_id)
    apology = messages.text_message(texts.PROCESSING_FAILED.format(phone=facts.phone))
    key = f"apology:{claimed.webhook_event_id}"
    _reply(session, claimed, None, [apology], None, "apology", key)
    log.info("apology queued for event %s at %s", claimed.webhook_event_id, now.isoformat())
