"""Facility flags drawn on the map, with a name plate put where it hides the least.

``pick_plate`` and ``sample_polyline`` are pure geometry in page points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.lib.colors import black, white

from print.facilities import Flag
from print.maplayout import MM, Rect, Viewport
from print.mapsymbols import (
    BOX_HEIGHT_PT,
    DEPOT_COLOUR,
    Canvas,
    draw_symbol_box,
    symbol_box_width,
)

PLATE_NAME_PT = 8.5
PLATE_NOTE_PT = 9.5
PLATE_LINE_PT = 4.2 * MM
PLATE_PAD_PT = 1.2 * MM
ROUTE_CLEARANCE_PT = 2.0


Obstacle = tuple[float, float, float]
"""A disc to keep text off: centre x, centre y, radius (page points)."""


def _hits(rect: Rect, obstacle: Obstacle) -> bool:
    x, y, r = obstacle
    nearest_x = min(max(x, rect.x), rect.x + rect.width)
    nearest_y = min(max(y, rect.y), rect.y + rect.height)
    return math.hypot(x - nearest_x, y - nearest_y) < r


def pick_plate(
    candidates: Sequence[Rect],
    markers: Sequence[Obstacle],
    route: Sequence[Obstacle],
    frame: Rect,
) -> Rect:
    """Pick the label rectangle: inside the frame, over the fewest markers, then route samples.

    The first candidate wins ties, so callers list their preferred spot first.
    """

    def cost(rect: Rect) -> tuple[bool, int, int]:
        inside = frame.contains(rect.x, rect.y) and frame.contains(
            rect.x + rect.width, rect.y + rect.height
        )
        return (
            not inside,
            sum(1 for o in markers if _hits(rect, o)),
            sum(1 for o in route if _hits(rect, o)),
        )

    return min(candidates, key=cost)


def sample_polyline(
    line: Sequence[tuple[float, float]], step: float, near: Rect | None = None
) -> list[tuple[float, float]]:
    """Points every ``step`` (page points) along a polyline, its vertices included.

    With ``near``, only segments whose bounding box meets that rectangle are sampled: a
    zoomed map's route runs far off the page and would cost thousands of useless points.
    """
    points: list[tuple[float, float]] = []
    for a, b in zip(line, line[1:], strict=False):
        if near is not None and not near.meets_segment_box(a, b):
            continue
        count = max(1, int(math.dist(a, b) // step))
        steps = (
            (a[0] + (b[0] - a[0]) * k / count, a[1] + (b[1] - a[1]) * k / count)
            for k in range(count + 1)
        )
        points += [p for p in steps if near is None or near.contains(*p)]
    return points if len(line) > 1 else list(line)


def _around(rects: Sequence[Rect], pad: float) -> Rect:
    left = min(r.x for r in rects) - pad
    bottom = min(r.y for r in rects) - pad
    right = max(r.x + r.width for r in rects) + pad
    top = max(r.y + r.height for r in rects) + pad
    return Rect(left, bottom, right - left, top - bottom)


def draw_flag(
    canv: Canvas,
    viewport: Viewport,
    flag: Flag,
    font: str,
    markers: Sequence[Obstacle] = (),
    route_line: Sequence[tuple[float, float]] = (),
) -> None:
    """Draw a flag: a dot on the spot, the symbol boxes above it, a plate with name and note.

    The plate goes on whichever side hides the fewest ``markers`` (discs, page points), then
    the least of ``route_line`` (page polyline).
    """
    x, y = viewport.to_page(flag.place.lon, flag.place.lat)
    top = y + 7 * MM
    canv.setStrokeColor(black)
    canv.setFillColor(black)
    canv.setLineWidth(1.2)
    canv.line(x, y, x, top)
    canv.circle(x, y, 0.9 * MM, stroke=0, fill=1)
    widths = [symbol_box_width(canv, symbol, font) for symbol in flag.symbols]
    left = x - sum(widths) / 2
    for symbol, width in zip(flag.symbols, widths, strict=True):
        draw_symbol_box(canv, left + width / 2, top, symbol, font)
        left += width
    lines = [(flag.place.name, PLATE_NAME_PT), *([(flag.note, PLATE_NOTE_PT)] if flag.note else [])]
    plate_w = max(canv.stringWidth(t, font, size) for t, size in lines) + 2 * PLATE_PAD_PT
    plate_h = len(lines) * PLATE_LINE_PT + PLATE_PAD_PT
    candidates = _plate_candidates(x, y, top, sum(widths) / 2, plate_w, plate_h)
    near = _around(candidates, ROUTE_CLEARANCE_PT)
    route = [(px, py, ROUTE_CLEARANCE_PT) for px, py in sample_polyline(route_line, 3.0, near)]
    plate = pick_plate(candidates, markers, route, viewport.frame)
    _draw_plate(canv, plate, lines, font)


def _plate_candidates(
    x: float, y: float, top: float, half_boxes: float, w: float, h: float
) -> list[Rect]:
    beside = top + BOX_HEIGHT_PT / 2 - h  # top edges level with the symbol boxes
    below = y - 1.5 * MM - h
    return [
        Rect(x + half_boxes + 1 * MM, beside, w, h),
        Rect(x - half_boxes - 1 * MM - w, beside, w, h),
        Rect(x - w / 2, top + BOX_HEIGHT_PT / 2 + 1 * MM, w, h),
        Rect(x + 1.5 * MM, below, w, h),
        Rect(x - 1.5 * MM - w, below, w, h),
    ]


def _draw_plate(canv: Canvas, plate: Rect, lines: list[tuple[str, float]], font: str) -> None:
    canv.setFillColor(white)
    canv.setStrokeColor(DEPOT_COLOUR)
    canv.setLineWidth(0.5)
    canv.rect(plate.x, plate.y, plate.width, plate.height, stroke=1, fill=1)
    canv.setFillColor(black)
    baseline = plate.y + plate.height - PLATE_PAD_PT / 2
    for text, size in lines:
        baseline -= PLATE_LINE_PT
        canv.setFont(font, size)
        canv.drawString(plate.x + PLATE_PAD_PT, baseline + 0.25 * PLATE_LINE_PT, text)
