"""Photos yield to events: while the event threads are at work, photo turns only trickle."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from machi import worker_duties
from machi.worker_duties import EventActivity, photos_loop


def test_handled_events_mean_busy_for_a_while() -> None:
    activity = EventActivity()
    assert not activity.busy(100.0)
    activity.saw_events(100.0)
    assert activity.busy(100.0 + worker_duties.BUSY_HOLD_S - 0.01)
    assert not activity.busy(100.0 + worker_duties.BUSY_HOLD_S)


def _run_photos(monkeypatch: pytest.MonkeyPatch, activity: EventActivity, seconds: float) -> int:
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
        activity=activity,
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
    busy = EventActivity(busy_until=time.monotonic() + 60)
    trickled = _run_photos(monkeypatch, busy, 1.0)
    assert 2 <= trickled <= 6  # one turn per 0.25 s, not one per loop

    idle = _run_photos(monkeypatch, EventActivity(), 1.0)
    assert idle > 4 * trickled  # no events: back to back
