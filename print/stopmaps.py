"""Street-level stop maps: one per stop, or per run of nearby stops, at about 1:2,500–1:5,000.

Pure layout in page points (origin bottom left): which stops share a map, the map's viewport,
where each stop's number goes and the last stretch of the leg that shows the approach.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from print.maplayout import MARKER_RADIUS_PT, Marker, fit_viewport, spread_markers
from print.model import RouteSheet, StopRow
from print.viewport import MM, Rect, Viewport

LARGEST_SCALE = 2_500  # a lone stop is drawn at 1:2,500 ...
SMALLEST_SCALE = 5_000  # ... a group only while it fits at 1:5,000, else it splits
MAX_GROUP = 3  # the title lists each stop of a map on its own line
APPROACH_LENGTH_PT = 45 * MM  # the last part of the leg drawn as the approach arrow
NUMBER_OFFSET_PT = 8 * MM  # the number sits beside the point, a leader line to it

Points = list[tuple[float, float]]


def pt_per_m(scale_denominator: float) -> float:
    """Page points per ground metre at 1:``scale_denominator``."""
    return 1000.0 * MM / scale_denominator


@dataclass(frozen=True)
class StopMap:
    """One street-level map: its stops (pickups in driving order) and its viewport."""

    number: int  # 1, 2, … within the truck's section
    stops: tuple[StopRow, ...]
    viewport: Viewport

    @property
    def scale_denominator(self) -> float:
        """N of the map's scale 1:N."""
        return 1000.0 * MM / self.viewport.scale_pt_per_m


def stop_viewport(stops: Sequence[StopRow], frame: Rect) -> Viewport:
    """Centre the stops in ``frame`` at the largest scale that shows them all, 1:2,500 at most."""
    fitted = fit_viewport([(s.lon, s.lat) for s in stops], frame, 1.0)
    return replace(fitted, scale_pt_per_m=min(fitted.scale_pt_per_m, pt_per_m(LARGEST_SCALE)))


def _fits(stops: Sequence[StopRow], frame: Rect) -> bool:
    return stop_viewport(stops, frame).scale_pt_per_m >= pt_per_m(SMALLEST_SCALE) * 0.999


def plan_stop_maps(route: RouteSheet, frame: Rect) -> tuple[StopMap, ...]:
    """Group the route's pickups in driving order, one street-level map per group.

    A stop joins the previous map while the group still fits ``frame`` at 1:5,000 and has
    fewer than MAX_GROUP stops.
    """
    groups: list[list[StopRow]] = []
    for stop in (s for s in route.stops if s.kind == "pickup"):
        if groups and len(groups[-1]) < MAX_GROUP and _fits([*groups[-1], stop], frame):
            groups[-1].append(stop)
        else:
            groups.append([stop])
    return tuple(
        StopMap(k, tuple(group), stop_viewport(group, frame))
        for k, group in enumerate(groups, start=1)
    )


def approach_tail(leg: Points, length: float = APPROACH_LENGTH_PT) -> Points:
    """The last ``length`` (page points) of a leg polyline, in driving order.

    Empty when the leg has no length (the previous stop stood on the same spot).
    """
    tail = [leg[-1]] if leg else []
    left = length
    for a, b in zip(reversed(leg[:-1]), reversed(leg[1:]), strict=True):
        step = math.dist(a, b)
        if step >= left:
            t = left / step
            tail.append((b[0] + (a[0] - b[0]) * t, b[1] + (a[1] - b[1]) * t))
            break
        tail.append(a)
        left -= step
    tail.reverse()
    moved = len(tail) >= 2 and any(math.dist(tail[-1], p) > 0.5 for p in tail)
    return tail if moved else []


def _beside(anchor: tuple[float, float], tail: Points) -> tuple[float, float]:
    """Where a stop's number goes: off the road it was approached on, on the upper side."""
    if len(tail) >= 2:
        heading = math.atan2(tail[-1][1] - tail[-2][1], tail[-1][0] - tail[-2][0])
        side = heading + math.pi / 2
        if math.sin(side) < 0:
            side += math.pi
    else:
        side = math.radians(45)
    return (
        anchor[0] + NUMBER_OFFSET_PT * math.cos(side),
        anchor[1] + NUMBER_OFFSET_PT * math.sin(side),
    )


def stop_markers(route: RouteSheet, stop_map: StopMap) -> tuple[Marker, ...]:
    """Numbered markers of every pickup inside the map, each beside its point (leader line)."""
    viewport = stop_map.viewport
    inner = viewport.frame.inset(MARKER_RADIUS_PT)
    markers = []
    for stop in route.stops:
        anchor = viewport.to_page(stop.lon, stop.lat)
        if stop.kind != "pickup" or not inner.contains(*anchor):
            continue
        tail = approach_tail([viewport.to_page(lon, lat) for lon, lat in stop.approach_4326])
        x, y = _beside(anchor, tail)
        markers.append(Marker(stop.seq, stop.kind, x, y, anchor[0], anchor[1]))
    return spread_markers(markers, viewport.frame, MARKER_RADIUS_PT)
