"""The worker's duties besides sending, each serving the towns in turn (``rounds.TownRing``).

* events: ``settings.worker_event_threads`` threads; each turn takes the next town with events
  waiting and processes at most ``EVENT_TURN`` of them (claims are per event, in order per
  resident, so threads and processes share a town's backlog safely), then pokes the sender
  for that town;
* photos: at most ``PHOTO_TURN`` downloads of one town per turn, with the town's own token;
  while this process's event threads are at work, one photo turn per ``PHOTO_TRICKLE_S``
  only (``EventActivity``): a resident's reply waits for the CPU a photo takes, a photo can wait;
* upkeep: for every town, its collection calendar (daily), pickup reminders, and dropping
  dialogues left idle (every ``TIDY_EVERY``).

All database work runs inside ``town_scope`` of the town being served.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from api.line.processor import forget_idle_dialogues, process_pending_events
from machi.settings import Settings
from machi.worker_towns import TownRoster
from workflow.bookings.calendar import ensure_calendar
from workflow.bookings.reminders import queue_reminders
from workflow.db import Engine, session_scope, town_scope
from workflow.line.content import LineContentFetcher
from workflow.line.rounds import TownRing
from workflow.line.sender import TownClients
from workflow.line.towns_dispatch import TownsDispatcher
from workflow.reports.photos import download_pending_photos

log = logging.getLogger("machi.worker")
EVENT_TURN: Final = 10  # events of one town per thread turn: another town waits at most this
EVENT_REST_S: Final = 0.2  # a town without events is looked at again after this
PHOTO_TURN: Final = 5
CALENDAR_DAYS: Final = 56
TIDY_EVERY: Final = dt.timedelta(minutes=1)
MIN_WAIT_S: Final = 0.01
BUSY_HOLD_S: Final = 2.0  # events handled this recently mean "busy"
PHOTO_TRICKLE_S: Final = 2.0  # while busy, one photo turn (5 photos) per this many seconds


@dataclass
class EventActivity:
    """Whether this process's event threads have handled events lately.

    Re-encoding a phone photo takes about 50 ms of CPU (1478 x 1108 JPEG, ``clean_image``).
    In a disaster spike of 33 reports a second with a photo each, that is more than one of
    two cores, taken from the event turns that answer residents. So while residents are
    talking to the bot, photos trickle (2.5 a second per process: a tenth of a core; LINE
    keeps them and staff see them a little later) and go at full speed once the events stop.
    Gating on a backlog instead (full event turns) let photos burst whenever the queue was
    short for a moment, and in one of two runs the submit minute's lag p99 reached 22 s.
    Thread-safe: one float, written whole.
    """

    busy_until: float = 0.0

    def saw_events(self, now: float) -> None:
        self.busy_until = now + BUSY_HOLD_S

    def busy(self, now: float) -> bool:
        return now < self.busy_until


@dataclass
class Duties:
    """What every duty shares: the database, the towns, the sender to poke, the stop flag."""

    engine: Engine
    settings: Settings
    roster: TownRoster
    dispatcher: TownsDispatcher
    stop: threading.Event
    clock: Callable[[], dt.datetime]
    events: TownRing = field(init=False)
    activity: EventActivity = field(default_factory=EventActivity)

    def __post_init__(self) -> None:
        self.events = TownRing(rest_s=min(self.settings.worker_poll_s, EVENT_REST_S))


def events_loop(duties: Duties) -> None:
    """One event thread: serve the towns' inboxes in turn until stopped."""
    ring, stop = duties.events, duties.stop
    while not stop.is_set():
        ring.update(duties.roster.ids())
        town_id = ring.take()
        if town_id is None:
            stop.wait(max(MIN_WAIT_S, ring.wait_s(EVENT_REST_S)))
            continue
        done = _event_turn(duties, town_id)
        ring.done(town_id, more=done >= EVENT_TURN)
        if done:
            duties.activity.saw_events(time.monotonic())
        if done:
            duties.dispatcher.poke(town_id)


def _event_turn(duties: Duties, town_id: int) -> int:
    town = duties.roster.town(town_id)
    if town is None:
        return 0
    try:
        return process_pending_events(
            duties.engine,
            duties.settings,
            duties.clock,
            limit=EVENT_TURN,
            town_id=town.id,
            base_url=town.base_url,
            tidy=False,
        )
    except Exception:  # the worker must survive a DB restart; it logs and retries
        log.exception("event processing failed for town %s", town_id)
        return 0


def photos_loop(duties: Duties, fetchers: TownClients[LineContentFetcher]) -> None:
    """Download residents' photos, town by town, each with its own token, until stopped."""
    poll_s = duties.settings.worker_poll_s
    ring, stop = TownRing(rest_s=poll_s), duties.stop
    last_turn = 0.0
    while not stop.is_set():
        now = time.monotonic()
        if duties.activity.busy(now) and now - last_turn < PHOTO_TRICKLE_S:
            stop.wait(min(PHOTO_TRICKLE_S - (now - last_turn), BUSY_HOLD_S))
            continue
        last_turn = now
        ring.update(duties.roster.ids())
        town_id = ring.take()
        if town_id is None:
            stop.wait(max(MIN_WAIT_S, ring.wait_s(poll_s)))
            continue
        done = 0
        try:
            fetcher = fetchers.get(town_id)
            if fetcher is not None:
                done = download_pending_photos(
                    duties.engine,
                    duties.settings,
                    fetcher,
                    now=duties.clock,
                    limit=PHOTO_TURN,
                    town_id=town_id,
                )
        except Exception:
            log.exception("photo downloads failed for town %s", town_id)
        ring.done(town_id, more=done >= PHOTO_TURN)


@dataclass
class _Upkept:
    calendar: dict[int, dt.date] = field(default_factory=dict)
    tidied: dict[int, dt.datetime] = field(default_factory=dict)


def upkeep_loop(duties: Duties) -> None:
    """Calendar, reminders and idle dialogues of every town, every ``worker_poll_s``."""
    upkept = _Upkept()
    while not duties.stop.is_set():
        for town_id in duties.roster.ids():
            if duties.stop.is_set():
                break
            try:
                upkeep_town(duties, town_id, upkept)
            except Exception:
                log.exception("worker upkeep failed for town %s", town_id)
        duties.stop.wait(duties.settings.worker_poll_s)


def upkeep_town(duties: Duties, town_id: int, upkept: _Upkept | None = None) -> None:
    """One town's calendar (once a day), due reminders, and idle dialogues (now and then)."""
    upkept = upkept or _Upkept()
    now = duties.clock()
    today = now.date()
    if upkept.calendar.get(town_id) != today:
        with town_scope(town_id), session_scope(duties.engine) as session:
            ensure_calendar(session, town_id, today, CALENDAR_DAYS)
        upkept.calendar[town_id] = today
    if queue_reminders(duties.engine, town_id, now):
        duties.dispatcher.poke(town_id)
    tidied = upkept.tidied.get(town_id)
    if tidied is None or not tidied <= now < tidied + TIDY_EVERY:
        forget_idle_dialogues(duties.engine, town_id, now)
        upkept.tidied[town_id] = now
