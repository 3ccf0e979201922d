"""A town's grid counts at one fine cell, summed into the coarser cells of any wide view.

Grid cells are powers of two of a degree (``geo.report_queries.grid_cell_deg``), so every
coarser cell is a whole square of ``BASE_CELL`` cells. Counting a town once at ``BASE_CELL``
answers every wider view of it, whatever its size and position: clerks' whole-city views
differ by window size and by how far they dragged the map, and each bbox counted on its own
cost a scan of every report in the town (1.5 s at a million), several per poll.

The features built here are those ``report_grid`` builds in SQL: the mean position of the
cell's reports, counts by status, ``urgent``, ``overdue`` and the cell's bounds.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Hashable
from typing import Final

from geo.report_cells import CellCounts
from geo.report_queries import BBox, MapAnswer

__all__ = ["BASE_CELL", "BASE_LOG2", "CellCounts", "TownGrid", "coarser", "covers"]

BASE_LOG2: Final = -9  # the finest cell of a view wider than a street (0.03° / 14 cells)
BASE_CELL: Final = (2.0**BASE_LOG2, 2.0**BASE_LOG2 * 0.8)
ANSWERS_KEPT: Final = 64  # views of one town's counts kept as answers (window sizes, pans)
TILES_KEPT: Final = 256  # tiles cut from one town's counts kept (``tile``)


class TownGrid:
    """A town's counts at ``BASE_CELL``, and the coarser levels made from them (kept)."""

    def __init__(self, rows: list[CellCounts]) -> None:
        self.total = sum(r.n for r in rows)
        self._rows = rows
        self._levels: dict[int, list[tuple[CellCounts, str]]] = {}
        self._answers: dict[tuple[tuple[float, float], BBox], MapAnswer] = {}
        self._tiles: dict[Hashable, bytes] = {}
        self._cutting: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def rows_in(self, bbox: BBox) -> list[CellCounts]:
        """The base cells whose reports' mean position lies in ``bbox``.

        West and south edges are in, east and north out: neighbouring boxes share no cell.
        """
        return [
            r for r in self._rows
            if bbox.min_lon <= r.lon < bbox.max_lon and bbox.min_lat <= r.lat < bbox.max_lat
        ]  # fmt: skip

    def answer(self, cell: tuple[float, float], bbox: BBox) -> MapAnswer | None:
        """``view`` as a grid ``MapAnswer``, kept while these counts are (None: too fine).

        Every clerk's opening view is one of a few bboxes, and the same answer object keeps
        its gzip body too: joining the cells and compressing them again was about 5 % of a
        whole-city view's time.
        """
        key = (cell, bbox)
        kept = self._answers.get(key)
        if kept is not None:
            return kept
        view = self.view(cell, bbox)
        if view is None:
            return None
        answer = MapAnswer(view[0], "grid", view[1])
        with self._lock:
            while len(self._answers) >= ANSWERS_KEPT:
                del self._answers[next(iter(self._answers))]  # the oldest
            self._answers[key] = answer
        return answer

    def kept_tile(self, key: Hashable) -> bytes | None:
        """The tile ``tile`` cut for ``key`` from these counts, if it was (no cut)."""
        with self._lock:
            return self._tiles.get(key)

    def tile(self, key: Hashable, cut: Callable[[], bytes]) -> bytes:
        """``cut()``, a tile made from these counts, kept while they are; cut once per key.

        While a changed block is counted again, the last counts answer every whole-city tile
        (``workflow.maps.tiles``); at a million reports under changes that is most of the
        time, and every request cut its tile again in SQL (p95 over 160 ms at 20 clients).
        """
        with self._lock:
            body = self._tiles.get(key)
            if body is not None:
                return body
            cutting = self._cutting.setdefault(key, threading.Lock())
        with cutting:
            with self._lock:
                body = self._tiles.get(key)
            if body is None:
                body = cut()
                with self._lock:
                    if len(self._tiles) < TILES_KEPT:
                        self._tiles[key] = body
        with self._lock:
            self._cutting.pop(key, None)
        return body

    def view(self, cell: tuple[float, float], bbox: BBox) -> tuple[str, int] | None:
        """The grid of a view: cells of size ``cell`` inside ``bbox`` (snapped to whole cells).

        Returns:
            The cells as a JSON array of GeoJSON Features and the reports they hold; None for
            a cell finer than ``BASE_CELL``.
        """
        step = _step(cell)
        if step is None:
            return None
        cx, cy = cell
        gx0, gy0 = round(bbox.min_lon / cx), round(bbox.min_lat / cy)
        gx1, gy1 = round(bbox.max_lon / cx), round(bbox.max_lat / cy)
        parts, total = [], 0
        for c, feature in self._level(step, cx, cy):
            if gx0 <= c.gx < gx1 and gy0 <= c.gy < gy1:
                parts.append(feature)
                total += c.n
        return "[" + ",".join(parts) + "]", total

    def _level(self, step: int, cx: float, cy: float) -> list[tuple[CellCounts, str]]:
        """The cells ``step`` halvings above the base, each with its feature (made once)."""
        with self._lock:
            level = self._levels.get(step)
            if level is None:
                cells = coarser(self._rows, 2**step)
                level = self._levels[step] = [(c, _feature(c, cx, cy)) for c in cells]
            return level


def _step(cell: tuple[float, float]) -> int | None:
    """How many halvings ``cell`` is above ``BASE_CELL`` (None: finer, or not a power of two)."""
    exponent = math.log2(cell[0])
    if exponent != round(exponent) or exponent < BASE_LOG2:
        return None
    return int(exponent) - BASE_LOG2


def coarser(rows: list[CellCounts], factor: int) -> list[CellCounts]:
    """``rows`` summed into cells ``factor`` times as wide and as high."""
    if factor == 1:
        return rows
    sums: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        key = (r.gx // factor, r.gy // factor)
        s = sums.get(key)
        if s is None:
            s = sums[key] = [0.0] * 9
        s[0] += r.n
        s[1] += r.lon * r.n
        s[2] += r.lat * r.n
        for i in range(3, 9):
            s[i] += r[i + 2]
    return [
        CellCounts(gx, gy, int(s[0]), s[1] / s[0], s[2] / s[0], *(int(v) for v in s[3:]))
        for (gx, gy), s in sums.items()
    ]


def _feature(c: CellCounts, cx: float, cy: float) -> str:
    return json.dumps(
        {
            "type": "Feature",
            "id": f"g{c.gx}_{c.gy}",
            "geometry": {"type": "Point", "coordinates": [round(c.lon, 6), round(c.lat, 6)]},
            "properties": {
                "cluster": True,
                "count": c.n,
                "received": c.received,
                "in_progress": c.in_progress,
                "done": c.done,
                "closed": c.closed,
                "urgent": c.urgent,
                "overdue": c.overdue,
                "cell": [c.gx * cx, c.gy * cy, (c.gx + 1) * cx, (c.gy + 1) * cy],
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def covers(cell: tuple[float, float]) -> bool:
    """Whether a view's ``cell`` can be made from ``BASE_CELL`` counts."""
    return _step(cell) is not None
