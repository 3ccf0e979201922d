"""Name plates of facility flags: inside the frame, off the markers, off the route."""

from __future__ import annotations

import math

from print.maplayout import Rect
from print.plates import pick_plate, sample_polyline

FRAME = Rect(10.0, 20.0, 500.0, 600.0)


def test_pick_plate_prefers_inside_the_frame_then_fewer_markers_then_less_route() -> None:
    outside = Rect(-50.0, 30.0, 40.0, 10.0)
    on_marker = Rect(100.0, 100.0, 40.0, 10.0)
    on_route = Rect(200.0, 100.0, 40.0, 10.0)
    clear = Rect(300.0, 100.0, 40.0, 10.0)
    markers = [(120.0, 105.0, 10.0)]
    route = [(210.0, 105.0, 2.0), (300.0, 300.0, 2.0)]
    candidates = [outside, on_marker, on_route, clear]
    assert pick_plate(candidates, markers, route, FRAME) == clear
    assert pick_plate(candidates[:3], markers, route, FRAME) == on_route
    assert pick_plate(candidates[:2], markers, route, FRAME) == on_marker


def test_sample_polyline_keeps_the_ends_and_steps_evenly() -> None:
    line = [(0.0, 0.0), (10.0, 0.0), (10.0, 4.0)]
    points = sample_polyline(line, 2.0)
    assert points[0] == (0.0, 0.0) and points[-1] == (10.0, 4.0)
    assert all(math.dist(a, b) <= 2.0 for a, b in zip(points, points[1:], strict=False))
    assert sample_polyline([], 2.0) == [] and sample_polyline([(1.0, 1.0)], 2.0) == [(1.0, 1.0)]


def test_sample_polyline_near_a_plate_skips_the_far_route() -> None:
    far_and_back = [(0.0, 0.0), (5000.0, 0.0), (5000.0, 10.0), (0.0, 10.0)]
    near = sample_polyline(far_and_back, 3.0, near=Rect(-5.0, -5.0, 20.0, 20.0))
    assert near and all(x <= 5000.0 for x, _ in near)
    assert len(near) < len(sample_polyline(far_and_back, 3.0)) / 2
