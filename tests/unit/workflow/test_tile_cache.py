"""Cell tiles of the whole city: an expired one is answered at once while a thread recounts it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from workflow.maps.tiles import TileAnswer, _TtlCache


def test_an_expired_tile_is_answered_while_one_background_recount_runs() -> None:
    cache = _TtlCache(ttl_s=0.05, entries=10, stale_s=60.0)
    cache.get_or_make("city", lambda: TileAnswer(b"old", '"1"'))
    time.sleep(0.08)  # expired
    release, started = threading.Event(), []

    def later(keep: Callable[[TileAnswer], None], done: Callable[[], None]) -> None:
        started.append(1)

        def run() -> None:
            release.wait(5)
            keep(TileAnswer(b"new", '"2"'))
            done()

        threading.Thread(target=run).start()

    def never() -> TileAnswer:
        raise AssertionError("a stale entry is not made in the request")

    began = time.monotonic()
    answers = [cache.get_or_make("city", never, later).body for _ in range(5)]
    assert answers == [b"old"] * 5 and time.monotonic() - began < 0.5
    assert started == [1]  # one recount for all of them
    release.set()
    deadline = time.monotonic() + 5
    while cache.get_or_make("city", never, later).body != b"new":
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_without_an_answer_to_serve_the_request_makes_it() -> None:
    cache = _TtlCache(ttl_s=10.0, entries=10, stale_s=60.0)

    def later(keep: Callable[[TileAnswer], None], done: Callable[[], None]) -> None:
        raise AssertionError("nothing stale to answer with")

    assert cache.get_or_make("city", lambda: TileAnswer(b"made", '"1"'), later).body == b"made"
