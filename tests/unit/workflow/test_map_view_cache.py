"""The town grid cache: an expired count is served while one thread counts the town again."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from geo.report_cells import CellCounts
from geo.report_queries import BBox, ReportFilter
from workflow.desk import map_view

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
CITY = BBox(139.3475, 35.6780, 139.4480, 35.7395)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    map_view._cache.clear()
    map_view._flights.clear()


def _slow_grid(calls: list[int], release: threading.Event) -> Any:
    """The town's counts: one cell in the middle of the city, holding 50,000 + the count no."""

    def grid(_session: object, _f: ReportFilter, _cell: object) -> list[CellCounts]:
        calls.append(1)
        release.wait(5)
        n = 50_000 + len(calls)
        return [CellCounts(71372, 22848, n, 139.4, 35.7, n, 0, 0, 0, 0, 0)]

    return grid


def _counted_town(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[list[int], threading.Event, ReportFilter]:
    """The town counted by ``_slow_grid`` (released), and a whole-city view of it."""
    calls: list[int] = []
    release = threading.Event()
    release.set()
    monkeypatch.setattr(map_view, "grid_cell_counts", _slow_grid(calls, release))
    return (
        calls,
        release,
        ReportFilter(municipality_id=13202, department_id=None, now=NOW, bbox=CITY),
    )


def _total(f: ReportFilter) -> int:
    return map_view.grid_view(None, f).total  # type: ignore[arg-type]


def test_an_expired_grid_is_answered_at_once_and_recomputed_once_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls, release, f = _counted_town(monkeypatch)
    assert _total(f) == 50_001
    key = replace(map_view._grid_key(f)[0], bbox=None)  # the town's counts, for any view
    expires, answer = map_view._cache[key]
    map_view._cache[key] = (time.monotonic() - 1, answer)  # expired a second ago

    release.clear()
    started = time.monotonic()
    for _ in range(5):  # the poll that fell due and the ones after it, while it recomputes
        assert _total(f) == 50_001
    assert time.monotonic() - started < 0.5  # nobody waited for the recompute
    while len(calls) < 2:
        time.sleep(0.01)
    release.set()
    deadline = time.monotonic() + 5
    while _total(f) != 50_002:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(calls) == 2  # one recompute for all of them
    assert not map_view._flights


def test_without_an_answer_to_serve_the_others_wait_for_the_one_recompute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    release = threading.Event()
    monkeypatch.setattr(map_view, "grid_cell_counts", _slow_grid(calls, release))
    f = ReportFilter(municipality_id=13202, department_id=None, now=NOW, bbox=CITY)
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(_total(f))) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert answers == [50_001] * 4
    assert len(calls) == 1


def test_the_kept_city_view_is_answered_without_a_session_and_only_when_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls, _, f = _counted_town(monkeypatch)
    assert map_view.kept_view(f, 1000, "auto") is None  # nothing counted yet: a thread reads
    assert _total(f) == 50_001
    kept = map_view.kept_view(f, 1000, "auto")
    assert kept is not None and kept.mode == "grid" and kept.total == 50_001
    assert map_view.kept_view(f, 1000, "points") is None  # points are read, never cut from counts
    assert map_view.kept_view(f, 60_000, "auto") is None  # may be few enough for points
    other = replace(f, department_id=2)  # another department's scope is its own count
    assert map_view.kept_view(other, 1000, "auto") is None
    assert len(calls) == 1
