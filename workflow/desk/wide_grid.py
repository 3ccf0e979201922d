"""Wide map views made from the street blocks the keeper keeps, not from counts of their own.

A view wider than a street is cut from the town's counts at ``geo.town_grid.BASE_CELL``
(2⁻⁹°), which is also the cell of the widest street views. The keeper
(``workflow.desk.block_keeper``) already holds every block of the town at that cell, counts
a block again as soon as a change drops it, and the town again when blocks grow old, so the
town's counts are those blocks put together: no whole-town count of their own (1.3 s at a
million reports, every 13 s per filter and process, a third of a core on a 2-core server),
and a clerk's status change reaches the wide views as soon as its block is counted again.

The blocks put together are kept until one of them is replaced. While a block is missing
(dropped, being counted again) the last town is served, at most ``STALE_S`` old: a change
reaches the wide views once the keeper has counted its block again (milliseconds at 50,000
reports, tens of them at a million). Views cut from a town are kept in it
(``TownGrid.answer``); an answer kept apart from the town (``workflow.maps.tiles``) is cut
only from a current one (``counts(..., current=True)``). A town found whole is served again
without looking its blocks up until the block cache keeps or drops any answer
(``FreshCache.version``), or ``RESCAN_S`` has passed (which also renews expired blocks): the
lookups were a fifth of the web processes' time under 20 clients at the whole-city view.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Final

from sqlalchemy.orm import Session

from geo.report_queries import ReportFilter
from geo.town_grid import BASE_CELL, TownGrid
from workflow.desk.block_keeper import BlockKeeper
from workflow.desk.grid_blocks import Block, block_key, same_blocks
from workflow.fresh import FreshCache

STALE_S: Final = 60.0
RESCAN_S: Final = 1.0  # a current town is checked block by block again after this long
TOWNS_KEPT: Final = 256
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_Made = tuple[float, tuple[Block, ...], TownGrid, int]  # when, blocks, town, version


class WideGrids:
    """Towns' ``BASE_CELL`` counts put together from kept blocks, by filter."""

    def __init__(self, cache: FreshCache[Block], keeper: BlockKeeper) -> None:
        self._cache, self._keeper = cache, keeper
        self._made: OrderedDict[ReportFilter, _Made] = OrderedDict()
        self._lock = threading.Lock()

    def warm(self, session: Session, f: ReportFilter, asked: bool = True) -> bool:
        """Have ``f``'s town (its bbox and clock dropped) counted ahead, unless done lately.

        ``asked``: by a view (False: ahead of any, ``BlockKeeper.warm``). False: this process
        cannot hear changes, so nothing would be kept.
        """
        if not self._cache.live:
            return False
        self._keeper.warm(session, replace(f, bbox=None, now=_EPOCH), BASE_CELL, asked)
        return True

    def counts(
        self, session: Session | None, f: ReportFilter, current: bool = False
    ) -> TownGrid | None:
        """``f``'s town (its bbox and clock dropped), asked for if not lately (``session``).

        None: not counted yet, or this process is deaf; with ``current``, also while a block
        is being counted again (the last town is not to be kept as anything's answer).
        ``session`` None: no I/O at all (on the event loop), nothing asked for.
        """
        scope = replace(f, bbox=None, now=_EPOCH)
        if session is not None and not self.warm(session, scope):
            return None
        if not self._cache.live:
            return None
        town, whole = self._town(scope)
        return town if whole or not current else None

    def town(self, scope: ReportFilter) -> TownGrid | None:
        """``scope``'s town from kept blocks (no I/O); None before the keeper counted it.

        Args:
            scope: the filter without bbox and clock (as blocks are keyed).
        """
        return self._town(scope)[0]

    def _town(self, scope: ReportFilter) -> tuple[TownGrid | None, bool]:
        """``town``, and whether it is current (False: the last one, a block being recounted).

        Args:
            scope: the filter without bbox and clock (as blocks are keyed).
        """
        version = self._cache.version  # before the blocks are read: a change meanwhile shows
        with self._lock:
            made = self._made.get(scope)
            if made is not None:
                self._made.move_to_end(scope)
        if made is not None and made[3] == version and made[0] + RESCAN_S > time.monotonic():
            return made[2], True  # no block kept or dropped since it was found whole
        extent = self._keeper.extent(scope, BASE_CELL)
        if extent is None:
            return None, False
        blocks, missing = self._kept_blocks(scope, extent)
        if missing:
            for bx, by in missing:
                self._keeper.need(scope, BASE_CELL, bx, by)
            if made is not None and made[0] + STALE_S > time.monotonic():
                return made[2], False
            return None, False
        if made is not None and same_blocks(made[1], blocks):
            town = made[2]  # whole and current now
        else:
            town = TownGrid([counts for block in blocks for counts, _ in block.cells.values()])
        with self._lock:
            self._made[scope] = (time.monotonic(), tuple(blocks), town, version)
            while len(self._made) > TOWNS_KEPT:
                self._made.popitem(last=False)
        return town, True

    def _kept_blocks(
        self, scope: ReportFilter, extent: tuple[int, int, int, int]
    ) -> tuple[list[Block], list[tuple[int, int]]]:
        """The kept blocks of ``extent``, and where one is missing."""
        bx0, bx1, by0, by1 = extent
        blocks, missing = [], []
        for bx in range(bx0, bx1 + 1):
            for by in range(by0, by1 + 1):
                block = self._cache.get(block_key(scope, BASE_CELL, bx, by))
                if block is None:
                    missing.append((bx, by))
                else:
                    blocks.append(block)
        return blocks, missing
