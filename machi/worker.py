"""The background worker: LINE events, LINE sending and upkeep, each in its own thread.

* events: claims stored webhook events one short transaction each (in order per resident,
  once, across any number of workers) and wakes the sender when it queued replies;
* sender: ``workflow.line.dispatcher.Dispatcher`` — concurrent sends over one kept-alive pool;
* upkeep: calendar, reminders, photo downloads (streamed, capped, with a timeout).

None waits for another: a slow or hanging LINE never holds back event processing, and a
burst of events never holds back sending. ``run_processes`` runs N such workers as child
processes (``machi worker --processes N``); they coordinate only through the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

from sqlalchemy import Engine

from api.line.notices import delivery_apology
from api.line.processor import process_pending_events
from geo.db import get_engine
from machi.settings import Settings
from workflow.bookings.calendar import ensure_calendar
from workflow.bookings.reminders import queue_reminders
from workflow.clock import now_tokyo
from workflow.db import session_scope
from workflow.line.content import LineContentFetcher
from workflow.line.dispatcher import DispatchConfig, Dispatcher
from workflow.line.failures import queue_apologies
from workflow.line.reports import load_dialogue_facts
from workflow.line.sender import LineSender, make_configuration
from workflow.reports.photos import download_pending_photos

log = logging.getLogger("machi.worker")
CALENDAR_DAYS = 56
EVENT_BATCH = 50
SENDER_IDLE_S = 0.2
RESTART_PAUSE_S = 2.0


def _now() -> dt.datetime:
    return now_tokyo()


def dispatch_config(settings: Settings) -> DispatchConfig:
    """The sender's knobs from the settings."""
    return DispatchConfig(
        concurrency=settings.line_send_concurrency,
        lease=dt.timedelta(seconds=settings.line_lease_s),
        horizon=dt.timedelta(seconds=settings.line_give_up_after_s),
        reply_margin=dt.timedelta(seconds=settings.line_send_timeout_s),
    )


def make_dispatcher(
    engine: Engine, settings: Settings, clock: Callable[[], dt.datetime]
) -> Dispatcher:
    """The production sender: SDK client, apologies in the resident catalogue's words."""
    configuration = make_configuration(
        settings.line_channel_access_token,
        settings.line_api_base,
        pool_size=settings.line_send_concurrency,
    )
    sender = LineSender(configuration, settings.line_send_timeout_s)
    municipality_id = settings.municipality_id

    def apologise(engine: Engine, now: dt.datetime) -> int:
        with session_scope(engine) as session:
            phone = load_dialogue_facts(session, municipality_id).phone
        return queue_apologies(
            engine, municipality_id, now, lambda receipts: delivery_apology(receipts, phone)
        )

    config = dispatch_config(settings)
    return Dispatcher(engine, municipality_id, sender, config, clock, apologise=apologise)


def run_worker(settings: Settings, stop: threading.Event | None = None) -> None:
    """Run the three loops until ``stop`` is set (or SIGINT/SIGTERM in the main thread)."""
    stop = stop or _stop_on_signals()
    engine = get_engine(settings.database_url, 8)
    wake = threading.Event()
    dispatcher = make_dispatcher(engine, settings, _now)
    loops = [
        threading.Thread(target=_events_loop, args=(engine, settings, stop, wake), name="events"),
        threading.Thread(target=dispatcher.run, args=(stop, wake, SENDER_IDLE_S), name="sender"),
        threading.Thread(target=_upkeep_loop, args=(engine, settings, stop, wake), name="upkeep"),
    ]
    log.info("worker started")
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()
    dispatcher.close()
    log.info("worker stopped")


def _events_loop(
    engine: Engine, settings: Settings, stop: threading.Event, wake: threading.Event
) -> None:
    while not stop.is_set():
        try:
            done = process_pending_events(engine, settings, _now, limit=EVENT_BATCH)
        except Exception:  # the worker must survive a DB restart; it logs and retries
            log.exception("event processing failed")
            done = 0
        if done:
            wake.set()
        else:
            stop.wait(min(settings.worker_poll_s, SENDER_IDLE_S))


def _upkeep_loop(
    engine: Engine, settings: Settings, stop: threading.Event, wake: threading.Event
) -> None:
    municipality_id = settings.municipality_id
    configuration = make_configuration(settings.line_channel_access_token, settings.line_api_base)
    fetcher = LineContentFetcher(configuration)
    last_calendar: dt.date | None = None
    while not stop.is_set():
        try:
            if last_calendar != _now().date():
                with session_scope(engine) as session:
                    ensure_calendar(session, municipality_id, _now().date(), CALENDAR_DAYS)
                last_calendar = _now().date()
            if queue_reminders(engine, municipality_id, _now()):
                wake.set()
            done = download_pending_photos(engine, settings, fetcher, now=_now)
        except Exception:
            log.exception("worker upkeep failed")
            done = 0
        if done == 0:
            stop.wait(settings.worker_poll_s)
    fetcher.close()


def run_processes(processes: int) -> int:
    """Run ``processes`` workers as child processes; restart one that dies; stop on a signal.

    The children read the same ``MACHI_*`` settings from the environment.
    """
    stop = _stop_on_signals()
    command = [sys.executable, "-m", "machi", "worker"]
    children = [subprocess.Popen(command) for _ in range(processes)]
    log.info("started %d worker processes", processes)
    while not stop.wait(1.0):
        for index, child in enumerate(children):
            if child.poll() is not None:
                log.error("worker process %s exited (%s); restarting", child.pid, child.returncode)
                time.sleep(RESTART_PAUSE_S)
                children[index] = subprocess.Popen(command)
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


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
