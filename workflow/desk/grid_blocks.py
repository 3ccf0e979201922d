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
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy.orm import Session

from geo.desk_queries import town_box
from geo.report_cells import CellCounts, grid_cells
from geo.report_queries import BBox, MapAnswer, ReportFilter
from workflow.fresh import FreshCache

BLOCK_CELLS: Final = 8
EDGE_BLOCKS: Final = 2  # empty blocks kept around a town's reports: a street view at its edge
TOUCH_SLACK: Final = 1e-6  # degrees (~0.1 m): notices carry extents rounded on the way


BlockKey = tuple[str, ReportFilter, tuple[float, float], int, int]


def block_key(scope: ReportFilter, cell: tuple[float, float], bx: int, by: int) -> BlockKey:
    """How a block is kept: the filter without bbox and clock, the cell size, the block."""
    return ("block", scope, cell, bx, by)


@dataclass(frozen=True)
class Block:
    """The counted cells of one block: (column, row) -> (its counts, its GeoJSON Feature)."""

    cells: dict[tuple[int, int], tuple[CellCounts, str]]


def _index(value: float, size: float) -> int:
    return round(value / size)


def same_blocks(kept: tuple[Block, ...], blocks: list[Block]) -> bool:
    """The very same block objects: none was counted again since ``kept`` was put together."""
    return len(kept) == len(blocks) and all(a is b for a, b in zip(kept, blocks, strict=True))


def block_area(cell: tuple[float, float], bx: int, by: int) -> tuple[float, float, float, float]:
    """The lon/lat box of block (``bx``, ``by``) for cells of size ``cell``."""
    cx, cy = cell
    n = BLOCK_CELLS
    return (bx * n * cx, by * n * cy, (bx + 1) * n * cx, (by + 1) * n * cy)


def count_block(
    session: Session, f: ReportFilter, cell: tuple[float, float], bx: int, by: int
) -> Block:
    """Count the cells of block (``bx``, ``by``) under ``f`` (its bbox is replaced)."""
    n = BLOCK_CELLS
    return recount_cells(
        session, f, cell, Block({}), (bx * n, bx * n + n - 1, by * n, by * n + n - 1)
    )


CellRange = tuple[int, int, int, int]  # first and last column, first and last row


def touched_cells(
    cell: tuple[float, float], bx: int, by: int, box: tuple[float, float, float, float]
) -> CellRange | None:
    """The cells of block (``bx``, ``by``) that ``box`` (a change's extent) may have touched.

    The box comes from the change notice; it is widened by ``TOUCH_SLACK`` so a report on a
    cell's edge recounts both cells. None: the box misses the block.
    """
    cx, cy = cell
    n, d = BLOCK_CELLS, TOUCH_SLACK
    gx0 = max(bx * n, math.floor((box[0] - d) / cx))
    gx1 = min(bx * n + n - 1, math.floor((box[2] + d) / cx))
    gy0 = max(by * n, math.floor((box[1] - d) / cy))
    gy1 = min(by * n + n - 1, math.floor((box[3] + d) / cy))
    return (gx0, gx1, gy0, gy1) if gx0 <= gx1 and gy0 <= gy1 else None


def recount_cells(
    session: Session, f: ReportFilter, cell: tuple[float, float], old: Block, cells: CellRange
) -> Block:
    """``old`` with the cells of ``cells`` counted again under ``f`` (its bbox is replaced).

    A change to one report touches one cell of a block: counting that cell reads a few
    hundred reports where the block's 64 cells held ten thousand at a million in town.
    """
    gx0, gx1, gy0, gy1 = cells
    cx, cy = cell
    box = BBox(gx0 * cx, gy0 * cy, (gx1 + 1) * cx, (gy1 + 1) * cy)

    def inside(key: tuple[int, int]) -> bool:
        return gx0 <= key[0] <= gx1 and gy0 <= key[1] <= gy1

    kept = {k: v for k, v in old.cells.items() if not inside(k)}
    for c, feature in grid_cells(session, replace(f, bbox=box), cell):
        if inside((c.gx, c.gy)):  # a report on the box's far edge belongs next door
            kept[(c.gx, c.gy)] = (c, feature)
    return Block(kept)


def count_town_blocks(
    session: Session, f: ReportFilter, cell: tuple[float, float], most: int
) -> dict[tuple[int, int], Block] | None:
    """Every block of ``f``'s town (its bbox is dropped) in one query, empty ones included.

    Blocks over the town's boundary and between its outermost reports, and ``EDGE_BLOCKS``
    beyond the reports, are all returned, those without reports empty, so a pan over fields,
    the river or the town's edge finds its blocks too, and a report where none was before
    lands in a block the town's views are made of. One whole-town query over a million
    reports took 0.65 s; counting the same blocks one by one took about twice that.

    Returns:
        The blocks; None when there would be more than ``most`` (a cell too fine to keep the
        whole town of: not read at all when the boundary alone has that many).
    """
    n = BLOCK_CELLS
    xs: list[int] = []
    ys: list[int] = []
    box = town_box(session, f.municipality_id)
    if box is not None:  # the lattice's blocks over the boundary (as ``grid_cells`` floors)
        xs += [math.floor(box[0] / cell[0]) // n, math.floor(box[2] / cell[0]) // n]
        ys += [math.floor(box[1] / cell[1]) // n, math.floor(box[3] / cell[1]) // n]
        if _span(xs) * _span(ys) > most:
            return None
    blocks: dict[tuple[int, int], dict[tuple[int, int], tuple[CellCounts, str]]] = {}
    for c, feature in grid_cells(session, replace(f, bbox=None), cell):
        blocks.setdefault((c.gx // n, c.gy // n), {})[(c.gx, c.gy)] = (c, feature)
    pad = EDGE_BLOCKS
    xs += [v for b in blocks for v in (b[0] - pad, b[0] + pad)]
    ys += [v for b in blocks for v in (b[1] - pad, b[1] + pad)]
    if not xs:
        return {}
    if _span(xs) * _span(ys) > most:
        return None
    return {
        (bx, by): Block(blocks.get((bx, by), {}))
        for bx in range(min(xs), max(xs) + 1)
        for by in range(min(ys), max(ys) + 1)
    }


def _span(values: list[int]) -> int:
    return max(values) - min(values) + 1


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
    timed = replace(key, now=now)

    def block(scope: ReportFilter, bx: int, by: int) -> Block:
        return cache.get_or_make(
            block_key(scope, cell, bx, by),
            key.municipality_id,
            block_area(cell, bx, by),
            lambda: count_block(session, timed, cell, bx, by),
        )

    answer = _composed(key, cell, block)
    assert answer is not None
    return answer


def kept_grid(
    key: ReportFilter, cell: tuple[float, float], cache: FreshCache[Block]
) -> MapAnswer | None:
    """``composed_grid`` from kept blocks only: None when one of them is not kept (no I/O)."""
    return _composed(key, cell, lambda scope, bx, by: cache.get(block_key(scope, cell, bx, by)))


# Composed answers kept by (filter, cell size), with the blocks they were made from: the
# same view over the same (identical) blocks is the same answer, and keeping it keeps its
# gzip body too (``MapAnswer.memo``). Every clerk's opening view is one such key; joining
# its cells and compressing them again took about 5 % of the whole-city view's time.
COMPOSED_KEEP: Final = 512
_composed_kept: dict[tuple[ReportFilter, tuple[float, float]], tuple[tuple[Block, ...], MapAnswer]]
_composed_kept = {}
_composed_lock = threading.Lock()


def _composed(
    key: ReportFilter,
    cell: tuple[float, float],
    block_at: Callable[[ReportFilter, int, int], Block | None],
) -> MapAnswer | None:
    assert key.bbox is not None
    cx, cy = cell
    b = key.bbox
    gx0, gy0 = _index(b.min_lon, cx), _index(b.min_lat, cy)
    gx1, gy1 = _index(b.max_lon, cx) - 1, _index(b.max_lat, cy) - 1
    scope = replace(key, bbox=None)
    n = BLOCK_CELLS
    blocks = []
    for bx in range(gx0 // n, gx1 // n + 1):
        for by in range(gy0 // n, gy1 // n + 1):
            block = block_at(scope, bx, by)
            if block is None:
                return None
            blocks.append(block)
    kept = _composed_kept.get((key, cell))
    if kept is not None and same_blocks(kept[0], blocks):
        return kept[1]
    parts, total = [], 0
    for block in blocks:
        for (gx, gy), (counts, text) in block.cells.items():
            if gx0 <= gx <= gx1 and gy0 <= gy <= gy1:
                parts.append(text)
                total += counts.n
    answer = MapAnswer("[" + ",".join(parts) + "]", "grid", total)
    with _composed_lock:
        _composed_kept.pop((key, cell), None)
        while len(_composed_kept) >= COMPOSED_KEEP:
            del _composed_kept[next(iter(_composed_kept))]  # the oldest
        _composed_kept[(key, cell)] = (tuple(blocks), answer)
    return answer
