"""Photos yield to events: while the event threads have a backlog, photo turns only trickle."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from machi import worker_duties
from machi.worker_duties import Backlog, photos_loop


def test_a_full_event_turn_means_backlog_for_a_while() -> None:
    backlog = Backlog()
    assert not backlog.busy(100.0)
    backlog.saw_full_turn(100.0)
    assert backlog.busy(100.0 + worker_duties.BUSY_HOLD_S - 0.01)
    assert not backlog.busy(100.0 + worker_duties.BUSY_HOLD_S)


def _run_photos(monkeypatch: pytest.MonkeyPatch, backlog: Backlog, seconds: float) -> int:
    turns: list[float] = []

    def download(*_args: Any, **_kwargs: Any) -> int:
        turns.append(time.monotonic())
        return worker_duties.PHOTO_TURN  # always more waiting: take the town again at once

    monkeypatch.setattr(worker_duties, "download_pending_photos", download)
    monkeypatch.setattr(worker_duties, "PHOTO_TRICKLE_S", 0.25)
    stop = threading.Event()
    duties = SimpleNamespace(
        settings=SimpleNamespace(worker_poll_s=0.05),
        stop=stop,
        roster=SimpleNamespace(ids=lambda: [13202]),
        backlog=backlog,
        engine=None,
        clock=None,
    )
    fetchers = SimpleNamespace(get=lambda _town: object())
    thread = threading.Thread(target=photos_loop, args=(duties, fetchers))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    return len(turns)


def test_photos_trickle_while_events_wait_and_catch_up_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    busy = Backlog(busy_until=time.monotonic() + 60)
    trickled = _run_photos(monkeypatch, busy, 1.0)
    assert 2 <= trickled <= 6  # one turn per 0.25 s, not one per loop

    idle = _run_photos(monkeypatch, Backlog(), 1.0)
    assert idle > 4 * trickled  # no backlog: back to back
