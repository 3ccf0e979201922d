"""Street-level grid counts composed from blocks of cells, so pans reuse what was counted.

A grid's cells lie on a fixed lattice (multiples of the cell size, ``geo.report_queries``), so
a view's grid is the union of lattice cells. Counting each ``BLOCK_CELLS`` x ``BLOCK_CELLS``
block of cells once and keeping it until a change touches it (``workflow.fresh``) lets the
next views over the same streets, a clerk panning or another clerk nearby, take their cells
from memory. A million reports put about 27,000 in a clerk's street view; counting them took
150-300 ms per pan, each pan a new bbox that no per-view cache could answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy.orm import Session

from geo.report_queries import BBox, MapAnswer, ReportFilter, report_grid
from workflow.fresh import FreshCache

BLOCK_CELLS: Final = 8


@dataclass(frozen=True)
class Block:
    """The counted cells of one block: (column, row) -> (reports, the cell's GeoJSON Feature)."""

    cells: dict[tuple[int, int], tuple[int, str]]


def _index(value: float, size: float) -> int:
    return round(value / size)


def count_block(
    session: Session, f: ReportFilter, cell: tuple[float, float], bx: int, by: int
) -> Block:
    """Count the cells of block (``bx``, ``by``) under ``f`` (its bbox is replaced)."""
    cx, cy = cell
    n = BLOCK_CELLS
    box = BBox(bx * n * cx, by * n * cy, (bx + 1) * n * cx, (by + 1) * n * cy)
    features, _total = report_grid(session, replace(f, bbox=box), cell)
    cells = {}
    for feature in json.loads(features):
        gx, gy = (int(float(v)) for v in feature["id"][1:].split("_"))
        if gx // n == bx and gy // n == by:  # a report on the block's edge counts next door
            text = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
            cells[(gx, gy)] = (int(feature["properties"]["count"]), text)
    return Block(cells)


def composed_grid(
    session: Session,
    key: ReportFilter,
    now: dt.datetime,
    cell: tuple[float, float],
    cache: FreshCache[Block],
) -> MapAnswer:
    """The grid of ``key.bbox`` (snapped to whole cells) from its blocks, counting the missing.

    Args:
        session: open session (read only).
        key: the filter with the snapped bbox and no clock (as the caches key it).
        now: the request's time (overdue flags).
        cell: the cell size in lon/lat degrees.
        cache: where blocks are kept, by filter, cell size and block.
    """
    assert key.bbox is not None
    cx, cy = cell
    b = key.bbox
    gx0, gy0 = _index(b.min_lon, cx), _index(b.min_lat, cy)
    gx1, gy1 = _index(b.max_lon, cx) - 1, _index(b.max_lat, cy) - 1
    scope = replace(key, bbox=None)
    timed = replace(key, now=now)
    n = BLOCK_CELLS
    parts, total = [], 0
    for bx in range(gx0 // n, gx1 // n + 1):
        for by in range(gy0 // n, gy1 // n + 1):
            area = (bx * n * cx, by * n * cy, (bx + 1) * n * cx, (by + 1) * n * cy)
            block = cache.get_or_make(
                ("block", scope, cell, bx, by),
                key.municipality_id,
                area,
                lambda bx=bx, by=by: count_block(session, timed, cell, bx, by),  # type: ignore[misc]
            )
            for (gx, gy), (count, text) in block.cells.items():
                if gx0 <= gx <= gx1 and gy0 <= gy <= gy1:
                    parts.append(text)
                    total += count
    return MapAnswer("[" + ",".join(parts) + "]", "grid", total)
