"""Caches that are never staler than the last committed change they could show.

A ``FreshCache`` keeps answers (report points of a map tile or view, a staff identity) while
this process hears every committed change (``geo.change_feed``, one listening connection per
process), and drops an answer as soon as a change touches its town and area. While the feed
is down it neither serves nor stores anything, so a lost notice can never leave an answer
stale. Answers also expire after ``ttl_s``: some of what they show moves with the clock
(overdue flags).

An answer computed from a read that began before a change and stored after the change's
notice arrived would be stale; ``begin()`` returns the number of changes heard so far, and
``put()`` refuses an answer when a change heard since then touches it.

A cache may be kept warm (``keep_warm``): an expired answer is served while the keeper makes
it again, and an answer a change dropped is handed to the keeper (``Dropped``: what was kept
and where the change was, so it may patch the old one, ``patch``) if it was asked for in the
last ``RENEW_USED_S`` or the keeper's window for it; else every answer ever kept (a filter
tried once, a street nobody looks at now) was counted again at every change touching it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from geo.change_feed import ALL, Box, Change

V = TypeVar("V")
Window = Callable[[Hashable], float]  # seconds an answer counts as looked at, by key
CELL_DEG: Final = 0.01  # spatial buckets of about 1 km: a change looks only at nearby answers
WIDE_CELLS: Final = 64  # an answer or change spanning more cells is checked against all
LOG_SIZE: Final = 4096  # changes remembered for put(); an older begin() stores nothing
RENEW_MOST: Final = 64  # a change dropping more answers leaves them to be made when asked
RENEW_USED_S: Final = 60.0  # a dropped answer nobody asked for in this long is not made again


@dataclass
class _Entry(Generic[V]):
    value: V
    town: int
    box: Box | None
    expires: float
    cells: tuple[tuple[int, int], ...] | None  # None: wide (every change is checked)
    used: float  # when it was kept or last asked for (monotonic)
    weight: int = 1  # of the cache's ``entries`` it takes
    renewing: bool = False  # expired, and handed to the keeper to make again


@dataclass(frozen=True)
class Dropped(Generic[V]):
    """An answer handed to the keeper: expired, or dropped by a change."""

    key: Hashable
    town: int
    box: Box | None
    old: V | None = None  # what was kept, when a change dropped it
    touched: Box | None = None  # where that change was (None: expired, or anywhere in town)
    change: int = 0  # that change's number: ``old`` patched where it touched is current as of it
    used: float | None = None  # when it was last asked for (monotonic; None: just now)


def _cells(box: Box | None) -> tuple[tuple[int, int], ...] | None:
    if box is None:
        return None
    x0, y0 = int(box[0] // CELL_DEG), int(box[1] // CELL_DEG)
    x1, y1 = int(box[2] // CELL_DEG), int(box[3] // CELL_DEG)
    if (x1 - x0 + 1) * (y1 - y0 + 1) > WIDE_CELLS:
        return None
    return tuple((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))


class FreshCache(Generic[V]):
    """An LRU of answers about (town, box), dropped by the changes of ``kinds`` that touch them.

    ``weigh``: what an answer takes of ``entries`` (1 each when None), for answers of any size.
    """

    def __init__(
        self, ttl_s: float, entries: int, kinds: frozenset[str],
        weigh: Callable[[V], int] | None = None,
    ) -> None:  # fmt: skip
        self.ttl_s, self.entries, self.kinds = ttl_s, entries, kinds | {ALL}
        self._weigh, self._weight = weigh, 0
        self._items: OrderedDict[Hashable, _Entry[V]] = OrderedDict()
        self._by_cell: dict[tuple[int, int], set[Hashable]] = {}
        self._wide: set[Hashable] = set()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}
        self._heard = self.version = 0  # version: moves when any answer is kept or dropped
        self._log: deque[tuple[int, Change]] = deque(maxlen=LOG_SIZE)
        self._live = False
        self._keeper: Callable[[Dropped[V]], None] | None = None
        self._used_within: Window | None = None

    @property
    def live(self) -> bool:
        return self._live

    def begin(self) -> int | None:
        """Call before reading the database; hand the result to ``put``. None: not caching."""
        with self._lock:
            return self._heard if self._live else None

    def heard_after(
        self, since: int, town: int, box: Box | None
    ) -> tuple[int, list[Change]] | None:
        """The newest change number heard, and the changes after ``since`` touching ``box``.

        None: not caching, or ``since`` is older than the log holds. A keeper that counted a
        dropped answer again learns here what changed meanwhile, and where, so it can count
        just that again instead of the whole answer.
        """
        with self._lock:
            if not self._live or since < self._heard - len(self._log):
                return None
            touching = []
            for heard, change in reversed(self._log):
                if heard <= since:
                    break
                if change.touches(town, box):
                    touching.append(change)
            return self._heard, touching[::-1]

    def keep_warm(
        self, keeper: Callable[[Dropped[V]], None], used_within: Window | None = None
    ) -> None:
        """Hand expired and changed answers to ``keeper`` (it must not block).

        ``used_within(key)``: how lately an answer must have been asked for to be made again
        after a change (None: ``RENEW_USED_S``; called under the cache's lock: quick, no lock).
        """
        self._keeper, self._used_within = keeper, used_within

    def get(self, key: Hashable) -> V | None:
        renew = None
        with self._lock:
            entry = self._items.get(key)
            if entry is None or not self._live:
                return None
            now = time.monotonic()
            entry.used = now
            if entry.expires < now:
                if self._keeper is None or entry.expires + self.ttl_s < now:  # never renewed
                    self._drop(key)
                    return None
                if not entry.renewing:  # served while the keeper makes it again
                    entry.renewing, renew = True, entry
            self._items.move_to_end(key)
        if renew is not None and self._keeper is not None:
            self._keeper(Dropped(key, renew.town, renew.box))  # asked for: used now
        return entry.value

    def patch(
        self, key: Hashable, town: int, box: Box | None, make: Callable[[], V], since: int,
        used: float | None = None,
    ) -> bool:  # fmt: skip
        """Keep ``make()`` unless a change after number ``since`` touches it; False: not kept.

        A keeper's remake of a dropped answer from the old one (``Dropped.old``) and a count of
        where the change was: valid only if no later change touched the answer meanwhile, which
        the keeper is not told of (the answer was no longer kept). Requests wait for it.
        """
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            kept = self.put(key, town, box, make(), since, used)
        with self._lock:
            self._flights.pop(key, None)
        return kept

    def put(
        self, key: Hashable, town: int, box: Box | None, value: V, since: int | None,
        used: float | None = None,
    ) -> bool:  # fmt: skip
        """Keep ``value`` unless a change heard after ``since`` (``begin()``) touches it.

        ``used``: when it was last asked for, if not now (a keeper's remake after a change).

        Returns:
            Whether ``value`` was kept.
        """
        with self._lock:
            if since is None or not self._live or since < self._heard - len(self._log):
                return False
            for heard, change in reversed(self._log):
                if heard <= since:
                    break
                if change.touches(town, box):
                    return False
            self._drop(key)
            cells = _cells(box)
            now = time.monotonic()
            weight = 1 if self._weigh is None else self._weigh(value)
            expires = now + self.ttl_s
            asked = now if used is None else used
            self._items[key] = _Entry(value, town, box, expires, cells, asked, weight)
            self._weight += weight
            self.version += 1
            for cell in cells or ():
                self._by_cell.setdefault(cell, set()).add(key)
            if cells is None:
                self._wide.add(key)
            while self._weight > self.entries and len(self._items) > 1:
                self._drop(next(iter(self._items)))
        return True

    def get_or_make(self, key: Hashable, town: int, box: Box | None, make: Callable[[], V]) -> V:
        """The kept answer, or ``make()``'s; callers asking for a key being made wait for it.

        Many clerks opening the same cold street tile or block at once count it once.
        """
        hit = self.get(key)
        if hit is not None:
            return hit
        if not self._live:  # nothing will be kept, so nothing to share
            return make()
        return self._in_flight(key, town, box, make, reuse=True)

    def _in_flight(
        self, key: Hashable, town: int, box: Box | None, make: Callable[[], V], reuse: bool,
        used: float | None = None,
    ) -> V:  # fmt: skip
        """``make()`` and keep it, one caller per key at a time (``reuse``: a kept one first)."""
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            hit = self.get(key) if reuse else None
            if hit is None:
                since = self.begin()
                hit = make()
                self.put(key, town, box, hit, since, used)
        with self._lock:
            self._flights.pop(key, None)
        return hit

    def hear(self, change: Change) -> None:
        """Drop the answers ``change`` may alter (a committed change of one of ``kinds``)."""
        if change.kind not in self.kinds:
            return
        dropped = []
        now = time.monotonic()
        with self._lock:
            self._heard += 1
            self._log.append((self._heard, change))
            cells = _cells(change.box) if change.town is not None else None
            if cells is None:
                keys: set[Hashable] = set(self._items)
            else:
                keys = set(self._wide)
                for cell in cells:
                    keys |= self._by_cell.get(cell, set())
            for key in keys:
                entry = self._items.get(key)
                if entry is not None and change.touches(entry.town, entry.box):
                    self._drop(key)
                    within = self._used_within(key) if self._used_within else RENEW_USED_S
                    if now - entry.used > within:  # nobody looks: not worth a count
                        continue
                    dropped.append(Dropped(key, entry.town, entry.box, entry.value, change.box,
                                           self._heard, entry.used))  # fmt: skip
        if self._keeper is not None and len(dropped) <= RENEW_MOST:
            for gone in dropped:
                self._keeper(gone)

    def set_live(self, live: bool) -> None:
        """The feed came up or went down: forget everything (changes may have been missed)."""
        with self._lock:
            self._live = live
            self._heard += LOG_SIZE + 1  # every begin() before now stores nothing
            self.version += 1
            self._log.clear()
            self._items.clear()
            self._weight = 0
            self._by_cell.clear()
            self._wide.clear()

    def clear(self) -> None:
        """Forget every answer (and refuse those being computed)."""
        self.set_live(self._live)

    def __len__(self) -> int:
        return len(self._items)

    def _drop(self, key: Hashable) -> None:
        entry = self._items.pop(key, None)
        if entry is None:
            return
        self._weight -= entry.weight
        self.version += 1
        for cell in entry.cells or ():
            keys = self._by_cell.get(cell)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_cell[cell]
        self._wide.discard(key)
