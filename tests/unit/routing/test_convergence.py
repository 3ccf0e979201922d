"""Tests for routing.convergence: when a phase counts as stalled."""

from __future__ import annotations

from routing.convergence import (
    MARKED_GAIN,
    WINDOW_FLOOR_S,
    WINDOW_SHARE,
    Watch,
    first_window_s,
    improved_markedly,
    start_progress,
)


def test_a_phase_without_gains_stops_after_the_floor() -> None:
    progress = start_progress(started=100.0, now=100.0, cost=1000)

    assert not progress.stalled(100.0 + WINDOW_FLOOR_S / 2)
    assert progress.stalled(100.0 + WINDOW_FLOOR_S)


def test_a_late_phase_gets_a_window_that_grows_with_the_search() -> None:
    progress = start_progress(started=0.0, now=9.0, cost=1000)

    assert progress.stop_at == 9.0 / (1 - WINDOW_SHARE)  # the window then is a share of it all
    progress.record(900, now=10.0)
    assert progress.stop_at == 10.0 / (1 - WINDOW_SHARE)


def test_small_gains_do_not_keep_a_phase_going() -> None:
    progress = start_progress(started=0.0, now=0.0, cost=100_000)
    progress.record(90_000, now=4.0)
    progress.record(90_000 * (1 - MARKED_GAIN / 2), now=5.0)  # within the gain of 4 s' best

    assert progress.best < 90_000
    assert progress.stop_at == 4.0 / (1 - WINDOW_SHARE)
    assert improved_markedly(100_000, 100_000 * (1 - 2 * MARKED_GAIN))
    assert not improved_markedly(100_000, 100_000 * (1 - MARKED_GAIN / 2))


def test_an_idle_watch_never_stops_a_search() -> None:
    watch = Watch()
    watch.note(5)

    assert not watch.limit_reached()
    watch.progress = start_progress(started=0.0, now=0.0, cost=10)
    assert watch.limit_reached()  # time.monotonic() is long past 0.2


def test_a_large_problem_gets_a_longer_first_window() -> None:
    small = start_progress(started=0.0, now=0.0, cost=10, stops=3)
    large = start_progress(started=0.0, now=0.0, cost=10, stops=500)

    assert small.stop_at == WINDOW_FLOOR_S
    assert large.stop_at == first_window_s(500) > 10 * WINDOW_FLOOR_S
    large.record(5, now=6.0)  # after its first window a phase gets the usual one
    assert large.stop_at == 6.0 / (1 - WINDOW_SHARE)
