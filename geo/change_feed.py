"""Listening for committed changes (``LISTEN machi_changes``, migration 0014).

A ``ChangeFeed`` holds one connection of its own in a daemon thread and hands every notice to
``on_change`` as a ``Change``. PostgreSQL sends a notice only when the transaction that made
it commits, so a cache that drops what a notice names never serves an answer older than the
last commit it heard of. Notices sent while nobody listens are lost: the feed reports
``on_live(False)`` when its connection breaks and ``on_live(True)`` once it listens again,
and a cache must forget everything at both (it may have missed changes in between).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import psycopg

CHANNEL: Final = "machi_changes"
REPORTS: Final = "reports"  # report rows of one town, within a box
CONFIG: Final = "config"  # departments, categories, districts (any town)
STAFF: Final = "staff"  # staff accounts (any town): identities, never map answers
ALL: Final = "all"  # anything (a TRUNCATE, or a notice that could not be read)
log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # west, south, east, north (lon/lat)


@dataclass(frozen=True)
class Change:
    kind: str  # REPORTS, CONFIG, STAFF or ALL
    town: int | None = None  # None: every town
    box: Box | None = None  # None: anywhere in the town

    def touches(self, town: int, box: Box | None) -> bool:
        """Whether this change may alter an answer about ``box`` (None: all) in ``town``."""
        if self.town is not None and self.town != town:
            return False
        if self.box is None or box is None:
            return True
        w, s, e, n = self.box
        return w <= box[2] and box[0] <= e and s <= box[3] and box[1] <= n


def parse_change(payload: str) -> Change:
    """The change a notice describes; anything unreadable is taken as ``ALL``."""
    try:
        data = json.loads(payload)
        kind = data["k"]
        if kind == REPORTS:
            raw = data.get("b")
            box: Box | None = None
            if raw is not None and None not in raw:  # the extent of rows with no location
                w, s, e, n = (float(v) for v in raw)
                box = (w, s, e, n)
            return Change(REPORTS, int(data["t"]), box)
        if kind in (CONFIG, STAFF):
            return Change(kind)
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable change notice %r: treated as a change to everything", payload)
    return Change(ALL)


class ChangeFeed:
    """One listening connection in a thread; reconnects after ``retry_s`` when it breaks."""

    def __init__(
        self,
        conninfo: str,
        on_change: Callable[[Change], None],
        on_live: Callable[[bool], None],
        retry_s: float = 1.0,
    ) -> None:
        self.conninfo, self.retry_s = conninfo, retry_s
        self.on_change, self.on_live = on_change, on_live
        self._stop = threading.Event()
        self._live = threading.Event()
        self._thread = threading.Thread(target=self._run, name="machi-change-feed", daemon=True)

    @property
    def live(self) -> bool:
        return self._live.is_set()

    def start(self) -> ChangeFeed:
        self._thread.start()
        return self

    def wait_live(self, timeout_s: float) -> bool:
        return self._live.wait(timeout_s)

    def stop(self, timeout_s: float = 3.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as error:  # noqa: BLE001 — whatever broke, caches must forget
                log.warning("change feed: %s; reconnecting in %.0f s", error, self.retry_s)
            finally:
                if self._live.is_set():
                    self._live.clear()
                    self.on_live(False)
            self._stop.wait(self.retry_s)

    def _listen(self) -> None:
        # Keepalives: a link that dies silently is noticed in about 10 s, not hours.
        with psycopg.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=3,
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
            application_name="machi change feed",
        ) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.on_live(True)  # the caches first: whoever waits for live finds them live
            self._live.set()
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=1.0):
                    self.on_change(parse_change(notice.payload))
