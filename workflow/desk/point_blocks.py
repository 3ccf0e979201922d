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
    from workflow.fresh_feed import fresh_cache  # noqa: PLC0415 — tests make plain ones

    return fresh_cache(ttl_s, POINTS_KEPT, kinds, _weight)


def plain_cache(ttl_s: float, kinds: frozenset[str]) -> FreshCache[PointBlock]:
    """A point cache no change feed keeps (tests hand it changes themselves)."""
    return FreshCache(ttl_s, POINTS_KEPT, kinds, _weight)


def read_block(session: Session, scope: ReportFilter, bx: int, by: int) -> PointBlock:
    """Read block (``bx``, ``by``) under ``scope`` (its bbox is replaced)."""
    west, south = bx * BLOCK_DEG, by * BLOCK_DEG
    area = BBox(west, south, west + BLOCK_DEG, south + BLOCK_DEG)
    rows = point_rows(session, replace(scope, bbox=area), BLOCK_MOST)
    if rows is None:
        return _block(True, [])
    mine = [r for r in rows if _block_of(r.lon, r.lat) == (bx, by)]  # edges: one block only
    return _block(False, sorted(mine, key=lambda r: (r.created_us, r.id), reverse=True))


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
    for bx in range(math.floor((b.min_lon - REACH) / BLOCK_DEG),
                    math.floor((b.max_lon + REACH) / BLOCK_DEG) + 1):  # fmt: skip
        for by in range(math.floor((b.min_lat - REACH) / BLOCK_DEG),
                        math.floor((b.max_lat + REACH) / BLOCK_DEG) + 1):  # fmt: skip
            block = block_at(scope, bx, by)
            if block is None or block.dense:
                return None
            p = block.boxes
            inside = (p[:, 0] <= east) & (p[:, 1] >= west) & (p[:, 2] <= north) & (p[:, 3] >= south)
            picked.append((block, np.flatnonzero(inside)))
    return len_and_answer(picked, limit, (f.now - _EPOCH) // dt.timedelta(microseconds=1))


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
    session: Session, f: ReportFilter, limit: int, cache: FreshCache[PointBlock]
) -> tuple[int, MapAnswer] | None:
    """``points_view``, reading the blocks not kept."""

    def block_at(scope: ReportFilter, bx: int, by: int) -> PointBlock:
        return cache.get_or_make(
            ("points", scope, bx, by), f.municipality_id, block_box(bx, by),
            lambda: read_block(session, replace(scope, now=f.now), bx, by),
        )  # fmt: skip

    return points_view(f, limit, block_at)
