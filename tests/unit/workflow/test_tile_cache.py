"""Cell tiles of the whole city: an expired one is answered at once while a thread recounts it.

A kept one is answered without a session (the API asks on the event loop, before a thread).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from geo.report_queries import ReportFilter
from geo.tilegrid import Tile
from workflow.maps import tiles
from workflow.maps.tiles import TileAnswer, _TtlCache

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


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


def test_a_kept_city_tile_is_answered_without_a_session_and_only_while_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    f = ReportFilter(municipality_id=13202, department_id=1, now=NOW)
    tile = Tile(12, 3637, 1612)
    made: list[ReportFilter] = []

    def count(_session: object, own: ReportFilter, _tile: Tile) -> bytes:
        made.append(own)
        return b"cells of department 1"

    monkeypatch.setattr(tiles, "report_clusters_tile", count)
    tiles.forget_tiles()
    assert tiles.kept_report_tile(f, tile) is None  # not counted yet: a thread reads it
    assert tiles.read_report_tile(None, f, tile) == b"cells of department 1"  # type: ignore[arg-type]
    assert tiles.kept_report_tile(f, tile) == b"cells of department 1"
    assert tiles.kept_report_tile(replace(f, department_id=2), tile) is None
    assert tiles.kept_report_tile(f, Tile(12, 3637, 1613)) is None
    assert len(made) == 1
    tiles.forget_tiles()
    assert tiles.kept_report_tile(f, tile) is None
