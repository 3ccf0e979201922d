"""Draw a street-level stop map: title lines, house-map streets, pickup point, approach arrow.

Two maps share a page after the stop table; the stop's number and booking number in the
title tie each map to its row of the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.platypus import Flowable

from print import texts
from print.maplayout import MARKER_RADIUS_PT, MM, Marker, Rect
from print.mapsymbols import (
    ROUTE_DARK,
    Canvas,
    draw_arrow_head,
    draw_attribution,
    draw_marker,
    draw_north_arrow,
    draw_scale_bar,
)
from print.model import RouteSheet, StopRow, Street
from print.stopmaps import MAX_GROUP, StopMap, approach_tail, stop_markers
from print.stoptable import put_out_text
from print.streetmap import (
    Points,
    StreetIndex,
    draw_route,
    draw_street_labels,
    road_style,
    stroke_polylines,
    visible_streets,
)

TITLE_LINE_PT = 6.0 * MM
BLOCK_GAP_PT = 4.0 * MM  # above each block, so two blocks on a page stand apart
TITLE_HEIGHT_PT = MAX_GROUP * TITLE_LINE_PT + 1.5 * MM + BLOCK_GAP_PT
KEY_HEIGHT_PT = 9.0 * MM
ARROW_BACK_PT = 6.5 * MM  # the approach's arrow head stands this far before the stop
TITLE_SIZE_PT, TITLE_MIN_SIZE_PT = 10.5, 6.5
GROUND = HexColor("#efece6")
POINT_COLOUR = HexColor("#c2185b")  # not a status colour: it marks "here", not a state
# (width, fill, casing) by road class rank (service, minor, medium, major): roads drawn as a
# 住宅地図 draws them, white between two lines
STREET_LEVEL: tuple[tuple[float, Color, Color], ...] = (
    (3.2, white, HexColor("#b4b4b4")),
    (5.5, white, HexColor("#8a8a8a")),
    (8.0, white, HexColor("#6e6e6e")),
    (10.0, HexColor("#ffe08a"), HexColor("#5a5a5a")),
)


def stop_frame(width: float, height: float) -> Rect:
    """The map frame of a stop map block of that size, in the block's own coordinates."""
    return Rect(0.0, KEY_HEIGHT_PT, width, height - TITLE_HEIGHT_PT - KEY_HEIGHT_PT)


class StopMapBlock(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """One stop map with its title: half an A4 or A3 content area."""

    def __init__(
        self, route: RouteSheet, stop_map: StopMap, index: StreetIndex, size: tuple[float, float],
        font: str,
    ) -> None:  # fmt: skip
        super().__init__()
        self.route, self.stop_map, self.index, self.font = route, stop_map, index, font
        self.width, self.height = size

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        frame = self.stop_map.viewport.frame
        stops = self.stop_map.stops
        for k, stop in enumerate(stops):  # the lines sit on the map, the gap above them
            y = frame.y + frame.height + 1.5 * MM + (len(stops) - k - 0.5) * TITLE_LINE_PT
            _draw_title_line(self.canv, stop, y, frame, self.font)
        draw_stop_map(self.canv, self.route, self.stop_map, self.font, self.index)


def title_text(stop: StopRow) -> str:
    """Booking number, address, address line and put-out place of one stop, on one line."""
    place = stop.address
    if stop.district and stop.district not in place:
        place += f"（{stop.district}）"
    parts = [texts.STOP_MAP_BOOKING.format(booking=stop.booking_no), place]
    parts += [p for p in (stop.address_line, put_out_text(stop)) if p]
    return "　".join(parts)


def _draw_title_line(canv: Canvas, stop: StopRow, y: float, frame: Rect, font: str) -> None:
    radius = MARKER_RADIUS_PT * 0.85
    x = frame.x + radius + 0.5
    draw_marker(canv, Marker(stop.seq, stop.kind, x, y, x, y), radius, font)
    text, left = title_text(stop), frame.x + 2 * radius + 2.5 * MM
    room = frame.x + frame.width - left
    size = TITLE_SIZE_PT
    while size > TITLE_MIN_SIZE_PT and canv.stringWidth(text, font, size) > room:
        size -= 0.5
    while len(text) > 1 and canv.stringWidth(text, font, size) > room:
        text = text[:-2] + "…"  # the table row has it in full
    canv.setFillColor(black)
    canv.setFont(font, size)
    canv.drawString(left, y - size * 0.36, text)


def draw_stop_map(
    canv: Canvas, route: RouteSheet, stop_map: StopMap, font: str, index: StreetIndex
) -> None:
    """Draw the map of ``stop_map`` into its viewport's frame."""
    viewport = stop_map.viewport
    frame = viewport.frame
    streets = list(visible_streets(index, viewport))
    line = [viewport.to_page(lon, lat) for lon, lat in route.route_line]
    canv.saveState()
    clip = canv.beginPath()
    clip.rect(frame.x, frame.y, frame.width, frame.height)
    canv.clipPath(clip, stroke=0, fill=0)
    canv.setFillColor(GROUND)
    canv.rect(frame.x, frame.y, frame.width, frame.height, stroke=0, fill=1)
    draw_street_level(canv, streets)
    draw_street_labels(canv, streets, frame, line, font)
    draw_route(canv, line, frame)
    for stop in stop_map.stops:
        leg = [viewport.to_page(lon, lat) for lon, lat in stop.approach_4326]
        draw_approach(canv, approach_tail(leg))
    for stop in stop_map.stops:
        draw_pickup_point(canv, *viewport.to_page(stop.lon, stop.lat))
    for marker in stop_markers(route, stop_map):
        draw_marker(canv, marker, MARKER_RADIUS_PT, font)
    canv.restoreState()
    _draw_key(canv, stop_map, font)
    draw_attribution(canv, frame, font)
    canv.setStrokeColor(black)
    canv.setLineWidth(1.2)
    canv.rect(frame.x, frame.y, frame.width, frame.height, stroke=1, fill=0)


def draw_street_level(canv: Canvas, streets: Sequence[tuple[Street, Points]]) -> None:
    """Roads as double lines: every casing first, then the fills, so crossings stay open."""
    by_rank: list[list[Points]] = [[] for _ in STREET_LEVEL]
    for street, pts in streets:
        by_rank[road_style(street.highway).rank].append(pts)
    canv.setLineCap(1)
    canv.setLineJoin(1)
    for casing in (True, False):
        for (width, fill, edge), polylines in zip(STREET_LEVEL, by_rank, strict=True):
            canv.setStrokeColor(edge if casing else fill)
            canv.setLineWidth(width + 1.6 if casing else width)
            stroke_polylines(canv, polylines)


def draw_approach(canv: Canvas, tail: Points) -> None:
    """The last stretch of the leg from the previous stop: a dark line ending in an arrow."""
    if len(tail) < 2:
        return
    for colour, width in ((white, 7.0), (ROUTE_DARK, 4.2)):
        canv.setStrokeColor(colour)
        canv.setLineWidth(width)
        stroke_polylines(canv, [tail])
    # the head stops short of the end, which the pickup point's ring covers
    (ax, ay), (bx, by) = approach_tail(tail, ARROW_BACK_PT)[0], tail[-1]
    if math.dist((ax, ay), (bx, by)) < ARROW_BACK_PT * 0.9:  # a short tail: its last segment
        (ax, ay) = tail[-2]
    canv.setFillColor(ROUTE_DARK)
    canv.setStrokeColor(white)
    canv.setLineWidth(0.8)
    draw_arrow_head(canv, ax, ay, math.atan2(by - ay, bx - ax), 3.4 * MM)


def draw_pickup_point(canv: Canvas, x: float, y: float) -> None:
    """The exact spot: a ring round a dot, drawn over the roads and the route."""
    canv.setStrokeColor(white)
    canv.setLineWidth(3.4)
    canv.circle(x, y, 2.4 * MM, stroke=1, fill=0)
    canv.setStrokeColor(POINT_COLOUR)
    canv.setLineWidth(1.8)
    canv.circle(x, y, 2.4 * MM, stroke=1, fill=0)
    canv.setFillColor(POINT_COLOUR)
    canv.circle(x, y, 0.9 * MM, stroke=0, fill=1)


def _draw_key(canv: Canvas, stop_map: StopMap, font: str) -> None:
    """One row under the map: the approach arrow, the pickup point, the scale bar and scale."""
    frame = stop_map.viewport.frame
    row = frame.y - KEY_HEIGHT_PT / 2 + 0.5 * MM
    draw_approach(canv, [(frame.x + 1 * MM, row), (frame.x + 14 * MM, row)])
    draw_pickup_point(canv, frame.x + 62 * MM, row)
    canv.setFillColor(black)
    canv.setFont(font, 8.5)
    canv.drawString(frame.x + 16 * MM, row - 3.0, texts.LEGEND_APPROACH)
    canv.drawString(frame.x + 66 * MM, row - 3.0, texts.LEGEND_PICKUP_POINT)
    right = frame.x + frame.width
    draw_scale_bar(canv, stop_map.viewport, right - 82 * MM, row + 0.5 * MM, font)
    scale = round(stop_map.scale_denominator / 100) * 100
    canv.drawRightString(right, row - 3.0, texts.STOP_MAP_SCALE.format(scale=scale))
    draw_north_arrow(canv, right - 15 * MM, frame.y + frame.height - 9 * MM, font)
