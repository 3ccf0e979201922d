"""The background worker: LINE events, LINE sending and upkeep for every town, in threads.

* events: ``MACHI_WORKER_EVENT_THREADS`` threads claim stored webhook events, one short
  transaction each (in order per resident, once, across any number of workers), taking the
  towns in turn a few events at a time, and wake the sender for the town that got replies;
* sender: ``workflow.line.towns_dispatch.TownsDispatcher`` — concurrent sends over one pool
  of threads, the towns in turn, each town with its own kept-alive client and access token;
* photos: downloads (streamed, capped, with a timeout), the towns in turn, each town's token;
* upkeep: each town's calendar, reminders and idle dialogues.

None waits for another: a slow or hanging LINE never holds back event processing, a burst of
events never holds back sending, and a spike in one town delays another by one small batch.
Every duty works for one town at a time inside ``town_scope`` (row-level security).
``run_processes`` runs N such workers as child processes (``machi worker --processes N``);
they coordinate only through the database.

The towns come from ``machi.worker_towns.town_source`` (the town registry's active towns, each
with its own LINE token) through a ``TownRoster`` that reads them again every 30 s.
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
from geo.db import get_engine
from machi.settings import Settings
from machi.worker_duties import Duties, events_loop, photos_loop, upkeep_loop
from machi.worker_towns import TownRoster, TownSource, town_source
from workflow.clock import now_tokyo
from workflow.db import session_scope, town_scope
from workflow.line.content import LineContentFetcher
from workflow.line.dispatcher import Chore, DispatchConfig
from workflow.line.failures import queue_apologies
from workflow.line.reports import load_dialogue_facts
from workflow.line.rounds import TownRing
from workflow.line.sender import LineSender, TownClients, make_configuration
from workflow.line.towns_dispatch import TownsDispatcher

log = logging.getLogger("machi.worker")
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


def apologiser(town_id: int) -> Chore:
    """The chore that queues apologies for a town's given-up messages, with its phone number."""

    def apologise(engine: Engine, now: dt.datetime) -> int:
        with town_scope(town_id), session_scope(engine) as session:
            phone = load_dialogue_facts(session, town_id).phone
        return queue_apologies(
            engine, town_id, now, lambda receipts: delivery_apology(receipts, phone)
        )

    return apologise


def line_senders(settings: Settings, roster: TownRoster) -> TownClients[LineSender]:
    """One kept-alive SDK client per town, with the town's access token."""

    def make(token: str) -> LineSender:
        configuration = make_configuration(
            token, settings.line_api_base, pool_size=settings.line_send_concurrency
        )
        return LineSender(configuration, settings.line_send_timeout_s)

    return TownClients(roster.access_token, make, "sending")


def content_fetchers(settings: Settings, roster: TownRoster) -> TownClients[LineContentFetcher]:
    """One content client per town (photo downloads), with the town's access token."""

    def make(token: str) -> LineContentFetcher:
        return LineContentFetcher(make_configuration(token, settings.line_api_base))

    return TownClients(roster.access_token, make, "photo downloads")


def make_dispatcher(
    engine: Engine,
    settings: Settings,
    roster: TownRoster,
    senders: TownClients[LineSender],
    clock: Callable[[], dt.datetime],
) -> TownsDispatcher:
    """The production sender: every town's SDK client, apologies in the resident's words."""
    ring = TownRing(rest_s=SENDER_IDLE_S)
    config = dispatch_config(settings)
    return TownsDispatcher(
        engine, roster.ids, senders.get, config, clock, apologise=apologiser, ring=ring
    )


def run_worker(
    settings: Settings, stop: threading.Event | None = None, towns: TownSource | None = None
) -> None:
    """Run the duties until ``stop`` is set (or SIGINT/SIGTERM in the main thread).

    Args:
        settings: the worker's settings.
        stop: set it to stop; default: stop on a signal.
        towns: the towns to serve (default: ``town_source``).
    """
    stop = stop or _stop_on_signals()
    threads = settings.worker_event_threads
    engine = get_engine(settings.database_url, threads + 4)
    roster = TownRoster(towns or town_source(engine, settings))
    senders, fetchers = line_senders(settings, roster), content_fetchers(settings, roster)
    dispatcher = make_dispatcher(engine, settings, roster, senders, _now)
    duties = Duties(engine, settings, roster, dispatcher, stop, _now)
    loops = [
        threading.Thread(target=events_loop, args=(duties,), name=f"events-{n + 1}")
        for n in range(threads)
    ]
    loops += [
        threading.Thread(target=dispatcher.run, args=(stop, SENDER_IDLE_S), name="sender"),
        threading.Thread(target=photos_loop, args=(duties, fetchers), name="photos"),
        threading.Thread(target=upkeep_loop, args=(duties,), name="upkeep"),
    ]
    log.info("worker started (%d event threads)", threads)
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.join()
    dispatcher.close()
    senders.close()
    fetchers.close()
    log.info("worker stopped")


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
