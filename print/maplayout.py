"""Pure map layout: projection, fitting the route into the frame, insets for dense stops.

Page coordinates are PDF points with the origin at the bottom left of the page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from print.facilities import mapped_stops
from print.model import LonLat, RouteSheet, StopKind, StopRow
from print.viewport import MM, Rect, Viewport

__all__ = [  # Rect, Viewport and MM live in print.viewport; most callers come here for them
    "MARKER_RADIUS_PT",
    "MM",
    "InsetBox",
    "MapView",
    "Marker",
    "Rect",
    "Viewport",
    "bisect_stops",
    "cluster_points",
    "fit_viewport",
    "plan_map_views",
    "spread_markers",
]

MARKER_RADIUS_PT = 3.6 * MM
MARKER_GAP_PT = 0.6 * MM
INSET_MIN_STOPS = 4  # two or three close stops fan out on a ring instead
RING_LINK_FACTOR = 1.6  # see _ViewPlanner._crowded_groups
OVERVIEW_MIN_EXTENT_M = 300.0
INSET_MIN_EXTENT_M = 250.0
FRAME_MARGIN_PT = 9.0 * MM
MAX_INSET_DEPTH = 2
MIN_ZOOM_GAIN = 1.5

MarkerStyle = Literal["number", "dot"]


@dataclass(frozen=True)
class Marker:
    """A stop marker: drawn at (x, y); (anchor_x, anchor_y) is the true spot (leader line)."""

    seq: int
    kind: StopKind
    x: float
    y: float
    anchor_x: float
    anchor_y: float
    style: MarkerStyle = "number"


@dataclass(frozen=True)
class InsetBox:
    """The extent of zoomed map ``index`` drawn as a box on the overview."""

    index: int
    rect: Rect
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class MapView:
    """One map page: the overview (``inset_index`` None) or a zoomed inset of dense stops."""

    viewport: Viewport
    markers: tuple[Marker, ...]
    insets: tuple[InsetBox, ...] = ()
    inset_index: int | None = None


def fit_viewport(points: Sequence[LonLat], frame: Rect, min_extent_m: float) -> Viewport:
    """Fit the bounding box of ``points`` (lon, lat) into ``frame``, keeping the aspect ratio."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lon0 = (min(lons) + max(lons)) / 2
    lat0 = (min(lats) + max(lats)) / 2
    probe = Viewport(frame, lon0, lat0, 0.0, 0.0, 1.0)
    xy = [probe.to_metres(lon, lat) for lon, lat in points]
    min_x, max_x = min(p[0] for p in xy), max(p[0] for p in xy)
    min_y, max_y = min(p[1] for p in xy), max(p[1] for p in xy)
    inner = frame.inset(FRAME_MARGIN_PT)
    width_m = max(max_x - min_x, min_extent_m * inner.width / max(inner.width, inner.height))
    height_m = max(max_y - min_y, min_extent_m * inner.height / max(inner.width, inner.height))
    scale = min(inner.width / width_m, inner.height / height_m)
    return Viewport(frame, lon0, lat0, (min_x + max_x) / 2, (min_y + max_y) / 2, scale)


def plan_map_views(
    route: RouteSheet, frame: Rect, marker_radius_pt: float = MARKER_RADIUS_PT
) -> tuple[MapView, ...]:
    """Lay out the overview and one zoomed view per cluster of stops too dense to number.

    Clusters seen on a zoomed view get zoomed views of their own (up to MAX_INSET_DEPTH), so
    a long chain of close stops does not end in one barely zoomed page. Stops that still
    crowd each other fan out on a ring with leader lines. Every marker of every view lies
    inside ``frame`` with its whole circle.
    """
    points = [(s.lon, s.lat) for s in route.stops] + list(_places(route)) + list(route.route_line)
    overview = fit_viewport(points, frame, OVERVIEW_MIN_EXTENT_M)
    planner = _ViewPlanner(mapped_stops(route), frame, marker_radius_pt)
    first = planner.plan(overview, None, 0)
    return (first, *planner.insets)


class _ViewPlanner:
    def __init__(self, stops: Sequence[StopRow], frame: Rect, radius: float) -> None:
        self.stops, self.frame, self.radius = stops, frame, radius
        self.threshold = 2 * radius + MARKER_GAP_PT
        self.insets: list[MapView] = []

    def plan(self, viewport: Viewport, index: int | None, depth: int) -> MapView:
        inner = self.frame.inset(self.radius)
        placed = [(s, viewport.to_page(s.lon, s.lat)) for s in self.stops]
        shown = [(s, pos) for s, pos in placed if inner.contains(*pos)]
        boxes: list[InsetBox] = []
        dotted: set[int] = set()
        for chosen, zoomed in self._dense(
            [s for s, _ in shown], [p for _, p in shown], viewport, depth
        ):
            number = len(self.insets) + 1
            self.insets.append(MapView(zoomed, (), inset_index=number))  # keeps the numbering
            self.insets[number - 1] = self.plan(zoomed, number, depth + 1)
            seqs = tuple(s.seq for s in chosen)
            boxes.append(InsetBox(number, viewport.page_rect_of(zoomed), seqs))
            dotted.update(seqs)
        markers = [_marker(s, pos, "dot" if s.seq in dotted else "number") for s, pos in shown]
        spread = spread_markers(markers, self.frame, self.radius)
        return MapView(viewport, spread, tuple(boxes), index)

    def _dense(
        self,
        stops: list[StopRow],
        positions: list[tuple[float, float]],
        viewport: Viewport,
        depth: int,
    ) -> list[tuple[list[StopRow], Viewport]]:
        if depth >= MAX_INSET_DEPTH:
            return []
        dense = [[stops[i] for i in c] for c in self._crowded_groups(positions)]
        return [group for chosen in dense for group in self._zoom_groups(chosen, viewport)]

    def _zoom_groups(
        self, chosen: list[StopRow], viewport: Viewport
    ) -> list[tuple[list[StopRow], Viewport]]:
        """Zoom on the stops; halve a spread-out group while its zoom would still crowd them."""
        zoomed = fit_viewport([(s.lon, s.lat) for s in chosen], self.frame, INSET_MIN_EXTENT_M)
        gains = zoomed.scale_pt_per_m >= viewport.scale_pt_per_m * MIN_ZOOM_GAIN
        can_split = len(chosen) >= 2 * INSET_MIN_STOPS and _extent_m(chosen) > INSET_MIN_EXTENT_M
        if can_split and (not gains or self._crowded(chosen, zoomed)):
            first, second = bisect_stops(chosen, zoomed)
            return self._zoom_groups(first, viewport) + self._zoom_groups(second, viewport)
        return [(chosen, zoomed)] if gains else []

    def _crowded(self, stops: list[StopRow], viewport: Viewport) -> bool:
        positions = [viewport.to_page(s.lon, s.lat) for s in stops]
        return bool(self._crowded_groups(positions))

    def _crowded_groups(self, positions: list[tuple[float, float]]) -> list[list[int]]:
        """Groups of INSET_MIN_STOPS or more whose fanned-out rings would run into each other.

        Stops chain at a wider gap than markers overlap: two pairs a marker apart each fan out
        on their own ring, the rings collide and merge into one big ring of crossing leader
        lines. A chain only counts when some of its markers really overlap.
        """
        link = self.threshold * RING_LINK_FACTOR
        groups = cluster_points(positions, link)
        return [
            g
            for g in groups
            if len(g) >= INSET_MIN_STOPS
            and any(
                math.dist(positions[i], positions[j]) < self.threshold
                for i in g
                for j in g
                if i < j
            )
        ]


def _extent_m(stops: list[StopRow]) -> float:
    probe = Viewport(Rect(0, 0, 1, 1), stops[0].lon, stops[0].lat, 0.0, 0.0, 1.0)
    xy = [probe.to_metres(s.lon, s.lat) for s in stops]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def bisect_stops(stops: list[StopRow], viewport: Viewport) -> tuple[list[StopRow], list[StopRow]]:
    """Split stops in two equal halves across the longer side of their bounding box."""
    xy = {s.seq: viewport.to_metres(s.lon, s.lat) for s in stops}
    xs = [p[0] for p in xy.values()]
    ys = [p[1] for p in xy.values()]
    axis = 0 if max(xs) - min(xs) >= max(ys) - min(ys) else 1
    ordered = sorted(stops, key=lambda s: xy[s.seq][axis])
    half = len(ordered) // 2
    return ordered[:half], ordered[half:]


def _places(route: RouteSheet) -> Iterable[LonLat]:
    yield (route.depot.lon, route.depot.lat)
    if route.disposal is not None:
        yield (route.disposal.lon, route.disposal.lat)


def _marker(stop: StopRow, pos: tuple[float, float], style: MarkerStyle) -> Marker:
    return Marker(stop.seq, stop.kind, pos[0], pos[1], pos[0], pos[1], style)


def cluster_points(positions: Sequence[tuple[float, float]], threshold: float) -> list[list[int]]:
    """Single-linkage clusters: indexes of points chained by gaps below ``threshold``."""
    parent = list(range(len(positions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (xi, yi) in enumerate(positions):
        for j in range(i + 1, len(positions)):
            xj, yj = positions[j]
            if math.hypot(xi - xj, yi - yj) < threshold:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(positions)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def spread_markers(
    markers: Sequence[Marker], frame: Rect, radius: float, rounds: int = 6
) -> tuple[Marker, ...]:
    """Fan out numbered markers that would overlap onto a ring (with leader lines), in-frame."""
    result = [_clamp(m, frame.inset(radius)) for m in markers]
    threshold = 2 * radius + MARKER_GAP_PT
    for _ in range(rounds):
        numbered = [i for i, m in enumerate(result) if m.style == "number"]
        groups = cluster_points([(result[i].x, result[i].y) for i in numbered], threshold)
        crowded = [[numbered[k] for k in g] for g in groups if len(g) > 1]
        if not crowded:
            break
        for group in crowded:
            for i, moved in zip(group, _ring([result[i] for i in group], threshold), strict=True):
                result[i] = _clamp(moved, frame.inset(radius))
    return tuple(result)


def _ring(group: Sequence[Marker], threshold: float) -> list[Marker]:
    n = len(group)
    cx = sum(m.x for m in group) / n
    cy = sum(m.y for m in group) / n
    # a little looser than touching, so leader lines stay visible between markers
    ring = threshold * 1.3 / (2 * math.sin(math.pi / n))
    # keep the markers' spatial order round the ring so leader lines do not cross;
    # stops on one spot have no order but their numbers
    ordered = sorted(group, key=lambda m: (_clockwise_from_top(m, cx, cy), m.seq))
    placed = {}
    for k, m in enumerate(ordered):
        angle = math.pi / 2 - 2 * math.pi * k / n
        placed[m.seq] = (cx + ring * math.cos(angle), cy + ring * math.sin(angle))
    return [Marker(m.seq, m.kind, *placed[m.seq], m.anchor_x, m.anchor_y, m.style) for m in group]


def _clockwise_from_top(marker: Marker, cx: float, cy: float) -> float:
    dx, dy = marker.anchor_x - cx, marker.anchor_y - cy
    if math.hypot(dx, dy) < 0.5:
        return 0.0
    return (math.pi / 2 - math.atan2(dy, dx)) % (2 * math.pi)


def _clamp(marker: Marker, inner: Rect) -> Marker:
    x = min(max(marker.x, inner.x), inner.x + inner.width)
    y = min(max(marker.y, inner.y), inner.y + inner.height)
    return Marker(marker.seq, marker.kind, x, y, marker.anchor_x, marker.anchor_y, marker.style)
