"""The process's fresh caches and the change feed that keeps them so (``workflow.fresh``).

Every cache made by ``fresh_cache`` hears each committed change this process's feed delivers,
and is live (serves and stores) only while at least one feed is up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from geo.change_feed import Change, ChangeFeed
from geo.db import libpq_conninfo
from workflow.fresh import FreshCache

V = TypeVar("V")

_caches: list[FreshCache[object]] = []
_feeds_live = 0
_state_lock = threading.Lock()


def fresh_cache(
    ttl_s: float, entries: int, kinds: frozenset[str], weigh: Callable[[V], int] | None = None
) -> FreshCache[V]:
    """A cache that every change feed of this process keeps fresh."""
    cache: FreshCache[V] = FreshCache(ttl_s, entries, kinds, weigh)
    _caches.append(cache)  # type: ignore[arg-type]
    return cache


def _hear(change: Change) -> None:
    for cache in _caches:
        cache.hear(change)


def _set_live(live: bool) -> None:
    global _feeds_live
    with _state_lock:
        _feeds_live += 1 if live else -1
        for cache in _caches:
            cache.set_live(_feeds_live > 0)


def start_change_feed(database_url: str) -> ChangeFeed:
    """Listen for committed changes of ``database_url`` in a thread; the caches serve meanwhile.

    Call ``stop()`` on the result when the process shuts down.
    """
    return ChangeFeed(libpq_conninfo(database_url), _hear, _set_live).start()
