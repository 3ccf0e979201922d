"""The tile cache makes a missing tile once, however many clerks ask for it at the same time."""

from __future__ import annotations

import threading
import time

from workflow.maps.tiles import TileAnswer, _TtlCache


def test_concurrent_misses_make_the_tile_once() -> None:
    cache = _TtlCache(ttl_s=60, entries=8)
    made: list[int] = []

    def make() -> TileAnswer:
        made.append(1)
        time.sleep(0.2)  # a slow whole-city count
        return TileAnswer(b"tile", '"e"')

    answers: list[TileAnswer] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get_or_make("k", make)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert [a.body for a in answers] == [b"tile"] * 8


def test_an_expired_tile_is_made_again() -> None:
    cache = _TtlCache(ttl_s=0.05, entries=8)
    calls: list[int] = []

    def make() -> TileAnswer:
        calls.append(1)
        return TileAnswer(b"%d" % len(calls), '"e"')

    assert cache.get_or_make("k", make).body == b"1"
    assert cache.get_or_make("k", make).body == b"1"
    time.sleep(0.08)
    assert cache.get_or_make("k", make).body == b"2"
