"""How the block keeper makes a dropped block again: what it patches, and where a block lies.

A block a change dropped is made from the old one and a count of the cells the change
touched (a ``Patch``), unless the change spread over more than ``PATCH_MOST`` of its cells or
a whole count was already due; ``redo_after`` folds a further drop into what is pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from workflow.desk.grid_blocks import BLOCK_CELLS, Block, BlockKey, CellRange
from workflow.fresh import Dropped

Cell = tuple[float, float]
# A block, the cells to count again on it (None: none), and the change it is current as of
# but for those cells (a change dropped it: the cells that change touched, and its number).
Patch = tuple[Block, CellRange | None, int]
PATCH_MOST: Final = 16  # a change touching more of a block's cells has the block counted whole


@dataclass(frozen=True)
class Spot:
    """A block: its cache key and area, and where it lies in the grid of ``cell``."""

    key: BlockKey
    area: tuple[float, float, float, float]
    cell: Cell
    bx: int
    by: int


@dataclass(frozen=True)
class Redo:
    """How a block is made again: patched from the dropped one, or counted whole (None)."""

    used: float | None  # when the block was last asked for (None: now)
    patch: Patch | None


def redo_after(pending: Redo | None, gone: Dropped[Block], cells: CellRange | None) -> Redo:
    """What to do for a block ``gone``, with ``pending`` not done yet (a change's ``cells``)."""
    used = gone.used if gone.old is not None else None  # else expired or missed: asked now
    if pending is not None:
        used = None if pending.used is None or used is None else max(pending.used, used)
    if cells is None or size(cells) > PATCH_MOST or (pending and pending.patch is None):
        return Redo(used, None)
    assert gone.old is not None
    if pending is not None and pending.patch is not None:  # the newer old block; every cell
        cells = (
            cells if pending.patch[1] is None else union(pending.patch[1], cells)
        )  # touched since the older one was dropped
    return Redo(used, (gone.old, cells, gone.change))


def whole_block(bx: int, by: int) -> CellRange:
    """Every cell of block (``bx``, ``by``)."""
    n = BLOCK_CELLS
    return (bx * n, bx * n + n - 1, by * n, by * n + n - 1)


def size(cells: CellRange) -> int:
    """How many cells ``cells`` spans."""
    return (cells[1] - cells[0] + 1) * (cells[3] - cells[2] + 1)


def union(a: CellRange, b: CellRange) -> CellRange:
    """The smallest range holding both."""
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))
