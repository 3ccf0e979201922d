"""Rate limits per API key and per client address: a sliding window in this process.

Each web process counts on its own, so with ``machi serve --workers N`` a client may get up
to N times the limit; the limit protects the database from one noisy client, it is not a quota.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_S = 60.0
_PURGE_AT = 10_000  # distinct clients remembered before idle ones are forgotten


class TooManyRequestsError(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass
class RateLimiter:
    """At most ``per_minute`` hits per client in any 60 s; 0 turns the limit off."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, client: str) -> None:
        """Count one hit for ``client``; raise when it is over the limit (not counted then)."""
        if self.per_minute <= 0:
            return
        now = self.clock()
        if len(self._hits) > _PURGE_AT:
            self._forget_idle(now)
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - WINDOW_S:
            hits.popleft()
        if len(hits) >= self.per_minute:
            raise TooManyRequestsError(max(1, math.ceil(hits[0] + WINDOW_S - now)))
        hits.append(now)

    def _forget_idle(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or h[-1] <= now - WINDOW_S]:
            del self._hits[client]


def key_client(api_key: str) -> str:
    """The limiter's name for a key: its hash, so no key is kept in memory as sent."""
    return "key:" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:32]
