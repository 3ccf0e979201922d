"""Vector street map of one truck's route: streets, names, route with arrows, numbered stops."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor, white

from maps import roadstyle
from print import texts
from print.facilities import place_flags
from print.maplayout import MARKER_RADIUS_PT, MM, MapView, Rect, Viewport
from print.mapsymbols import (
    INSET_COLOUR,
    ROUTE_COLOUR,
    ROUTE_DARK,
    Canvas,
    draw_arrow_head,
    draw_attribution,
    draw_halo_text,
    draw_marker,
)
from print.model import RouteSheet, Street
from print.plates import draw_flag
from print.streetlabels import LABEL_SIZE_PT, NamedStreet, place_street_labels

Points = list[tuple[float, float]]
ARROW_SPACING_PT = 28 * MM
INSET_LABEL_RISE_PT = 3.2 * MM


@dataclass(frozen=True)
class RoadStyle:
    rank: int
    width: float
    colour: Color
    casing: Color | None = None


def _paper(cls: roadstyle.RoadClass) -> RoadStyle:
    casing = HexColor(cls.casing) if cls.casing else None
    return RoadStyle(cls.rank, cls.width_pt, HexColor(cls.colour), casing)


# The classes of maps/roadstyle.py (shared with the screen maps), as reportlab colours.
MAJOR, MEDIUM, MINOR, SERVICE = (
    _paper(c) for c in (roadstyle.MAJOR, roadstyle.MEDIUM, roadstyle.MINOR, roadstyle.SERVICE)
)
_BY_NAME = {"major": MAJOR, "medium": MEDIUM, "minor": MINOR, "service": SERVICE}


def road_style(highway: str | None) -> RoadStyle:
    return _BY_NAME[roadstyle.road_class(highway).name]


def draw_map(
    canv: Canvas, route: RouteSheet, view: MapView, font: str, index: StreetIndex | None = None
) -> None:
    """Draw one map view of ``route`` into ``view.viewport.frame`` on the canvas.

    ``index`` is ``index_streets(route.streets)``, passed in when a route has several views.
    """
    viewport = view.viewport
    frame = viewport.frame
    streets = list(visible_streets(index or index_streets(route.streets), viewport))
    canv.saveState()
    clip = canv.beginPath()
    clip.rect(frame.x, frame.y, frame.width, frame.height)
    canv.clipPath(clip, stroke=0, fill=0)
    line = [viewport.to_page(lon, lat) for lon, lat in route.route_line]
    _draw_streets(canv, streets)
    draw_street_labels(canv, streets, frame, line, font)
    draw_route(canv, line, frame)
    for box in view.insets:
        _draw_inset_box(canv, box.rect, texts.INSET_BOX.format(number=box.index), font)
    markers = [(m.x, m.y, MARKER_RADIUS_PT) for m in view.markers] + [
        (b.rect.x + b.rect.width / 2, b.rect.y + b.rect.height + INSET_LABEL_RISE_PT, 4 * MM)
        for b in view.insets  # the 拡大図N labels
    ]
    for flag in place_flags(route):
        draw_flag(canv, viewport, flag, font, markers, line)
    for marker in sorted(view.markers, key=lambda m: m.style != "dot"):
        draw_marker(canv, marker, MARKER_RADIUS_PT, font)
    canv.restoreState()
    draw_attribution(canv, frame, font)
    canv.setStrokeColor(HexColor("#000000"))
    canv.setLineWidth(1.2)
    canv.rect(frame.x, frame.y, frame.width, frame.height, stroke=1, fill=0)


@dataclass(frozen=True)
class StreetIndex:
    """A route's streets with their (lon, lat) bounding boxes, computed once for all its views.

    A zoomed view shows a few hundred metres of a route's thousands of street segments:
    skipping the others by their boxes saves projecting every vertex onto every page.
    """

    streets: tuple[Street, ...]
    boxes: tuple[tuple[float, float, float, float], ...]  # min lon, min lat, max lon, max lat


def index_streets(streets: Sequence[Street]) -> StreetIndex:
    """Index streets for ``draw_map``; streets with fewer than two vertices are dropped."""
    kept = tuple(s for s in streets if len(s.coords_4326) >= 2)
    boxes = []
    for street in kept:
        lons = [c[0] for c in street.coords_4326]
        lats = [c[1] for c in street.coords_4326]
        boxes.append((min(lons), min(lats), max(lons), max(lats)))
    return StreetIndex(kept, tuple(boxes))


def placed_streets(index: StreetIndex, viewport: Viewport) -> list[Points]:
    """The street polylines a map view draws, in page points.

    They run past the frame, which clips them; the worksheet tests read them to check that
    streets cover the whole frame.
    """
    return [pts for _street, pts in visible_streets(index, viewport)]


def visible_streets(index: StreetIndex, viewport: Viewport) -> Iterator[tuple[Street, Points]]:
    """Streets whose boxes meet the frame (grown by 10 mm), projected to page points."""
    grown = viewport.frame.inset(-10 * MM)
    west, south = viewport.to_lonlat(grown.x, grown.y)
    east, north = viewport.to_lonlat(grown.x + grown.width, grown.y + grown.height)
    for street, (min_lon, min_lat, max_lon, max_lat) in zip(
        index.streets, index.boxes, strict=True
    ):
        if max_lon >= west and min_lon <= east and max_lat >= south and min_lat <= north:
            yield street, [viewport.to_page(lon, lat) for lon, lat in street.coords_4326]


def path_operators(polylines: Sequence[Points]) -> str:
    """PDF path operators (m/l) for polylines in page points, 0.1 pt precision."""
    parts: list[str] = []
    for pts in polylines:
        parts.append(f"{pts[0][0]:.1f} {pts[0][1]:.1f} m")
        parts.extend(f"{x:.1f} {y:.1f} l" for x, y in pts[1:])
    return "\n".join(parts)


def stroke_polylines(canv: Canvas, polylines: Sequence[Points]) -> None:
    # thousands of street vertices: writing the operators directly is ~5x faster than
    # reportlab's path object, which formats every number through its generic float formatter
    if polylines:
        canv.addLiteral(path_operators(polylines) + "\nS")


def _draw_streets(canv: Canvas, streets: list[tuple[Street, Points]]) -> None:
    canv.setLineCap(1)
    canv.setLineJoin(1)
    for style in (SERVICE, MINOR, MEDIUM, MAJOR):
        layer = [pts for street, pts in streets if road_style(street.highway) is style]
        if style.casing is not None:
            canv.setStrokeColor(style.casing)
            canv.setLineWidth(style.width + 1.6)
            stroke_polylines(canv, layer)
        canv.setStrokeColor(style.colour)
        canv.setLineWidth(style.width)
        stroke_polylines(canv, layer)


def draw_street_labels(
    canv: Canvas, streets: list[tuple[Street, Points]], frame: Rect, route: Points, font: str
) -> None:
    named = [
        NamedStreet(street.name, road_style(street.highway).rank, pts)
        for street, pts in streets
        if street.name
    ]

    def text_width(name: str) -> float:
        return float(canv.stringWidth(name, font, LABEL_SIZE_PT))

    for label in place_street_labels(named, frame, route, text_width):
        canv.saveState()
        canv.translate(label.x, label.y)
        canv.rotate(math.degrees(label.angle_rad))
        draw_halo_text(canv, 0.0, 0.0, label.name, font, LABEL_SIZE_PT)
        canv.restoreState()


def visible_runs(line: Points, rect: Rect) -> list[Points]:
    """The stretches of a page polyline whose segments come near ``rect``, in order.

    A zoomed view's route runs mostly off the page: drawing it all (and an arrow every
    28 mm along it) made the PDF larger and slower for nothing the crew can see.
    """
    runs: list[Points] = []
    current: Points = []
    for a, b in zip(line, line[1:], strict=False):
        if rect.meets_segment_box(a, b):
            current = current or [a]
            current.append(b)
        elif current:
            runs.append(current)
            current = []
    return [*runs, current] if current else runs


def draw_route(canv: Canvas, line: Points, frame: Rect) -> None:
    if len(line) < 2:
        return
    runs = visible_runs(line, frame.inset(-5 * MM))
    canv.setLineCap(1)
    canv.setLineJoin(1)
    canv.setStrokeColor(white)
    canv.setLineWidth(6.0)
    stroke_polylines(canv, runs)
    canv.setStrokeColor(ROUTE_COLOUR)
    canv.setLineWidth(3.6)
    stroke_polylines(canv, runs)
    canv.setFillColor(ROUTE_DARK)
    canv.setStrokeColor(white)
    canv.setLineWidth(0.6)
    near = frame.inset(-3 * MM)
    for x, y, angle in arrow_positions(line, ARROW_SPACING_PT):
        if near.contains(x, y):  # spaced along the whole line, so they stay put per page
            draw_arrow_head(canv, x, y, angle, 2.2 * MM)


def arrow_positions(line: Points, spacing: float) -> list[tuple[float, float, float]]:
    """Points (x, y, heading in radians) every ``spacing`` along a page polyline."""
    result: list[tuple[float, float, float]] = []
    next_at = spacing / 2
    walked = 0.0
    for a, b in zip(line, line[1:], strict=False):
        seg = math.dist(a, b)
        angle = math.atan2(b[1] - a[1], b[0] - a[0])
        while seg > 0 and next_at <= walked + seg:
            t = (next_at - walked) / seg
            result.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, angle))
            next_at += spacing
        walked += seg
    return result


def _draw_inset_box(canv: Canvas, rect: Rect, text: str, font: str) -> None:
    canv.setStrokeColor(INSET_COLOUR)
    canv.setLineWidth(1.4)
    canv.setDash(4, 2.5)
    canv.rect(rect.x, rect.y, rect.width, rect.height, stroke=1, fill=0)
    canv.setDash()
    draw_halo_text(
        canv, rect.x + rect.width / 2, rect.y + rect.height + INSET_LABEL_RISE_PT, text, font, 9.0
    )
