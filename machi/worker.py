"""The background worker: everything that must not run inside a web request.

Each round, in this order: keep the collection calendar topped up (once a day), run the
dialogue for stored LINE webhook events (``api.line.processor``), queue the pickup reminders
(``workflow.bookings.reminders``), send the due outbox messages (``workflow.line.outbox``:
replies while their tokens are fresh, pushes with retries) and download residents' photos
from LINE (``workflow.reports.photos``). It sleeps ``worker_poll_s`` when a round did nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from types import FrameType

from api.line.processor import process_pending_events
from geo.db import get_engine
from machi.settings import Settings
from workflow.bookings.calendar import ensure_calendar
from workflow.bookings.reminders import queue_reminders
from workflow.clock import now_tokyo
from workflow.db import session_scope
from workflow.line.content import LineContentFetcher
from workflow.line.outbox import dispatch_due
from workflow.line.sender import LineSender, make_configuration
from workflow.reports.photos import download_pending_photos

log = logging.getLogger("machi.worker")
CALENDAR_DAYS = 56


def _now() -> dt.datetime:
    return now_tokyo()


def run_worker(settings: Settings, stop: threading.Event | None = None) -> None:
    """Loop until ``stop`` is set (or SIGINT/SIGTERM when run as the main thread)."""
    stop = stop or _stop_on_signals()
    engine = get_engine(settings.database_url, 4)
    configuration = make_configuration(settings.line_channel_access_token, settings.line_api_base)
    sender = LineSender(configuration)
    fetcher = LineContentFetcher(configuration)
    municipality_id = settings.municipality_id
    last_calendar: dt.date | None = None
    log.info("worker started")
    while not stop.is_set():
        try:
            if last_calendar != _now().date():
                with session_scope(engine) as session:
                    ensure_calendar(session, municipality_id, _now().date(), CALENDAR_DAYS)
                last_calendar = _now().date()
            # Events first, then their replies (reply tokens age), then photo downloads.
            done = process_pending_events(engine, settings, _now)
            done += queue_reminders(engine, municipality_id, _now())
            done += dispatch_due(engine, sender, _now)
            done += download_pending_photos(engine, settings, fetcher, now=_now)
        except Exception:  # the worker must survive a DB restart; it logs and retries
            log.exception("worker iteration failed")
            done = 0
        if done == 0:
            stop.wait(settings.worker_poll_s)
    log.info("worker stopped")


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)
    return stop


def wait_forever() -> None:  # pragma: no cover - used only by `machi serve` supervisors
    while True:
        time.sleep(3600)
