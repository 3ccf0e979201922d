"""FreshCache: answers kept until a committed change touches them, never while deaf."""

from __future__ import annotations

import threading
import time

import pytest

from geo.change_feed import ALL, CONFIG, REPORTS, STAFF, Change, parse_change
from workflow.fresh import FreshCache

STREET = (139.400, 35.690, 139.404, 35.693)  # a street-level view in 立川市
INSIDE = (139.402, 35.691, 139.402, 35.691)  # a report in it
ELSEWHERE = (139.430, 35.720, 139.430, 35.720)  # 1 km away


def _live(ttl_s: float = 60.0, kinds: frozenset[str] = frozenset({REPORTS})) -> FreshCache[str]:
    cache: FreshCache[str] = FreshCache(ttl_s, 100, kinds)
    cache.set_live(True)
    return cache


def _stored(cache: FreshCache[str], key: str = "k", box: tuple[float, ...] = STREET) -> None:
    cache.put(key, 1, box, "answer", cache.begin())  # type: ignore[arg-type]
    assert cache.get(key) == "answer"


def test_nothing_is_kept_while_the_feed_is_not_listening() -> None:
    cache: FreshCache[str] = FreshCache(60.0, 100, frozenset({REPORTS}))
    assert cache.begin() is None
    cache.put("k", 1, STREET, "answer", cache.begin())
    assert cache.get("k") is None and len(cache) == 0


def test_a_change_in_the_area_drops_the_answer() -> None:
    cache = _live()
    _stored(cache)
    cache.hear(Change(REPORTS, 1, INSIDE))
    assert cache.get("k") is None


def test_changes_elsewhere_or_in_another_town_leave_it() -> None:
    cache = _live()
    _stored(cache)
    cache.hear(Change(REPORTS, 1, ELSEWHERE))
    cache.hear(Change(REPORTS, 2, INSIDE))  # same place, another town
    cache.hear(Change(CONFIG))  # a kind this cache does not follow
    assert cache.get("k") == "answer"


def test_the_version_moves_when_an_answer_is_kept_or_dropped_and_only_then() -> None:
    cache = _live()
    start = cache.version
    _stored(cache)
    kept = cache.version
    assert kept > start
    cache.get("k")
    cache.hear(Change(REPORTS, 1, ELSEWHERE))  # touches nothing kept
    cache.hear(Change(REPORTS, 2, INSIDE))  # another town
    assert cache.version == kept  # what a town put together from answers relies on
    cache.hear(Change(REPORTS, 1, INSIDE))
    dropped = cache.version
    assert dropped > kept and cache.get("k") is None
    cache.set_live(True)  # the feed came back: everything forgotten
    assert cache.version > dropped


def test_a_change_spanning_the_town_or_with_no_box_drops_it() -> None:
    for change in (
        Change(REPORTS, 1, (139.30, 35.60, 139.50, 35.80)),
        Change(REPORTS, 1, None),
        Change(ALL),
    ):
        cache = _live()
        _stored(cache)
        cache.hear(change)
        assert cache.get("k") is None, change


def test_an_answer_read_before_a_change_and_stored_after_it_is_refused() -> None:
    cache = _live()
    since = cache.begin()  # the request starts reading ...
    cache.hear(Change(REPORTS, 1, INSIDE))  # ... a change commits meanwhile ...
    cache.put("k", 1, STREET, "stale", since)  # ... and the old read would be stored
    assert cache.get("k") is None
    cache.put("far", 1, ELSEWHERE, "fine", since)  # that change does not touch this one
    assert cache.get("far") == "fine"


def test_losing_the_feed_forgets_everything_and_refuses_reads_in_flight() -> None:
    cache = _live()
    _stored(cache)
    since = cache.begin()
    cache.set_live(False)
    assert cache.get("k") is None
    cache.set_live(True)  # back, but notices sent meanwhile were lost
    cache.put("k", 1, STREET, "maybe stale", since)
    assert cache.get("k") is None


def test_answers_expire() -> None:
    cache = _live(ttl_s=0.05)
    _stored(cache)
    time.sleep(0.08)
    assert cache.get("k") is None


def test_wide_answers_are_dropped_by_any_change_in_them() -> None:
    cache = _live()
    town = (139.30, 35.60, 139.50, 35.80)  # too many cells: checked against every change
    _stored(cache, "town", town)
    _stored(cache, "street", STREET)
    cache.hear(Change(REPORTS, 1, ELSEWHERE))
    assert cache.get("town") is None and cache.get("street") == "answer"


def test_many_answers_one_change_drops_only_those_it_touches() -> None:
    cache: FreshCache[str] = FreshCache(60.0, 5000, frozenset({REPORTS}))
    cache.set_live(True)
    for i in range(40):
        for j in range(40):
            w, s = 139.35 + i * 0.0025, 35.68 + j * 0.0015
            cache.put((i, j), 1, (w, s, w + 0.0025, s + 0.0015), "a", cache.begin())
    assert len(cache) == 1600
    cache.hear(Change(REPORTS, 1, (139.3601, 35.6901, 139.3601, 35.6901)))
    assert len(cache) == 1599


@pytest.mark.parametrize(
    ("payload", "change"),
    [
        (
            '{"k": "reports", "t": 3, "b": [139.4, 35.6, 139.5, 35.7]}',
            Change(REPORTS, 3, (139.4, 35.6, 139.5, 35.7)),
        ),  # fmt: skip
        ('{"k": "reports", "t": 3, "b": [null, null, null, null]}', Change(REPORTS, 3, None)),
        ('{"k": "config"}', Change(CONFIG)),
        ('{"k": "staff"}', Change(STAFF)),
        ('{"k": "all"}', Change(ALL)),
        ("not json", Change(ALL)),
        ('{"k": "reports"}', Change(ALL)),
        ('{"k": "reports", "t": 1, "b": [1, 2]}', Change(ALL)),
    ],
)
def test_notices_are_read_and_unreadable_ones_mean_everything(payload: str, change: Change) -> None:
    assert parse_change(payload) == change


def test_clerks_asking_at_once_for_a_cold_answer_count_it_once() -> None:
    cache = _live()
    calls: list[int] = []
    release = threading.Event()

    def make() -> str:
        calls.append(1)
        release.wait(5)
        return "answer"

    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(cache.get_or_make("k", 1, STREET, make)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert answers == ["answer"] * 5 and len(calls) == 1


def test_answers_weighed_by_size_are_dropped_oldest_first_to_keep_within_entries() -> None:
    cache: FreshCache[str] = FreshCache(60.0, 10, frozenset({REPORTS}), len)
    cache.set_live(True)
    for key, value in (("a", "xxxx"), ("b", "yyyy"), ("c", "zz")):
        cache.put(key, 1, STREET, value, cache.begin())
    assert len(cache) == 3  # 4 + 4 + 2 = 10: all fit
    assert cache.get("a") == "xxxx"  # asked for: now the newest
    cache.put("d", 1, STREET, "www", cache.begin())  # 13 > 10: the least recently used goes
    assert cache.get("b") is None and [cache.get(k) for k in "acd"] == ["xxxx", "zz", "www"]
    cache.hear(Change(REPORTS, 1, INSIDE))  # dropped answers give their weight back
    cache.put("e", 1, STREET, "v" * 10, cache.begin())
    assert cache.get("e") == "v" * 10 and len(cache) == 1
    cache.put("f", 1, STREET, "u" * 12, cache.begin())  # heavier than all: kept alone
    assert cache.get("f") == "u" * 12 and len(cache) == 1


def test_the_changes_heard_after_a_number_are_those_touching_the_box_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = _live()
    since = cache.begin()
    assert since is not None and cache.heard_after(since, 1, STREET) == (since, [])
    near, other_town = Change(REPORTS, 1, INSIDE), Change(REPORTS, 2, INSIDE)
    far = Change(REPORTS, 1, ELSEWHERE)
    wide = Change(ALL, None, None)
    for change in (near, other_town, far, wide):
        cache.hear(change)
    assert cache.heard_after(since, 1, STREET) == (since + 4, [near, wide])
    assert cache.heard_after(since + 1, 1, STREET) == (since + 4, [wide])
    assert cache.heard_after(since + 1, 1, ELSEWHERE) == (since + 4, [far, wide])
    monkeypatch.setattr(cache, "_log", cache._log.__class__(list(cache._log)[-2:], maxlen=2))
    assert cache.heard_after(since, 1, STREET) is None  # older than the log holds
    cache.set_live(False)
    assert cache.heard_after(since + 4, 1, STREET) is None
