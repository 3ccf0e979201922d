"""Vector tiles for every map: the base map (anyone) and the reports layer (staff, scoped).

Base tiles change only when the town's data is reloaded, so each rendered tile is kept in
memory for ``BASE_TTL_S`` and carries an ``ETag`` (a hash of its bytes) for the browser's
revalidation. Report tiles are per scope and filter: at street level (points, and cell counts
from ``FRESH_CLUSTER_MIN_ZOOM``) they are kept while no committed change touches the tile
(``workflow.fresh``; read fresh while the process cannot hear changes); wider cell tiles
(whole-city views that every clerk opens and the map polls) are shared for ``CLUSTER_TTL_S``
between clerks with the same filter and scope, as the bbox API's were: cut from the town's
counts the keeper keeps (``workflow.desk.wide_grid``; shared only when cut from current
counts; while a changed block is counted again, cut from the last ones and kept with them,
never longer than they are served), or, in a process
that cannot hear changes, counted in SQL, an expired one answered while a thread recounts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy.orm import Session

from geo.change_feed import CONFIG, REPORTS
from geo.report_queries import BBox, ReportFilter, count_reports
from geo.report_tiles import counted_clusters_tile, report_clusters_tile, report_points_tile
from geo.tilegrid import MAX_ZOOM, Tile, buffer_fraction, tile_bounds_lonlat, tile_exists
from geo.tiles import BASE_LAYERS, RoadTileSpec, base_tile
from maps.roadstyle import classes_at_zoom, highway_class_names
from workflow.db import in_background
from workflow.desk.map_view import city_counts
from workflow.errors import NotFoundError
from workflow.fresh import FreshCache
from workflow.fresh_feed import fresh_cache

MAX_TILE_ZOOM: Final = MAX_ZOOM  # deeper tiles are not served
BASE: Final = "base"  # every base layer in one tile: what the maps load
TILE_LAYERS: Final = (BASE, *BASE_LAYERS)
BASE_TTL_S: Final = 300.0
CLUSTER_TTL_S: Final = 10.0
CLUSTER_STALE_S: Final = 60.0  # answered while a thread recounts it
FRESH_CLUSTER_MIN_ZOOM: Final = 14  # from here a cell tile is kept until a change touches it
POINTS_MIN_ZOOM: Final = 15  # below it, reports are always counted in cells
POINT_LIMIT: Final = 2_000  # more in one tile: counted in cells at any zoom
POINTS_TTL_S: Final = 60.0  # overdue flags move with the clock
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class TileAnswer:
    body: bytes  # MVT protobuf; empty when nothing lies in the tile
    etag: str  # quoted, for the ETag header


class _TtlCache:
    """A small thread-safe LRU whose entries expire, computing each missing entry once.

    With ``stale_s``, an entry expired less than that long ago is still answered while a
    thread of its own makes the new one.
    """

    def __init__(self, ttl_s: float, entries: int, stale_s: float = 0.0) -> None:
        self.ttl_s, self.entries, self.stale_s = ttl_s, entries, stale_s
        self._items: OrderedDict[Hashable, tuple[float, TileAnswer]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    def get_or_make(
        self,
        key: Hashable,
        make: Callable[[], TileAnswer],
        later: Callable[[Callable[[TileAnswer], None], Callable[[], None]], None] | None = None,
    ) -> TileAnswer:
        """The cached answer, or ``make()``'s; callers asking for a key being made wait for it.

        Without this, every clerk whose map asked for a whole-city tile as its entry expired
        ran the same 400 ms count over a million reports (p95 860 ms at 20 clients). ``later``
        starts the new answer of a stale entry in the background: it is handed what to do
        with the answer and what to do when it is over.
        """
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
            item = self._items.get(key)
        if later is not None and item is not None and item[0] + self.stale_s > time.monotonic():
            if flight.acquire(blocking=False):
                later(lambda answer: self.put(key, answer), lambda: self._land(key, flight))
            return item[1]
        with flight:
            hit = self.get(key)
            if hit is None:
                hit = make()
                self.put(key, hit)
        self._land(key, None)
        return hit

    def _land(self, key: Hashable, flight: threading.Lock | None) -> None:
        if flight is not None:
            flight.release()
        with self._lock:
            self._flights.pop(key, None)

    def get(self, key: Hashable) -> TileAnswer | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, answer: TileAnswer) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl_s, answer)
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_base_cache = _TtlCache(BASE_TTL_S, 2048)
_cluster_cache = _TtlCache(CLUSTER_TTL_S, 512, stale_s=CLUSTER_STALE_S)
# (is a points tile, body): a tile with too many reports for points says so, and is counted.
_points_cache: FreshCache[tuple[bool, bytes]] = fresh_cache(
    POINTS_TTL_S, 4096, frozenset({REPORTS, CONFIG})
)


def _answer(body: bytes) -> TileAnswer:
    return TileAnswer(body, '"' + hashlib.sha256(body).hexdigest()[:24] + '"')


def checked_tile(z: int, x: int, y: int) -> Tile:
    """The tile z/x/y.

    Raises:
        NotFoundError: no such tile in the grid (zoom 0 to ``geo.tilegrid.MAX_ZOOM``).
    """
    if not tile_exists(z, x, y):
        raise NotFoundError("tile_not_found", field="z")
    return Tile(z, x, y)


def read_base_tile(
    session: Session, municipality_id: int, layer: str, tile: Tile, scale: int = 1
) -> TileAnswer:
    """A base-map tile: one layer of ``geo.tiles.BASE_LAYERS``, or ``base`` for all of them.

    Args:
        session: open session (read only).
        municipality_id: the town whose data fills the tile.
        layer: ``base`` or one base layer.
        tile: the tile (checked).
        scale: 2 for a tile drawn 512 px wide, which carries the next zoom's detail.

    Raises:
        NotFoundError: unknown layer.
    """
    if layer not in TILE_LAYERS:
        raise NotFoundError("tile_layer_not_found", field="layer")
    layers = BASE_LAYERS if layer == BASE else (layer,)
    detail = tile.z + (1 if scale == 2 else 0)
    roads = RoadTileSpec(highway_class_names(), classes_at_zoom(detail))
    return _base_cache.get_or_make(
        (municipality_id, layer, tile, scale),
        lambda: _answer(base_tile(session, municipality_id, tile, layers, roads, detail)),
    )


def _box(tile: Tile, margin: float) -> BBox:
    return BBox(*tile_bounds_lonlat(tile, margin))


def _points_or_not(session: Session, f: ReportFilter, tile: Tile) -> tuple[bool, bytes]:
    if count_reports(session, f, cap=POINT_LIMIT + 1) > POINT_LIMIT:
        return False, b""
    return True, report_points_tile(session, f, tile, POINT_LIMIT)


def read_report_tile(session: Session, f: ReportFilter, tile: Tile) -> bytes:
    """The staff reports layer for one tile, under the filter ``f`` (its scope included).

    Points (newest ``POINT_LIMIT``) from ``POINTS_MIN_ZOOM`` on when few enough lie in the
    tile; otherwise counts by status in cells. ``f.bbox`` is replaced by the tile's box.
    """
    if tile.z >= POINTS_MIN_ZOOM:
        corners = tile_bounds_lonlat(tile, buffer_fraction())
        buffered = replace(f, bbox=BBox(*corners))
        points, body = _points_cache.get_or_make(
            _key(buffered, tile),
            f.municipality_id,
            corners,
            lambda: _points_or_not(session, buffered, tile),
        )
        if points:
            return body
    corners = tile_bounds_lonlat(tile, 0.0)
    box = BBox(*corners)
    own = replace(f, bbox=box)
    key = _key(own, tile)
    if tile.z >= FRESH_CLUSTER_MIN_ZOOM:  # a street's worth: few changes touch it
        return _points_cache.get_or_make(
            ("cells", key),
            f.municipality_id,
            corners,
            lambda: (False, report_clusters_tile(session, own, tile)),
        )[1]

    town = city_counts(session, own, current=True)
    if town is not None:  # the keeper's counts (the staff map's whole-city view): no report read
        return _cluster_cache.get_or_make(
            key, lambda: _answer(counted_clusters_tile(session, town.rows_in(box), box, tile))
        ).body
    last = city_counts(session, own)
    if last is not None:  # the last counts while a block is counted again: kept with them
        return last.tile(key, lambda: counted_clusters_tile(session, last.rows_in(box), box, tile))

    def later(keep: Callable[[TileAnswer], None], done: Callable[[], None]) -> None:
        in_background(
            session,
            f.municipality_id,
            lambda s: keep(_answer(report_clusters_tile(s, own, tile))),
            done,
        )

    return _cluster_cache.get_or_make(
        key, lambda: _answer(report_clusters_tile(session, own, tile)), later
    ).body


def kept_report_tile(f: ReportFilter, tile: Tile) -> bytes | None:
    """``read_report_tile``'s answer when this process keeps it (no I/O), else None.

    The API asks this on the event loop before handing ``read_report_tile`` to a thread.
    """
    if tile.z >= POINTS_MIN_ZOOM:
        hit = _points_cache.get(_key(replace(f, bbox=_box(tile, buffer_fraction())), tile))
        if hit is None:
            return None
        if hit[0]:  # a points tile; else too many reports: its cells are kept below
            return hit[1]
    key = _key(replace(f, bbox=_box(tile, 0.0)), tile)
    if tile.z >= FRESH_CLUSTER_MIN_ZOOM:
        cells = _points_cache.get(("cells", key))
        return None if cells is None else cells[1]
    answer = _cluster_cache.get(key)
    if answer is not None:
        return answer.body
    town = city_counts(None, key[0])  # no I/O: while a block is counted again, the last counts
    return None if town is None else town.kept_tile(key)  # and what was cut from them


def kept_base_tile(municipality_id: int, layer: str, tile: Tile, scale: int) -> TileAnswer | None:
    """``read_base_tile``'s answer when this process keeps it (no I/O), else None."""
    return _base_cache.get((municipality_id, layer, tile, scale))


def _key(f: ReportFilter, tile: Tile) -> tuple[ReportFilter, Tile]:
    """The cache key of ``tile`` under ``f`` (its bbox the tile's box): the clock dropped."""
    return (replace(f, now=_EPOCH), tile)


def forget_tiles() -> None:
    """Drop every cached tile (after the town's data was reloaded, and in tests)."""
    _base_cache.clear()
    _cluster_cache.clear()
    _points_cache.clear()
