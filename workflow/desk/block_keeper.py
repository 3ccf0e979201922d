"""Blocks of street grid counts kept counted ahead of the clerks, by one thread per process.

``workflow.desk.grid_blocks`` composes a street view's grid from blocks of cells, but a block
nobody has counted yet, or one a change dropped, was counted by the clerk's own request: with
a million reports a pan over 27,000 of them waited 100-300 ms for 6-12 block counts, and on
two cores those counts slowed every base tile beside them. The keeper moves that work off the
request path:

- the first street view of a scope (a filter, department included) counts every block of its
  town in one query, in the background (``count_town_blocks``; 0.65 s at a million reports);
- a block that a committed change dropped is made again at once if a view asked for it
  lately (``_used_within``), so the next pan finds it or waits for that one count, never
  for a stale answer: from the dropped block and a count of the cells the change touched
  (``recount_cells``; one cell of a status change reads a few hundred reports where the
  block held ten thousand), or counted whole when the change spread over many cells;
- a block past the cache's TTL (overdue flags move with the clock) is still served while the
  town's blocks are counted again, at most once per TTL and scope.

Requests that find a block missing still count it themselves (``FreshCache.get_or_make``), so
nothing waits on the keeper; it only makes misses rare. One thread does all the counting, so
it never takes more than one database connection and one core's share at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import replace
from typing import Final

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from geo.db import town_scope
from geo.report_queries import ReportFilter
from geo.town_grid import BASE_CELL
from workflow.clock import now_tokyo
from workflow.db import one_core
from workflow.desk.block_redo import (
    PATCH_MOST,
    Patch,
    Redo,
    Spot,
    redo_after,
    size,
    union,
    whole_block,
)
from workflow.desk.grid_blocks import (
    Block,
    CellRange,
    block_area,
    block_key,
    count_block,
    count_town_blocks,
    recount_cells,
    touched_cells,
)
from workflow.fresh import RENEW_USED_S, Dropped, FreshCache

WIDE_USED_S: Final = 180.0  # a town's wide blocks are counted again this long after a look
QUEUE_MOST: Final = 1024  # blocks waiting beyond this are counted when a clerk asks
WARM_SHARE: Final = 0.75  # a scope's town is counted again after this share of the TTL
log = logging.getLogger(__name__)
Cell = tuple[float, float]
Task = tuple[str, ReportFilter, Cell, int, int]  # ("town" or "block", scope, cell, bx, by)
Extent = tuple[int, int, int, int]  # first and last block column, first and last block row
ROUNDS_MOST: Final = 8  # counts of one changed block before it is left for a view to ask again


class BlockKeeper:
    """Counts blocks of ``cache`` in a thread of its own: whole towns, and changed blocks."""

    def __init__(self, cache: FreshCache[Block]) -> None:
        self._cache = cache
        self._bind: Engine | Connection | None = None
        self._wake = threading.Condition()
        self._queue: deque[Task] = deque()
        self._queued: set[Task] = set()
        self._warmed: dict[tuple[ReportFilter, Cell], float] = {}
        self._extents: dict[tuple[ReportFilter, Cell], Extent] = {}
        self._redo: dict[tuple[ReportFilter, Cell, int, int], Redo] = {}
        self._thread: threading.Thread | None = None
        self._unasked: set[tuple[ReportFilter, Cell]] = set()  # counted ahead, not looked at
        cache.keep_warm(self._renew, self._used_within)

    def warm(self, session: Session, scope: ReportFilter, cell: Cell, asked: bool = True) -> None:
        """Have every block of ``scope``'s town counted, unless that was done lately.

        Args:
            session: the request's session; the keeper reads on its engine.
            scope: the filter without bbox and clock (as blocks are keyed).
            cell: the cell size in lon/lat degrees.
            asked: by a view (False: ahead; made again after a change for a minute only).
        """
        self._bind = session.get_bind()
        with self._wake:
            if asked:
                self._unasked.discard((scope, cell))
            elif (scope, cell) not in self._warmed:
                self._unasked.add((scope, cell))
            self._warm_locked(scope, cell)

    @staticmethod
    def _used_within(key: object) -> float:
        """How lately a block must have been asked for to be counted again after a change.

        A town's wide blocks are its desk's opening view: a clerk comes back to it after
        working elsewhere, and when a minute of changes nobody looked at had dropped them,
        the view was counted whole in SQL (2.2 s at a million reports, on each process).
        Not longer: each scope costs a count per change; at a million reports and two
        changes a second, 15 minutes had admin z12 tiles at p95 31 / 59 / 77 ms (1 min: 40 /
        34 / 33 ms).
        """
        wide = isinstance(key, tuple) and len(key) == 5 and key[2] == BASE_CELL
        return WIDE_USED_S if wide else RENEW_USED_S

    def extent(self, scope: ReportFilter, cell: Cell) -> Extent | None:
        """The blocks the last count of ``scope``'s town kept (None: not counted yet)."""
        with self._wake:
            return self._extents.get((scope, cell))

    def need(self, scope: ReportFilter, cell: Cell, bx: int, by: int) -> None:
        """Count block (``bx``, ``by``) soon: a view found it missing.

        A change touching many blocks drops more than the cache hands back to be counted.
        """
        with self._wake:
            self._push(("block", scope, cell, bx, by))

    def idle(self) -> bool:
        """Nothing queued (for tests and benchmarks)."""
        with self._wake:
            return not self._queue and not self._queued

    def _warm_locked(self, scope: ReportFilter, cell: Cell) -> bool:
        now = time.monotonic()
        last = self._warmed.get((scope, cell))
        if last is not None and now - last < self._cache.ttl_s * WARM_SHARE:
            return False
        if len(self._warmed) >= QUEUE_MOST:  # filters clerks tried once: forget the old ones
            stale = now - self._cache.ttl_s
            self._warmed = {k: t for k, t in self._warmed.items() if t > stale}
        self._warmed[(scope, cell)] = now
        self._push(("town", scope, cell, 0, 0))
        return True

    def _renew(self, gone: Dropped[Block]) -> None:
        """The cache's keeper: a block expired, or a change dropped it."""
        key = gone.key
        if not (isinstance(key, tuple) and len(key) == 5 and key[0] == "block"):
            return
        _, scope, cell, bx, by = key
        cells = None
        if gone.old is not None and gone.touched is not None:
            cells = touched_cells(cell, bx, by, gone.touched)
        with self._wake:
            if self._warm_locked(scope, cell):  # the town is counted again: this block too
                return
            spot = (scope, cell, bx, by)
            if len(self._redo) >= QUEUE_MOST:  # left by a full queue: count those whole
                self._redo.clear()
            self._redo[spot] = redo_after(self._redo.get(spot), gone, cells)
            self._push(("block", scope, cell, bx, by))

    def _push(self, task: Task) -> None:
        if task in self._queued or len(self._queue) >= QUEUE_MOST:
            return
        self._queued.add(task)
        self._queue.append(task)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="machi-blocks", daemon=True)
            self._thread.start()
        self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue:
                    self._wake.wait()
                task = self._queue[0]
            try:
                self._count(task)
            except Exception:  # noqa: BLE001 — logged; a clerk's request counts it instead
                log.exception("counting street grid blocks ahead failed")
            finally:
                with self._wake:
                    self._queue.popleft()
                    self._queued.discard(task)

    def _count(self, task: Task) -> None:
        kind, scope, cell, bx, by = task
        bind, town = self._bind, scope.municipality_id
        if bind is None or not self._cache.live:
            return
        timed = replace(scope, now=now_tokyo())
        with town_scope(town), Session(bind=bind) as session:
            one_core(session)  # the other core keeps answering clerks
            if kind == "block":
                self._count_block(session, scope, timed, cell, (bx, by))
                return
            since = self._cache.begin()
            blocks = count_town_blocks(session, timed, cell, self._cache.entries // 2)
            if blocks is None:  # would push out everything else
                log.warning("town %s has too many blocks of cell %s: not kept ahead", town, cell)
                return
            self._keep_town(scope, cell, blocks, since)

    def _keep_town(
        self, scope: ReportFilter, cell: Cell, blocks: dict[tuple[int, int], Block],
        since: int | None,
    ) -> None:  # fmt: skip
        """Keep a town's blocks; one a change touched while it was counted is patched next.

        Left out, such a block stayed missing until a view asked for it, and until then the
        town's wide views were counted in SQL: at a million reports under two changes a
        second, a few blocks of every town count, 5-6 s per view on a process just started.
        """
        town = scope.municipality_id
        with self._wake:  # counted ahead: made again for a minute, as if just asked for
            ahead = (scope, cell) in self._unasked
        used = time.monotonic() - WIDE_USED_S + RENEW_USED_S if ahead else None
        stale = []
        for (x, y), block in blocks.items():
            if not self._cache.put(block_key(scope, cell, x, y), town, block_area(cell, x, y),
                                   block, since, used) and since is not None:  # fmt: skip
                stale.append(((scope, cell, x, y), Redo(None, (block, None, since))))
        with self._wake:
            for spot, redo in stale:  # the cells changed since ``since``, counted in rounds
                if len(self._queue) < QUEUE_MOST:
                    self._redo.setdefault(spot, redo)
                    self._push(("block", *spot))
            if blocks:
                xs, ys = [x for x, _ in blocks], [y for _, y in blocks]
                if len(self._extents) >= QUEUE_MOST:
                    self._extents.clear()  # filters tried once; the rest are counted again
                self._extents[(scope, cell)] = (min(xs), max(xs), min(ys), max(ys))

    def _count_block(
        self, session: Session, scope: ReportFilter, timed: ReportFilter, cell: Cell,
        block: tuple[int, int],
    ) -> None:  # fmt: skip
        """Count one block again, then the cells that changes touched meanwhile, till current.

        A dropped block is patched from the old one (the cells its change touched counted
        again) or counted whole. A change heard while that count ran leaves it stale where
        the change was: those cells are counted again on top of it, in rounds, until a round
        sees no new change. Before, such a block was counted whole again, and at a million
        reports under two changes a second (50-80 thousand reports a block, 0.2 s alone and
        seconds under load) it was never current: the town's wide views fell back to SQL.
        """
        bx, by = block
        at = Spot(block_key(scope, cell, bx, by), block_area(cell, bx, by), cell, bx, by)
        with self._wake:
            redo = self._redo.pop((scope, cell, bx, by), None) or Redo(None, None)
        state = redo.patch or self._counted(session, timed, at, None, None, redo.used)
        for _ in range(ROUNDS_MOST):
            if state is None:
                return  # kept, or not caching now
            counted, pending, mark = state
            later = self._cache.heard_after(mark, scope.municipality_id, at.area)
            if later is None:  # too much changed: counted whole when a view misses it
                return
            mark, changes = later
            for change in changes:
                touched = touched_cells(cell, bx, by, change.box) if change.box else None
                whole = touched or whole_block(bx, by)
                pending = whole if pending is None else union(pending, whole)
            if pending is not None and size(pending) > PATCH_MOST:
                counted, pending = Block({}), whole_block(bx, by)
            state = self._counted(session, timed, at, counted, pending, redo.used, mark)

    def _counted(
        self, session: Session, timed: ReportFilter, at: Spot, counted: Block | None,
        cells: CellRange | None, used: float | None, mark: int | None = None,
    ) -> Patch | None:  # fmt: skip
        """Keep ``counted`` with ``cells`` counted again, or counted whole (``counted`` None).

        The count is current as of change number ``mark`` (None: now). Returns None when it
        was kept (or nothing is cached now), else the count made, for the next round to patch.
        """
        since = self._cache.begin() if mark is None else mark
        if since is None:
            return None
        made: list[Block] = []

        def count() -> Block:
            if counted is None:
                made.append(count_block(session, timed, at.cell, at.bx, at.by))
            elif cells is not None:
                made.append(recount_cells(session, timed, at.cell, counted, cells))
            else:
                made.append(counted)
            return made[0]

        if self._cache.patch(at.key, timed.municipality_id, at.area, count, since, used):
            return None
        return (made[0], None, since) if made else None
