"""Round-robin over the towns for one worker duty (events, sending, photos): who is served next.

Every turn serves the town after the one served last, so a town with a backlog of thousands
takes one small batch and then waits for every other town with work to take one: a spike in
one town delays another town's work by at most one batch per worker thread. A town whose turn
found nothing to do rests for ``rest_s``, or longer with many towns: idle towns are looked at
no more than ``max_polls_per_s`` times a second in all (each look is a query or two), so a
deployment of hundreds of quiet towns does not poll the database in a tight loop. ``poke``
ends a rest at once (replies just queued).

Thread-safe: several threads take turns from one ring (the events duty), and a town may be
served by more than one of them at a time (each claims its own rows).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence


class TownRing:
    """The towns of one duty in a fixed order, a cursor, and which towns rest until when."""

    def __init__(
        self,
        rest_s: float,
        max_polls_per_s: float = 100.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rest_s = rest_s
        self._max_polls_per_s = max_polls_per_s
        self._clock = clock
        self._lock = threading.Lock()
        self._towns: list[int] = []
        self._cursor = 0
        self._resting: dict[int, float] = {}  # town -> monotonic time its rest ends

    def update(self, towns: Sequence[int]) -> None:
        """Serve exactly ``towns`` from now on (new towns are due at once)."""
        with self._lock:
            if list(towns) == self._towns:
                return
            current = self._towns[self._cursor] if self._towns else None
            self._towns = list(towns)
            self._resting = {t: due for t, due in self._resting.items() if t in towns}
            self._cursor = self._towns.index(current) if current in self._towns else 0

    @property
    def towns(self) -> list[int]:
        with self._lock:
            return list(self._towns)

    def take(self) -> int | None:
        """The next town that does not rest (the cursor moves past it), or None."""
        with self._lock:
            now = self._clock()
            count = len(self._towns)
            for step in range(count):
                index = (self._cursor + step) % count
                town = self._towns[index]
                if self._resting.get(town, 0.0) <= now:
                    self._cursor = (index + 1) % count
                    return town
            return None

    def rotation(self) -> list[int]:
        """Every town, starting one further than the last rotation did (one loop's round)."""
        with self._lock:
            count = len(self._towns)
            if count == 0:
                return []
            start = self._cursor % count
            self._cursor = (start + 1) % count
            return self._towns[start:] + self._towns[:start]

    def due(self, town: int) -> bool:
        """True when ``town`` does not rest."""
        with self._lock:
            return self._resting.get(town, 0.0) <= self._clock()

    def done(self, town: int, more: bool) -> None:
        """After a turn: ``more`` (the batch was full) keeps it due, else it rests."""
        with self._lock:
            if more:
                self._resting.pop(town, None)
            else:
                rest = max(self._rest_s, len(self._towns) / self._max_polls_per_s)
                self._resting[town] = self._clock() + rest

    def poke(self, town: int) -> None:
        """Work just arrived for ``town``: end its rest."""
        with self._lock:
            self._resting.pop(town, None)

    def wait_s(self, cap: float) -> float:
        """How long until a town is due again (at most ``cap``; 0 when one is due now)."""
        with self._lock:
            now = self._clock()
            ends = [self._resting.get(t, 0.0) for t in self._towns]
        if not ends:
            return cap
        return max(0.0, min(cap, min(ends) - now))
