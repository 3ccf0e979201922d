"""FreshCache with a keeper: expired answers served while made again, changed ones handed on."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable

import pytest

from geo.change_feed import REPORTS, Box, Change
from workflow import fresh
from workflow.fresh import Dropped, FreshCache

STREET = (139.400, 35.690, 139.404, 35.693)
INSIDE = (139.402, 35.691, 139.402, 35.691)
ELSEWHERE = (139.430, 35.720, 139.430, 35.720)


class Keeper:
    def __init__(self) -> None:
        self.handed: list[tuple[Hashable, int, Box | None]] = []
        self.dropped: list[Dropped[str]] = []

    def __call__(self, gone: Dropped[str]) -> None:
        self.handed.append((gone.key, gone.town, gone.box))
        self.dropped.append(gone)


def _kept(ttl_s: float = 60.0) -> tuple[FreshCache[str], Keeper]:
    cache: FreshCache[str] = FreshCache(ttl_s, 100, frozenset({REPORTS}))
    cache.set_live(True)
    keeper = Keeper()
    cache.keep_warm(keeper)
    cache.put("k", 1, STREET, "old", cache.begin())
    return cache, keeper


def test_an_expired_answer_is_served_once_handed_to_the_keeper() -> None:
    cache, keeper = _kept(ttl_s=0.05)
    time.sleep(0.08)
    assert [cache.get("k") for _ in range(3)] == ["old"] * 3
    assert keeper.handed == [("k", 1, STREET)]  # once, not per request
    assert cache.patch("k", 1, STREET, lambda: "new", cache.begin() or 0)
    assert cache.get("k") == "new"


def test_an_expired_answer_never_made_again_is_dropped_after_a_second_ttl() -> None:
    cache, keeper = _kept(ttl_s=0.05)
    time.sleep(0.12)
    assert cache.get("k") is None and keeper.handed == []


def test_a_change_drops_the_answer_and_hands_it_to_the_keeper() -> None:
    cache, keeper = _kept()
    cache.hear(Change(REPORTS, 1, ELSEWHERE))
    assert keeper.handed == [] and cache.get("k") == "old"
    cache.hear(Change(REPORTS, 1, INSIDE))
    assert cache.get("k") is None  # never the stale answer after a change
    assert keeper.handed == [("k", 1, STREET)]
    gone = keeper.dropped[0]
    assert (gone.old, gone.touched) == ("old", INSIDE)  # what was kept, and where it changed


def test_an_expired_answer_is_handed_on_without_what_was_kept() -> None:
    cache, keeper = _kept(ttl_s=0.05)
    time.sleep(0.08)
    cache.get("k")
    assert (keeper.dropped[0].old, keeper.dropped[0].touched) == (None, None)  # count it all


def test_a_patch_is_kept_unless_a_later_change_touched_the_answer() -> None:
    cache, keeper = _kept()
    cache.hear(Change(REPORTS, 1, INSIDE))
    since = keeper.dropped[0].change
    assert cache.patch("k", 1, STREET, lambda: "patched", since)
    assert cache.get("k") == "patched"
    cache.hear(Change(REPORTS, 1, INSIDE))
    since = keeper.dropped[1].change
    cache.hear(Change(REPORTS, 1, ELSEWHERE))  # later, but elsewhere: no matter
    assert cache.patch("k", 1, STREET, lambda: "patched again", since)
    cache.hear(Change(REPORTS, 1, INSIDE))
    since = keeper.dropped[2].change
    cache.hear(Change(REPORTS, 1, INSIDE))  # no longer kept, so the keeper is not told
    assert len(keeper.dropped) == 3
    assert not cache.patch("k", 1, STREET, lambda: "missing the later change", since)
    assert cache.get("k") is None


def test_a_request_for_an_answer_being_remade_waits_for_it() -> None:
    cache, _keeper = _kept()
    cache.hear(Change(REPORTS, 1, INSIDE))
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "new"

    remaking = threading.Thread(
        target=lambda: cache.patch("k", 1, STREET, slow, cache.begin() or 0)
    )
    remaking.start()
    assert started.wait(5)
    answers: list[str] = []
    asking = threading.Thread(
        target=lambda: answers.append(cache.get_or_make("k", 1, STREET, lambda: "counted"))
    )
    asking.start()
    time.sleep(0.1)
    assert answers == []  # waiting for the keeper's count, not counting again
    release.set()
    remaking.join(5)
    asking.join(5)
    assert answers == ["new"]


def test_a_remade_answer_that_a_later_change_touches_is_not_kept() -> None:
    cache, _keeper = _kept()

    def counted_before_a_change() -> str:
        cache.hear(Change(REPORTS, 1, INSIDE))  # commits while the keeper reads
        return "stale"

    assert not cache.patch("k", 1, STREET, counted_before_a_change, cache.begin() or 0)
    assert cache.get("k") is None


def test_a_dropped_answer_nobody_asked_for_lately_is_not_made_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fresh, "RENEW_USED_S", 0.05)
    cache, keeper = _kept()
    cache.hear(Change(REPORTS, 1, INSIDE))
    assert len(keeper.dropped) == 1  # kept just now: made again
    cache.patch("k", 1, STREET, lambda: "again", cache.begin() or 0, keeper.dropped[0].used)
    time.sleep(0.08)  # the keeper's count is not a request: it does not count as asked for
    cache.hear(Change(REPORTS, 1, INSIDE))
    assert len(keeper.dropped) == 1 and cache.get("k") is None  # dropped, not made again

    cache.put("k", 1, STREET, "counted for a clerk", cache.begin())
    time.sleep(0.08)
    assert cache.get("k") == "counted for a clerk"  # asked for now
    cache.hear(Change(REPORTS, 1, INSIDE))
    assert len(keeper.dropped) == 2


def test_the_keeper_may_say_how_lately_each_answer_must_have_been_asked_for() -> None:
    cache, keeper = _kept()
    cache.keep_warm(keeper, used_within=lambda key: 60.0 if key == "wide" else 0.05)
    cache.put("wide", 1, STREET, "old", cache.begin())
    time.sleep(0.08)  # neither asked for since
    cache.hear(Change(REPORTS, 1, INSIDE))
    assert [gone.key for gone in keeper.dropped] == ["wide"]  # "k" is left to be asked for
    assert cache.get("k") is None and cache.get("wide") is None  # neither served stale
