"""The outbox sender: a bounded pool of threads sending leased messages concurrently.

One loop (``run``) leases only as many rows as it has free sending slots, hands each to a
thread (all threads share one kept-alive connection pool, see ``sender``), records results as
they come back, renews the leases of sends still in flight, gives up messages past the
horizon, and queues an apology for each resident whose message was given up (it waits in the
queue like any message, so it goes out as soon as LINE answers again). It never
processes webhook events, and event processing never waits for it (``machi.worker`` runs both
in their own threads). Memory stays bounded by ``concurrency`` however long the backlog.

A ``Dispatcher`` sends for one town, with that town's sender (its own access token), and does
its database work for that town (``town_scope``: row-level security shows it no other town's
rows). ``workflow.line.towns_dispatch`` runs one per town over one shared pool of threads.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from sqlalchemy import Engine, text

from workflow.db import town_scope
from workflow.line import channel, outbox
from workflow.line.delivery import Outcome, SendResult, Settlement, backoff_s, settle
from workflow.line.outbox import OutgoingMessage

log = logging.getLogger("machi.line.sender")

Send = Callable[[OutgoingMessage], SendResult]
Clock = Callable[[], dt.datetime]
Chore = Callable[[Engine, dt.datetime], int]


@dataclass(frozen=True)
class DispatchConfig:
    concurrency: int = 16
    lease: dt.timedelta = dt.timedelta(seconds=30)
    horizon: dt.timedelta = dt.timedelta(hours=24)
    reply_margin: dt.timedelta = dt.timedelta(seconds=10)  # the send timeout
    chores_every: dt.timedelta = dt.timedelta(seconds=5)


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        municipality_id: int,
        send: Send,
        config: DispatchConfig,
        clock: Clock,
        *,
        apologise: Chore | None = None,
        rng: random.Random | None = None,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self._engine = engine
        self._mid = municipality_id
        self._send = send
        self._config = config
        self._clock = clock
        self._apologise = apologise
        self._rng = rng or random.Random()
        self._owner = f"{uuid.uuid4().hex[:12]}"
        self._own_pool = pool is None
        self._pool = pool or ThreadPoolExecutor(config.concurrency, thread_name_prefix="line-send")
        self._in_flight: dict[Future[SendResult], OutgoingMessage] = {}
        self._last_chores: dt.datetime | None = None
        self.drained = False  # the last pump leased fewer messages than it had slots for

    @property
    def municipality_id(self) -> int:
        return self._mid

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def futures(self) -> list[Future[SendResult]]:
        """The sends in flight."""
        return list(self._in_flight)

    def use_sender(self, send: Send) -> None:
        """Send the next leased messages with ``send`` (the town's token changed)."""
        self._send = send

    def pump(self, limit: int | None = None) -> int:
        """Record finished sends, do the periodic chores, fill free slots; never blocks on LINE.

        Args:
            limit: lease at most this many (None: as many as slots are free; 0: only record).

        Returns:
            How many sends finished or started in this call.
        """
        with town_scope(self._mid):
            finished = [f for f in self._in_flight if f.done()]
            self._record(finished)
            now = self._clock()
            self._chores(now)  # renews the leases of sends in flight: even when leasing none
            if limit == 0:
                return len(finished)
            state = channel.read_channel(self._engine, self._mid)
            free = self._config.concurrency - len(self._in_flight)
            slots = state.slots(now, free if limit is None else min(free, limit))
            batch = self._lease(now, slots) if slots > 0 else []
        self.drained = len(batch) < slots or (slots == 0 and free > 0)
        for message in batch:
            self._in_flight[self._pool.submit(self._send, message)] = message
        return len(finished) + len(batch)

    def wait(self, timeout_s: float) -> None:
        """Sleep until a send finishes or ``timeout_s`` passes."""
        if self._in_flight:
            wait(list(self._in_flight), timeout=timeout_s, return_when=FIRST_COMPLETED)

    def step(self, timeout_s: float = 30.0) -> int:
        """Lease, send and record one full round (tests drive a controlled clock with it)."""
        started = self.pump()
        wait(list(self._in_flight), timeout=timeout_s)
        with town_scope(self._mid):
            self._record([f for f in self._in_flight if f.done()])
        return started

    def run(self, stop: threading.Event, wake: threading.Event, idle_s: float) -> None:
        """Loop until ``stop``; ``wake`` (set by event processing) cuts an idle wait short."""
        while not stop.is_set():
            try:
                busy = self.pump()
            except Exception:  # a database restart must not end the sender
                log.exception("sender round failed")
                busy = 0
            if self._in_flight:
                self.wait(idle_s if busy == 0 else 0.05)
            elif busy == 0:
                wake.wait(idle_s)
                wake.clear()

    def close(self, timeout_s: float = 15.0) -> None:
        """Finish the sends in flight (bounded by ``timeout_s``), record them, stop the pool."""
        if self._in_flight:
            wait(list(self._in_flight), timeout=timeout_s)
            with town_scope(self._mid):
                self._record([f for f in self._in_flight if f.done()])
        if self._own_pool:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _lease(self, now: dt.datetime, slots: int) -> list[OutgoingMessage]:
        config = self._config
        return outbox.lease_batch(
            self._engine,
            self._mid,
            now,
            limit=slots,
            owner=self._owner,
            lease=config.lease,
            reply_margin=config.reply_margin,
        )

    def _record(self, finished: list[Future[SendResult]]) -> None:
        if not finished:
            return
        now = self._clock()
        settled: list[tuple[OutgoingMessage, SendResult, Settlement]] = []
        for future in finished:
            message = self._in_flight.pop(future)
            result = _result_of(future)
            retry_s = backoff_s(message.attempts, self._rng)
            decision = settle(message.attempt, result, now, self._config.horizon, retry_s)
            settled.append((message, result, decision))
        outbox.record_results(self._engine, settled, now)
        results = [result for _, result, _ in settled]
        before, after = channel.note_results(self._engine, self._mid, results, now, self._rng)
        if after.healthy and not before.healthy:
            outbox.hurry_waiting(self._engine, self._mid, now)

    def _chores(self, now: dt.datetime) -> None:
        """Renew leases in flight; give up expired messages; queue apologies for them."""
        last = self._last_chores
        if last is not None and now - last < self._config.chores_every and now >= last:
            return
        self._last_chores = now
        in_flight = list(self._in_flight.values())
        if in_flight:
            outbox.renew_leases(self._engine, in_flight, now, self._config.lease)
        outbox.give_up_expired(self._engine, self._mid, now, self._config.horizon)
        if self._apologise is not None:
            self._apologise(self._engine, now)


def _result_of(future: Future[SendResult]) -> SendResult:
    try:
        return future.result()
    except Exception as exc:  # a bug in a send must not lose the message: treat as unknown
        log.exception("send raised")
        return SendResult(Outcome.UNKNOWN, f"{type(exc).__name__}: {exc}")


def dispatch_due(engine: Engine, send: Send, now: Clock, municipality_id: int | None = None) -> int:
    """Send every due message once and wait for the results (tests, CLI); returns the count.

    Args:
        engine: pooled engine.
        send: the sender (``LineSender``).
        now: aware clock.
        municipality_id: the channel to send for; None: every municipality, one after another.
    """
    if municipality_id is None:  # the registry is readable with no town set; outboxes are not
        with engine.connect() as conn:
            ids = list(conn.execute(text("SELECT id FROM municipality ORDER BY id")).scalars())
        return sum(dispatch_due(engine, send, now, int(mid)) for mid in ids)
    dispatcher = Dispatcher(engine, municipality_id, send, DispatchConfig(), now)
    try:
        return dispatcher.step()
    finally:
        dispatcher.close()
