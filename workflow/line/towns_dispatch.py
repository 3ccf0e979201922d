"""The outbox sender of every town: one ``Dispatcher`` per town over one shared pool, in turn.

Each round (``pump``) visits the towns in turn, starting one further each round, and leases
for each town with messages due at most ``per_town`` of the pool's free slots: a town with
thousands of messages queued shares the pool with every other town that has one due, which
waits at most a round. Each town's messages go out with its own sender (its own channel
access token, from ``sender_of``), and its channel's health (pauses after 429, 5xx, 401) is
its own. A town whose round found nothing due rests (``rounds.TownRing``) until its rest ends
or ``poke`` says replies were just queued for it. A town without a LINE channel is skipped
(``sender_of`` answers None and warns once); its messages wait for one.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from sqlalchemy import Engine

from workflow.line.dispatcher import Chore, Clock, DispatchConfig, Dispatcher, Send
from workflow.line.rounds import TownRing

log = logging.getLogger("machi.line.sender")
BUSY_WAIT_S = 0.05


class TownsDispatcher:
    """Round-robin sending for many towns; ``run`` loops until stopped."""

    def __init__(
        self,
        engine: Engine,
        towns: Callable[[], Sequence[int]],
        sender_of: Callable[[int], Send | None],
        config: DispatchConfig,
        clock: Clock,
        *,
        apologise: Callable[[int], Chore] | None = None,
        ring: TownRing | None = None,
        per_town: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._engine = engine
        self._towns = towns
        self._sender_of = sender_of
        self._config = config
        self._clock = clock
        self._apologise = apologise
        self._ring = ring or TownRing(rest_s=1.0)
        self._per_town = per_town or max(1, config.concurrency // 4)
        self._rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(config.concurrency, thread_name_prefix="line-send")
        self._dispatchers: dict[int, Dispatcher] = {}
        self._wake = threading.Event()

    @property
    def in_flight(self) -> int:
        return sum(d.in_flight for d in list(self._dispatchers.values()))

    def poke(self, town_id: int) -> None:
        """Messages were just queued for ``town_id``: look at it in the next round."""
        self._ring.poke(town_id)
        self._wake.set()

    def pump(self) -> int:
        """One round over the towns; returns how many sends finished or started."""
        self._ring.update(self._towns())
        busy = sum(self._pump_town(town) for town in self._ring.rotation())
        served = set(self._ring.towns)
        for town, dispatcher in list(self._dispatchers.items()):
            if town not in served:  # disabled or gone: finish what is in flight, then forget
                busy += dispatcher.pump(0)
                if not dispatcher.in_flight:
                    del self._dispatchers[town]
        return busy

    def _pump_town(self, town: int) -> int:
        dispatcher = self._dispatchers.get(town)
        limit = 0
        if self._ring.due(town):
            limit = min(self._config.concurrency - self.in_flight, self._per_town)
        try:
            if limit > 0:
                send = self._sender_of(town)
                if send is None:
                    self._ring.done(town, more=False)
                    limit = 0
                else:
                    dispatcher = dispatcher or self._add(town, send)
                    dispatcher.use_sender(send)
            if dispatcher is None or (limit == 0 and not dispatcher.in_flight):
                return 0
            done = dispatcher.pump(limit)
        except Exception:  # one town's trouble (its data, a DB hiccup) must not stop the rest
            log.exception("sending for town %s failed", town)
            self._ring.done(town, more=False)
            return 0
        if limit > 0:
            self._ring.done(town, more=not dispatcher.drained)
        return done

    def _add(self, town: int, send: Send) -> Dispatcher:
        apologise = None if self._apologise is None else self._apologise(town)
        dispatcher = Dispatcher(
            self._engine,
            town,
            send,
            self._config,
            self._clock,
            apologise=apologise,
            rng=self._rng,
            pool=self._pool,
        )
        self._dispatchers[town] = dispatcher
        return dispatcher

    def run(self, stop: threading.Event, idle_s: float) -> None:
        """Loop until ``stop``; a ``poke`` cuts an idle wait short."""
        while not stop.is_set():
            try:
                busy = self.pump()
            except Exception:  # a database restart must not end the sender
                log.exception("sender round failed")
                busy = 0
            futures = [f for d in list(self._dispatchers.values()) for f in d.futures]
            if futures:
                timeout = idle_s if busy == 0 else BUSY_WAIT_S
                wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
            elif busy == 0:
                self._wake.wait(max(BUSY_WAIT_S, self._ring.wait_s(idle_s)))
                self._wake.clear()

    def close(self, timeout_s: float = 15.0) -> None:
        """Finish and record the sends in flight (bounded by ``timeout_s``), stop the pool."""
        dispatchers = list(self._dispatchers.values())
        futures = [f for d in dispatchers for f in d.futures]
        if futures:
            wait(futures, timeout=timeout_s)
        for dispatcher in dispatchers:
            dispatcher.close(timeout_s=0)
        self._pool.shutdown(wait=False, cancel_futures=True)
