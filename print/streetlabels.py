"""Where street names go: along the longer straight stretches, upright, never overlapping."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shapely import clip_by_rect
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from print.maplayout import MM, Rect

Point = tuple[float, float]
Points = list[Point]
LABEL_SIZE_PT = 7.5
ALONG_FRACTIONS = (0.5, 0.3, 0.7, 0.15, 0.85)
SAME_NAME_GAP_PT = 60 * MM
END_CLEARANCE_PT = 2 * MM


@dataclass(frozen=True)
class StreetLabel:
    """A street name centred on (x, y), rotated by ``angle_rad``, occupying ``outline``."""

    name: str
    x: float
    y: float
    angle_rad: float
    outline: Polygon


@dataclass(frozen=True)
class NamedStreet:
    name: str
    rank: int
    pts: Points


def place_street_labels(
    streets: Sequence[NamedStreet], frame: Rect, route: Points, text_width: Callable[[str], float]
) -> list[StreetLabel]:
    """Pick label spots: major roads first, inside the frame, off the route, no overlaps."""
    inner = frame.inset(3 * MM)
    inside = prep(box(inner.x, inner.y, inner.x + inner.width, inner.y + inner.height))
    on_route = _route_area(route, frame)
    runs = [(street, longest_straight_run(street.pts)) for street in streets]
    runs.sort(key=lambda sr: (-sr[0].rank, -math.dist(*sr[1])))
    placed: list[StreetLabel] = []
    for street, (a, b) in runs:
        for label in _candidates(street.name, a, b, text_width(street.name)):
            if not inside.contains(label.outline) or _collides(label, placed):
                continue
            if on_route is not None and on_route.intersects(label.outline):
                continue
            placed.append(label)
            break
    return placed


def _route_area(route: Points, frame: Rect) -> PreparedGeometry[BaseGeometry] | None:
    """The route line grown by 3 pt, only where it crosses the frame.

    Buffering the whole line of a zoomed view, mostly off the page, was the slowest step.
    """
    if len(route) < 2:
        return None
    near = clip_by_rect(LineString(route), frame.x - 5, frame.y - 5,
                        frame.x + frame.width + 5, frame.y + frame.height + 5)  # fmt: skip
    return None if near.is_empty else prep(near.buffer(3.0))


def _candidates(name: str, a: Point, b: Point, width: float) -> list[StreetLabel]:
    length = math.dist(a, b)
    angle = _upright_angle(a, b)
    result = []
    for t in ALONG_FRACTIONS:
        if min(t, 1 - t) * length < width / 2 + END_CLEARANCE_PT:
            continue
        x, y = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        result.append(StreetLabel(name, x, y, angle, _outline(x, y, angle, width)))
    return result


def _outline(x: float, y: float, angle: float, width: float) -> Polygon:
    half_w, half_h = width / 2 + 1.0, LABEL_SIZE_PT * 0.75
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    corners = [(-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h)]
    return Polygon([(x + u * cos_a - v * sin_a, y + u * sin_a + v * cos_a) for u, v in corners])


def _collides(label: StreetLabel, placed: list[StreetLabel]) -> bool:
    for other in placed:
        if label.outline.intersects(other.outline):
            return True
        if other.name == label.name and math.dist((label.x, label.y), (other.x, other.y)) < (
            SAME_NAME_GAP_PT
        ):
            return True
    return False


def _upright_angle(a: Point, b: Point) -> float:
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    if angle > math.pi / 2:
        angle -= math.pi
    elif angle <= -math.pi / 2:
        angle += math.pi
    return angle


def longest_straight_run(pts: Points, max_turn_rad: float = math.radians(8)) -> tuple[Point, Point]:
    """Return the ends of the longest stretch of a polyline that turns less than the limit."""
    best = (pts[0], pts[1])
    start = 0
    heading = turn = math.atan2(pts[1][1] - pts[0][1], pts[1][0] - pts[0][0])
    for i in range(1, len(pts)):
        if i + 1 < len(pts):
            turn = math.atan2(pts[i + 1][1] - pts[i][1], pts[i + 1][0] - pts[i][0])
            if abs((turn - heading + math.pi) % (2 * math.pi) - math.pi) <= max_turn_rad:
                continue
        if math.dist(pts[start], pts[i]) > math.dist(*best):
            best = (pts[start], pts[i])
        start, heading = i, turn
    return best
