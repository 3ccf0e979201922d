"""Tests for routing.convergence: when a phase counts as stalled."""

from __future__ import annotations

from routing.convergence import (
    QUIET_FLOOR_S,
    QUIET_SHARE,
    Watch,
    improved_markedly,
    start_progress,
)


def test_a_phase_without_gains_stops_after_the_floor() -> None:
    progress = start_progress(started=100.0, now=100.0, cost=1000)

    assert not progress.stalled(100.0 + QUIET_FLOOR_S / 2)
    assert progress.stalled(100.0 + QUIET_FLOOR_S)


def test_the_quiet_spell_grows_with_the_time_to_the_last_gain() -> None:
    progress = start_progress(started=0.0, now=0.0, cost=1000)
    progress.record(900, now=10.0)

    assert not progress.stalled(10.0 + QUIET_SHARE * 10 - 0.01)
    assert progress.stalled(10.0 + QUIET_SHARE * 10)


def test_tiny_gains_do_not_restart_the_quiet_spell() -> None:
    progress = start_progress(started=0.0, now=0.0, cost=100_000)
    progress.record(99_999, now=0.1)

    assert progress.best == 99_999
    assert progress.stalled(QUIET_FLOOR_S)
    assert improved_markedly(100_000, 99_000)
    assert not improved_markedly(100_000, 99_990)


def test_an_idle_watch_never_stops_a_search() -> None:
    watch = Watch()
    watch.note(5)

    assert not watch.limit_reached()
    watch.progress = start_progress(started=0.0, now=0.0, cost=10)
    assert watch.limit_reached()  # time.monotonic() is long past 0.2
