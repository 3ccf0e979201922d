"""What the triage map shows for a view: points when few, grid counts when many (cached).

Whole-city views are what every clerk opens first and what the map polls every 15 s. Every
view wider than a street is made from the town's counts at one fine cell
(``geo.town_grid``) summed into the view's cells: clerks' windows differ in size and each
drags the map, and counting each such bbox on its own (a scan of every report in town, 1.5 s
at a million) took several of those per poll. The town's counts are the street blocks the
keeper keeps, put together (``workflow.desk.wide_grid``). Before the keeper's first count
of a filter, and in a process that cannot hear changes, the town is counted once per filter
instead: counts of at least ``CACHE_MIN_REPORTS`` reports are kept for ``CACHE_TTL_S``
seconds, or ten times as long as counting took (``COUNT_SHARE``), and served for up to
``STALE_S`` more while a thread counts again; when there is no entry, one request counts and
the others asking for it wait for that one (no stampede under many polling clients).

Street-level views are made of blocks of grid counts (``workflow.desk.grid_blocks``) or of
points (``workflow.desk.point_blocks``) kept until a committed change touches them
(``workflow.fresh``), and each view's answer is kept too. A clerk's own status change is
redrawn from the PATCH answer at once; other clerks' changes reach wider views when the keeper
has counted the changed block again (ms). Counts' overdue flags are recounted every
``BLOCKS_TTL_S`` (targets are set in hours).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from typing import Final

from sqlalchemy.orm import Session

from geo.change_feed import CONFIG, REPORTS
from geo.report_cells import grid_cell_counts, grid_cell_deg, report_grid, snap_to_grid
from geo.report_queries import BBox, ReportFilter, count_reports, report_points
from geo.report_queries import MapAnswer as MapAnswer  # re-exported: what the API answers
from geo.town_grid import BASE_CELL, TownGrid, covers
from workflow.db import in_background
from workflow.desk.block_keeper import BlockKeeper
from workflow.desk.grid_blocks import Block, composed_grid, kept_grid
from workflow.desk.point_blocks import kept_points, point_cache, street_points
from workflow.desk.wide_grid import WideGrids
from workflow.fresh import FreshCache
from workflow.fresh_feed import fresh_cache

CACHE_TTL_S: Final = 10.0
COUNT_SHARE: Final = 0.1  # of its time, a kept town's counts are recounted at most this share
STALE_S: Final = 60.0  # an entry expired this recently is served while it is recomputed
CACHE_MIN_REPORTS: Final = 5_000
CACHE_ENTRIES: Final = 256
POINTS_TTL_S: Final = 60.0  # overdue flags move with the clock
BLOCKS_TTL_S: Final = 300.0  # counts' overdue flags may lag as long (targets are in hours)
STREET_DEG: Final = 0.03  # views up to ~3 km across are kept until a change touches them
LOOP_POINTS: Final = 300  # a kept view of more points is put together in a thread (~5 ms)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_blocks: Final[FreshCache[Block]] = fresh_cache(BLOCKS_TTL_S, 16384, frozenset({REPORTS, CONFIG}))
_keeper: Final = BlockKeeper(_blocks)
_wide: Final = WideGrids(_blocks, _keeper)
_point_blocks: Final = point_cache(BLOCKS_TTL_S, frozenset({REPORTS, CONFIG}))
_points: Final[FreshCache[MapAnswer]] = fresh_cache(
    POINTS_TTL_S, 2048, frozenset({REPORTS, CONFIG})
)

_cache: OrderedDict[ReportFilter, tuple[float, TownGrid]] = OrderedDict()  # by scope
_lock = threading.Lock()
_flights: dict[ReportFilter, threading.Lock] = {}


def _cached(key: ReportFilter, now_s: float) -> TownGrid | None:
    with _lock:
        entry = _cache.get(key)
        if entry is None or entry[0] < now_s:
            return None
        _cache.move_to_end(key)
        return entry[1]


def _remember(key: ReportFilter, answer: TownGrid, now_s: float, ttl_s: float) -> None:
    with _lock:
        _cache[key] = (now_s + ttl_s, answer)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)


def _grid_key(f: ReportFilter) -> tuple[ReportFilter, tuple[float, float]]:
    """The filter with its bbox snapped to whole cells and its clock dropped, and the cell."""
    assert f.bbox is not None
    cell = grid_cell_deg(f.bbox)
    return replace(f, bbox=snap_to_grid(f.bbox, cell), now=_EPOCH), cell


def _stale(key: ReportFilter, now_s: float) -> TownGrid | None:
    """The expired answer for ``key`` when it expired less than ``STALE_S`` ago."""
    with _lock:
        entry = _cache.get(key)
        return entry[1] if entry is not None and entry[0] + STALE_S > now_s else None


def grid_view(session: Session, f: ReportFilter) -> MapAnswer:
    """Grid counts for the filter's bbox (required), from the cache when fresh enough.

    A view wider than a street is cut from the town's counts (``_wide``, else ``_town_grid``). A
    street-sized view's grid is made of blocks of cells kept until a change touches them
    (``workflow.desk.grid_blocks``), which the next pans share and a thread of this process
    counts ahead: the town's blocks at the first street view, and any a change drops
    (``workflow.desk.block_keeper``).
    """
    key, cell = _grid_key(f)
    assert key.bbox is not None
    if _street_sized(key.bbox) and _blocks.live:  # deaf, blocks would only cost more queries
        _keeper.warm(session, replace(key, bbox=None), cell)
        return composed_grid(session, key, f.now, cell, _blocks)
    if not covers(cell):  # finer than the town's counts: a street of a deaf process
        features, total = report_grid(session, replace(key, now=f.now), cell)
        return MapAnswer(features, "grid", total)
    scope = replace(key, bbox=None)  # counted here before the keeper's first count, or deaf
    town = city_counts(session, scope) or _town_grid(session, scope, f.now)
    answer = town.answer(cell, key.bbox)
    assert answer is not None
    return answer


def warm_city_view(session: Session, scope: ReportFilter) -> bool:
    """Have ``scope``'s whole-city view counted ahead (the keeper's blocks at the base cell).

    Ahead of any view: its blocks are made again after a change only once a view has asked.
    """
    return _wide.warm(session, scope, asked=False)


def city_counts(session: Session | None, f: ReportFilter, current: bool = False) -> TownGrid | None:
    """``f``'s town counted by the keeper (``WideGrids.counts``); None: not yet, or deaf."""
    return _wide.counts(session, f, current)


def _town_grid(session: Session, scope: ReportFilter, now: dt.datetime) -> TownGrid:
    """The town's counts under ``scope``, kept, or served stale while a thread recounts.

    An entry that expired less than ``STALE_S`` ago is answered at once and counted again in
    a thread of its own (stale while revalidate): a town of a million reports takes 1.5 s or
    more, and the clerk whose poll fell due waited that long once per ``CACHE_TTL_S``.
    Without an entry, one request counts and the others asking for it wait for that one.
    """
    hit = _cached(scope, time.monotonic())
    if hit is not None:
        return hit
    with _lock:  # one lock per scope being counted: clerks polling together count once
        flight = _flights.setdefault(scope, threading.Lock())
    stale = _stale(scope, time.monotonic())
    if stale is not None:
        if flight.acquire(blocking=False):
            _recompute_later(session, scope, now, flight)
        return stale
    with flight:
        hit = _cached(scope, time.monotonic())  # counted while we waited
        if hit is None:
            hit = _recompute(session, scope, now)
    with _lock:
        _flights.pop(scope, None)
    return hit


def _recompute(session: Session, scope: ReportFilter, now: dt.datetime) -> TownGrid:
    started = time.monotonic()
    town = TownGrid(grid_cell_counts(session, replace(scope, now=now), BASE_CELL))
    done = time.monotonic()
    if town.total >= CACHE_MIN_REPORTS:  # a count that took long is kept longer (COUNT_SHARE)
        _remember(scope, town, done, max(CACHE_TTL_S, (done - started) / COUNT_SHARE))
    return town


def _recompute_later(
    session: Session, scope: ReportFilter, now: dt.datetime, flight: threading.Lock
) -> None:
    """Recount ``scope`` on a session of its own in a thread, then release ``flight``."""

    def done() -> None:
        flight.release()
        with _lock:
            _flights.pop(scope, None)

    in_background(session, scope.municipality_id, lambda own: _recompute(own, scope, now), done)


def map_view(session: Session, f: ReportFilter, limit: int, mode: str) -> MapAnswer:
    """Reports for a map view: points when at most ``limit`` match, else grid counts.

    Args:
        session: open session (read only).
        f: the filter, scope included; ``bbox`` is needed for the grid.
        limit: most points sent; above it ``auto`` answers with grid counts.
        mode: ``auto``, ``points`` (newest ``limit`` points, possibly truncated) or ``grid``.
    """
    key = (replace(f, now=_EPOCH), limit, mode)
    hit = _points.get(key)
    if hit is not None:
        return hit
    since = _points.begin()
    answer = _fresh_view(session, f, limit, mode)
    _keep(key, f, answer, since)
    return answer


def _keep(key: Hashable, f: ReportFilter, answer: MapAnswer, since: int | None) -> None:
    b = f.bbox
    box = None if b is None else (b.min_lon, b.min_lat, b.max_lon, b.max_lat)
    if answer.mode == "points" or _street_sized(b):
        _points.put(key, f.municipality_id, box, answer, since)


def kept_view(f: ReportFilter, limit: int, mode: str) -> MapAnswer | None:
    """``map_view``'s answer when this process keeps it (no I/O), else None.

    The API asks this on the event loop before handing ``map_view`` to a thread: most views
    are kept, and the hop to a thread and back cost more than the answer (1M reports); a view
    of many points (``LOOP_POINTS``) is left to the thread, which joins and packs it.
    """
    key = (replace(f, now=_EPOCH), limit, mode)
    hit = _points.get(key)
    if hit is not None or f.bbox is None or mode == "points":
        return hit
    if not _street_sized(f.bbox):
        return _kept_wide(f, limit, mode)
    if mode == "auto" and _blocks.live:
        since = _points.begin()  # before the blocks are read: a change meanwhile is refused
        hit = _kept_street(f, limit, LOOP_POINTS)
        if hit is not None:  # kept as the view's answer, with its gzip body
            _keep(key, f, hit, since)
    return hit


def _kept_wide(f: ReportFilter, limit: int, mode: str) -> MapAnswer | None:
    """A wide view from the town's kept counts, when it holds far more reports than ``limit``.

    Its cells reach a little past the view; ``f.bbox`` is needed.
    """
    key, cell = _grid_key(f)
    scope = replace(key, bbox=None)
    town = _wide.counts(None, scope) or _cached(scope, time.monotonic())
    kept = None if town is None or key.bbox is None else town.answer(cell, key.bbox)
    if kept is not None and (mode == "grid" or kept.total > 2 * limit):
        return kept
    return None


def _kept_street(f: ReportFilter, limit: int, most: int | None = None) -> MapAnswer | None:
    """A street view from kept blocks: counts when it holds far more than ``limit``, else points.

    ``most``: None instead of more points than this (joined and packed off the event loop).
    """
    key, cell = _grid_key(f)
    kept = kept_grid(key, cell, _blocks)
    if kept is not None and kept.total > 2 * limit:
        return kept
    points = kept_points(f, limit, _point_blocks)
    if points is None or (most is not None and most < points[0] <= limit):
        return None
    return points[1] if points[0] <= limit else kept  # more than limit: counts, if kept


def _street_sized(b: BBox | None) -> bool:
    """A view small enough that few changes touch it (a street's worth of grid counts)."""
    return b is not None and max(b.max_lon - b.min_lon, b.max_lat - b.min_lat) <= STREET_DEG


def _fresh_view(session: Session, f: ReportFilter, limit: int, mode: str) -> MapAnswer:
    if mode != "points" and f.bbox is not None and not _street_sized(f.bbox):
        kept = _kept_wide(f, limit, mode)
        if kept is not None:
            return kept
    if mode == "auto" and f.bbox is not None:
        return _auto_view(session, f, limit)
    if mode == "grid" and f.bbox is not None:
        return grid_view(session, f)
    features, total = report_points(session, f, limit)
    return MapAnswer(features, "points", total)


def _auto_view(session: Session, f: ReportFilter, limit: int) -> MapAnswer:
    # Count first (stopping at limit + 1), then points or grid: reading points first built JSON
    # a grid then replaced, 48 ms of a 77 ms street view with 1,700 reports (a million in town).
    street = _street_sized(f.bbox) and _blocks.live
    if street:
        kept = _kept_street(f, limit)
        if kept is not None:
            return kept
    if count_reports(session, f, cap=limit + 1) > limit:
        return grid_view(session, f)
    points = street_points(session, f, limit, _point_blocks) if street else None
    if points is not None:  # its blocks are kept for the next pans
        return points[1]
    features, total = report_points(session, f, limit)
    return MapAnswer(features, "points", total)
