"""Each desk's opening map, counted ahead when a web process starts.

Every clerk's first view is the whole town with no filter. At a million reports counting it
takes about a second, and a process that was just (re)started had every clerk who opened the
map in its first seconds wait for that count, several of them for several scopes: in the
map bench the first 20 s after a start answered at p95 0.5-2 s. Once the process hears
changes, its block keeper counts each department's opening view, and the admins' (every
department), of every active town with at least ``WARM_MIN_REPORTS`` reports; smaller towns
are counted in milliseconds when asked.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo.change_feed import ChangeFeed
from geo.db import town_scope
from geo.report_queries import ReportFilter, count_reports
from geo.trend_queries import departments
from workflow.clock import now_tokyo
from workflow.desk.map_view import warm_city_view
from workflow.towns.registry import list_towns

WARM_MIN_REPORTS: Final = 5_000
LIVE_WAIT_S: Final = 30.0
log = logging.getLogger(__name__)


def warm_opening_views(engine: Engine) -> int:
    """Queue the opening view of every desk of every large enough town; how many were queued."""
    with Session(engine) as session:
        towns = [town.id for town in list_towns(session)]
    queued = 0
    for town in towns:
        with town_scope(town), Session(engine) as session:
            everything = ReportFilter(town, None, now_tokyo())
            if count_reports(session, everything, cap=WARM_MIN_REPORTS) < WARM_MIN_REPORTS:
                continue
            for department in [None, *(d.id for d in departments(session, town))]:
                queued += warm_city_view(session, ReportFilter(town, department, now_tokyo()))
    return queued


def warm_when_live(engine: Engine, feed: ChangeFeed) -> threading.Thread:
    """In a thread: wait until ``feed`` hears changes, then ``warm_opening_views``."""

    def run() -> None:
        if not feed.wait_live(LIVE_WAIT_S):
            return  # deaf: nothing would be kept; views are counted when asked
        try:
            queued = warm_opening_views(engine)
            log.info("opening map views queued to be counted ahead: %d", queued)
        except Exception:  # noqa: BLE001 — logged; the views are counted when asked instead
            log.exception("counting the opening map views ahead failed")

    thread = threading.Thread(target=run, name="machi-warm-maps", daemon=True)
    thread.start()
    return thread
