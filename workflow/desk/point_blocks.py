"""Street views' report points made from blocks of points kept in memory.

A street view with few enough reports shows them as points. Each view was read on its own,
and each pan is a new bbox: at 50,000 reports a clerk's street view holds up to ~550 reports
(every department), and reading them and building their JSON took 11-18 ms of database time
per view; twenty clerks opening streets kept both cores busy with the same reports read
again and again. Here the town is cut into squares of ``BLOCK_DEG`` (about 250 m); a block's
reports are read once, with their GeoJSON Features made in SQL, and kept until a change
touches the block (``workflow.fresh``), and a view is put together from its blocks in memory.

- The overdue flag moves with the clock: a block keeps when each open report falls due and
  each Feature without its last property, which is added when a view is answered.
- The bbox filter is PostGIS's ``&&``, which compares boxes of 4-byte floats rounded outward
  (about 1.5 m at Tokyo's longitudes): points are tested the same way, so a view from blocks
  holds exactly the reports a query of the view would.
- A block holding more than ``BLOCK_MOST`` reports is not kept (a street there shows counts);
  it is kept as dense, so nobody reads it again to learn that. The cache holds at most
  ``POINTS_KEPT`` points per process, least recently used dropped first.
- Only views the count found few enough for points read blocks, and a view's blocks not
  kept are read in one query. Reading the blocks of views that turned out to need counts
  (1,000-2,000 Features of JSON each) made clerks' street pans slower, not faster (50k
  reports: p95 104-139 ms against 38 ms), and so did reading a whole town ahead in a
  thread of the web process (stalls of up to 0.9 s while it held the interpreter).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from geo.report_queries import BBox, MapAnswer, ReportFilter, point_rows
from workflow.fresh import FreshCache
from workflow.fresh_feed import fresh_cache

BLOCK_DEG: Final = 0.0025
BLOCK_MOST: Final = 800
POINTS_KEPT: Final = 300_000  # about 150 MB of a process's memory
REACH: Final = 1e-4  # degrees: a point's rounded box may reach this far into the next block
TOUCH: Final = 1e-5  # degrees: a block is dropped by changes this close (extents are rounded)
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_NEVER: Final = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class PointBlock:
    """The reports of one block, newest first; ``dense``: more than ``BLOCK_MOST``, not kept."""

    dense: bool
    created_us: NDArray[np.int64]
    ids: NDArray[np.int64]
    due_us: NDArray[np.int64]  # when an open report becomes overdue (``_NEVER``: it does not)
    boxes: NDArray[np.float64]  # per point: west, east, south, north as ``&&`` sees them
    heads: tuple[str, ...]  # each Feature's JSON up to its overdue flag


def _float32_out(values: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each value as a 4-byte float rounded down, and rounded up (PostGIS's index boxes)."""
    near = values.astype(np.float32)
    below = np.where(near > values, np.nextafter(near, np.float32(-np.inf)), near)
    above = np.where(near < values, np.nextafter(near, np.float32(np.inf)), near)
    return below.astype(np.float64), above.astype(np.float64)


def _weight(block: PointBlock) -> int:
    return max(1, len(block.heads))


def point_cache(ttl_s: float, kinds: frozenset[str]) -> FreshCache[PointBlock]:
    """A cache for point blocks, weighed by their points (``POINTS_KEPT`` in all)."""
    return fresh_cache(ttl_s, POINTS_KEPT, kinds, _weight)


def plain_cache(ttl_s: float, kinds: frozenset[str]) -> FreshCache[PointBlock]:
    """A point cache no change feed keeps (tests hand it changes themselves)."""
    return FreshCache(ttl_s, POINTS_KEPT, kinds, _weight)


def read_blocks(
    session: Session, scope: ReportFilter, blocks: BlockRange, most: int
) -> dict[tuple[int, int], PointBlock] | None:
    """Read every block of ``blocks`` (first and last column, first and last row) at once.

    Args:
        session: open session (read only).
        scope: the filter (its bbox is replaced).
        blocks: the blocks.
        most: more reports than this in all: None (nothing read but their count).
    """
    bx0, bx1, by0, by1 = blocks
    area = BBox(bx0 * BLOCK_DEG, by0 * BLOCK_DEG, (bx1 + 1) * BLOCK_DEG, (by1 + 1) * BLOCK_DEG)
    rows = point_rows(session, replace(scope, bbox=area), most)
    if rows is None:
        return None
    found: dict[tuple[int, int], list[Any]] = {
        (x, y): [] for x in range(bx0, bx1 + 1) for y in range(by0, by1 + 1)
    }
    for r in rows:  # a report on an edge belongs to one block only (next door: not read whole)
        mine = found.get(_block_of(r.lon, r.lat))
        if mine is not None:
            mine.append(r)
    return {
        spot: _block(True, []) if len(mine) > BLOCK_MOST else _block(False, sorted(
            mine, key=lambda r: (r.created_us, r.id), reverse=True))
        for spot, mine in found.items()
    }  # fmt: skip


def _block_of(lon: float, lat: float) -> tuple[int, int]:
    return math.floor(lon / BLOCK_DEG), math.floor(lat / BLOCK_DEG)


def _block(dense: bool, rows: list[Any]) -> PointBlock:
    lon = np.array([r.lon for r in rows], dtype=np.float64)
    lat = np.array([r.lat for r in rows], dtype=np.float64)
    (west, east), (south, north) = _float32_out(lon), _float32_out(lat)
    return PointBlock(
        dense,
        np.array([r.created_us for r in rows], dtype=np.int64),
        np.array([r.id for r in rows], dtype=np.int64),
        np.array([_NEVER if r.due_us is None else r.due_us for r in rows], dtype=np.int64),
        np.stack([west, east, south, north], axis=1) if rows else np.empty((0, 4)),
        tuple(r.feature[:-2] + ',"overdue":' for r in rows),  # the Feature ends ``}}``
    )


BlockAt = Callable[[ReportFilter, int, int], PointBlock | None]
BlockRange = tuple[int, int, int, int]  # first and last block column, first and last row


def points_view(f: ReportFilter, limit: int, block_at: BlockAt) -> tuple[int, MapAnswer] | None:
    """How many reports ``f`` (bbox needed) matches, and the newest ``limit`` as points.

    None: a block is dense, or not at hand (``block_at`` gave None), or the filter asks for
    overdue reports (what matches moves with the clock).
    """
    assert f.bbox is not None
    if f.overdue is not None:
        return None
    b, scope = f.bbox, replace(f, bbox=None, now=_EPOCH)
    x0, x1 = _float32_out(np.array([b.min_lon, b.max_lon]))
    y0, y1 = _float32_out(np.array([b.min_lat, b.max_lat]))
    west, east, south, north = x0[0], x1[1], y0[0], y1[1]  # the view as ``&&`` sees it
    picked: list[tuple[PointBlock, NDArray[np.intp]]] = []
    bx0, bx1, by0, by1 = view_blocks(b)
    for bx in range(bx0, bx1 + 1):
        for by in range(by0, by1 + 1):
            block = block_at(scope, bx, by)
            if block is None or block.dense:
                return None
            p = block.boxes
            inside = (p[:, 0] <= east) & (p[:, 1] >= west) & (p[:, 2] <= north) & (p[:, 3] >= south)
            picked.append((block, np.flatnonzero(inside)))
    return len_and_answer(picked, limit, (f.now - _EPOCH) // dt.timedelta(microseconds=1))


def view_blocks(b: BBox) -> BlockRange:
    """The blocks holding every report a view of ``b`` may show (``&&`` reaches past it)."""
    return (
        math.floor((b.min_lon - REACH) / BLOCK_DEG), math.floor((b.max_lon + REACH) / BLOCK_DEG),
        math.floor((b.min_lat - REACH) / BLOCK_DEG), math.floor((b.max_lat + REACH) / BLOCK_DEG),
    )  # fmt: skip


def len_and_answer(
    picked: list[tuple[PointBlock, NDArray[np.intp]]], limit: int, now_us: int
) -> tuple[int, MapAnswer]:
    """The picked points' total and the newest ``limit`` of them, newest first, as an answer."""
    created = np.concatenate([b.created_us[i] for b, i in picked])
    ids = np.concatenate([b.ids[i] for b, i in picked])
    total = len(created)
    order = np.lexsort((-ids, -created))[:limit]  # newest first; ids break ties, as in SQL
    where = [(b, int(j)) for b, i in picked for j in i]
    parts = []
    for k in order:
        block, j = where[k]
        parts.append(block.heads[j] + ("true}}" if block.due_us[j] < now_us else "false}}"))
    return total, MapAnswer("[" + ",".join(parts) + "]", "points", total)


def block_box(bx: int, by: int) -> tuple[float, float, float, float]:
    """Where changes drop block (``bx``, ``by``)."""
    west, south = bx * BLOCK_DEG, by * BLOCK_DEG
    return (west - TOUCH, south - TOUCH, west + BLOCK_DEG + TOUCH, south + BLOCK_DEG + TOUCH)


def kept_points(
    f: ReportFilter, limit: int, cache: FreshCache[PointBlock]
) -> tuple[int, MapAnswer] | None:
    """``points_view`` from kept blocks only (no I/O)."""
    return points_view(f, limit, lambda scope, bx, by: cache.get(("points", scope, bx, by)))


def street_points(
    session: Session, f: ReportFilter, limit: int, cache: FreshCache[PointBlock],
) -> tuple[int, MapAnswer] | None:  # fmt: skip
    """``points_view``, reading the blocks not kept: all in one query, when not too many."""
    assert f.bbox is not None
    scope = replace(f, bbox=None, now=_EPOCH)
    bx0, bx1, by0, by1 = view_blocks(f.bbox)
    missing = [(x, y) for x in range(bx0, bx1 + 1) for y in range(by0, by1 + 1)
               if cache.get(("points", scope, x, y)) is None]  # fmt: skip
    read: dict[tuple[int, int], PointBlock] = {}
    if missing:
        since = cache.begin()
        xs, ys = [x for x, _ in missing], [y for _, y in missing]
        extent = (min(xs), max(xs), min(ys), max(ys))
        most = (extent[1] - extent[0] + 1) * (extent[3] - extent[2] + 1) * BLOCK_MOST
        read = read_blocks(session, replace(scope, now=f.now), extent, most) or {}
        for (x, y), block in read.items():
            cache.put(("points", scope, x, y), f.municipality_id, block_box(x, y), block, since)

    def block_at(scope: ReportFilter, bx: int, by: int) -> PointBlock:
        return read.get((bx, by)) or cache.get_or_make(
            ("points", scope, bx, by), f.municipality_id, block_box(bx, by),
            lambda: _one(session, replace(scope, now=f.now), bx, by),
        )  # fmt: skip

    return points_view(f, limit, block_at)


def _one(session: Session, scope: ReportFilter, bx: int, by: int) -> PointBlock:
    read = read_blocks(session, scope, (bx, bx, by, by), BLOCK_MOST)
    return _block(True, []) if read is None else read[(bx, by)]
