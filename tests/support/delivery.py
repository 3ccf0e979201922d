"""Helpers for the LINE delivery tests: a controlled clock, queued messages, delivery checks.

Every queued message has a unique text ``<user>#<n>``; a resident's texts are numbered in the
order they were queued, so the fake's deliveries tell at once whether each message arrived,
how often, by reply or push, and in which order.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text

from tests.conftest import MUNICIPALITY_ID
from tests.fakes.line_server import FakeLineServer
from workflow.db import session_scope
from workflow.line.dispatcher import Dispatcher
from workflow.line.outbox import enqueue

REPLY_TTL = dt.timedelta(seconds=50)  # as api.line.processor.REPLY_TOKEN_TTL


class Clock:
    """A clock that moves only when told; thread-safe; the fake LINE reads it too."""

    def __init__(self) -> None:
        self._now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def epoch(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class Queued:
    users: list[str]
    per_user: int
    ids: list[int]

    @property
    def texts(self) -> set[str]:
        return {f"{u}#{n}" for u in self.users for n in range(self.per_user)}


def queue_messages(
    engine: Engine,
    line: FakeLineServer,
    clock: Clock,
    users: int,
    per_user: int,
    report_id: int | None = None,
) -> Queued:
    """Queue ``per_user`` messages for each of ``users`` new residents; the first is a reply."""
    names = ["Ut" + uuid.uuid4().hex[:30] for _ in range(users)]
    ids: list[int] = []
    with session_scope(engine) as session:
        for n in range(per_user):
            for user in names:
                body = [{"type": "text", "text": f"{user}#{n}"}]
                row = enqueue(session, MUNICIPALITY_ID, user, body, "dialogue", report_id=report_id)
                assert row is not None
                if n == 0:
                    row.reply_token = line.issue_reply_token(user)
                    row.reply_token_expires_at = clock.now() + REPLY_TTL
                ids.append(row.id)
    return Queued(names, per_user, ids)


def drive(
    dispatcher: Dispatcher,
    clock: Clock,
    done: Callable[[], bool],
    *,
    step_s: float,
    max_steps: int,
) -> int:
    """Run sender rounds, moving the clock ``step_s`` after each, until ``done``; returns rounds."""
    for rounds in range(max_steps):
        if done():
            return rounds
        dispatcher.step(timeout_s=10)
        clock.advance(step_s)
    raise AssertionError(f"not done after {max_steps} rounds")


def statuses(engine: Engine, ids: list[int]) -> Counter[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status FROM outbox_message WHERE municipality_id = :m AND id = ANY(:ids)"),
            {"m": MUNICIPALITY_ID, "ids": ids},
        ).scalars()
        return Counter(rows)


def all_sent(engine: Engine, queued: Queued) -> Callable[[], bool]:
    return lambda: statuses(engine, queued.ids) == Counter({"sent": len(queued.ids)})


def column_counts(engine: Engine, ids: list[int], column: str) -> Counter[object]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT {column} FROM outbox_message WHERE municipality_id = :m AND id = ANY(:ids)"
            ),
            {"m": MUNICIPALITY_ID, "ids": ids},
        ).scalars()
        return Counter(rows)


@dataclass(frozen=True)
class DeliveryCheck:
    missing: set[str]
    duplicated: dict[str, int]
    out_of_order: list[str]
    replies: int
    pushes: int


def check_delivery(line: FakeLineServer, queued: Queued) -> DeliveryCheck:
    """Compare what the fake delivered with what was queued."""
    wanted = queued.texts
    ours = [(user, kind, body) for user, kind, body in line.delivered_texts() if body in wanted]
    counts = Counter(body for _, _, body in ours)
    order: dict[str, list[int]] = {}
    for _, _, body in ours:
        user, n = body.split("#")
        order.setdefault(user, []).append(int(n))
    return DeliveryCheck(
        missing=wanted - set(counts),
        duplicated={body: c for body, c in counts.items() if c > 1},
        out_of_order=[u for u, seen in order.items() if seen != sorted(seen)],
        replies=sum(1 for _, kind, _ in ours if kind == "reply"),
        pushes=sum(1 for _, kind, _ in ours if kind == "push"),
    )


def assert_delivered_once_in_order(line: FakeLineServer, queued: Queued) -> DeliveryCheck:
    check = check_delivery(line, queued)
    assert check.missing == set(), f"{len(check.missing)} never delivered"
    assert check.duplicated == {}
    assert check.out_of_order == []
    return check
