"""Street-level stop maps: every pickup on one map at 1:2,500–1:5,000, approach, full frames."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Polygon, box

from print.maplayout import MARKER_RADIUS_PT, Rect
from print.model import RouteSheet
from print.sample import build_sample_set
from print.stopmaps import (
    LARGEST_SCALE,
    MAX_GROUP,
    SMALLEST_SCALE,
    approach_tail,
    plan_stop_maps,
    stop_markers,
)
from print.streetmap import index_streets, placed_streets
from print.worksheet import Paper, content_rect, plan_route_maps, plan_stop_maps_of, stop_map_size

FRAME = Rect(0.0, 30.0, 550.0, 300.0)


@pytest.fixture(scope="module")
def routes() -> tuple[RouteSheet, ...]:
    return build_sample_set(trucks=3, stops_per_truck=14, grid_size=12, dense=4).routes


def test_every_pickup_is_on_exactly_one_map_in_driving_order(
    routes: tuple[RouteSheet, ...],
) -> None:
    for route in routes:
        maps = plan_stop_maps(route, FRAME)
        seqs = [s.seq for m in maps for s in m.stops]
        assert seqs == [s.seq for s in route.stops if s.kind == "pickup"]
        assert [m.number for m in maps] == list(range(1, len(maps) + 1))
        assert all(1 <= len(m.stops) <= MAX_GROUP for m in maps)


def test_maps_are_street_level_and_show_their_stops_inside_the_frame(
    routes: tuple[RouteSheet, ...],
) -> None:
    for route in routes:
        for stop_map in plan_stop_maps(route, FRAME):
            assert LARGEST_SCALE - 1 <= stop_map.scale_denominator <= SMALLEST_SCALE + 1
            for stop in stop_map.stops:
                x, y = stop_map.viewport.to_page(stop.lon, stop.lat)
                assert FRAME.contains(x, y, pad=MARKER_RADIUS_PT)


def test_each_stop_gets_its_number_beside_its_point(routes: tuple[RouteSheet, ...]) -> None:
    route = routes[0]
    for stop_map in plan_stop_maps(route, FRAME):
        markers = {m.seq: m for m in stop_markers(route, stop_map)}
        for stop in stop_map.stops:
            marker = markers[stop.seq]
            anchor = stop_map.viewport.to_page(stop.lon, stop.lat)
            assert (marker.anchor_x, marker.anchor_y) == pytest.approx(anchor)
            assert math.dist((marker.x, marker.y), anchor) > MARKER_RADIUS_PT  # point stays seen
            assert FRAME.contains(marker.x, marker.y, pad=MARKER_RADIUS_PT - 0.01)


def test_approach_tail_is_the_last_part_of_the_leg_in_driving_order() -> None:
    leg = [(0.0, 0.0), (100.0, 0.0), (100.0, 50.0)]
    tail = approach_tail(leg, 80.0)
    assert tail[-1] == (100.0, 50.0)  # it ends at the stop
    assert tail[0] == pytest.approx((70.0, 0.0))
    assert sum(math.dist(a, b) for a, b in zip(tail, tail[1:], strict=False)) == pytest.approx(80)
    assert approach_tail(leg, 500.0) == leg  # a short leg is drawn whole
    assert approach_tail([(5.0, 5.0), (5.0, 5.0)]) == []  # no way to say where it came from
    assert approach_tail([]) == []


def quadrants(frame: Rect) -> list[Polygon]:
    half_w, half_h = frame.width / 2, frame.height / 2
    return [
        box(frame.x + i * half_w, frame.y + j * half_h,
            frame.x + (i + 1) * half_w, frame.y + (j + 1) * half_h)
        for i in (0, 1) for j in (0, 1)
    ]  # fmt: skip


def streets_in_quadrants(polylines: list[list[tuple[float, float]]], frame: Rect) -> int:
    lines = [LineString(p) for p in polylines if len(p) >= 2]
    return sum(1 for q in quadrants(frame) if any(line.intersects(q) for line in lines))


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_streets_fill_all_four_quadrants_of_every_map(
    routes: tuple[RouteSheet, ...], paper: Paper
) -> None:
    for route in routes:
        index = index_streets(route.streets)
        viewports = [v.viewport for v in plan_route_maps(route, paper)]
        viewports += [m.viewport for m in plan_stop_maps_of(route, paper)]
        for viewport in viewports:
            assert streets_in_quadrants(placed_streets(index, viewport), viewport.frame) == 4


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_two_stop_maps_fit_one_page(paper: Paper) -> None:
    width, height = stop_map_size(paper)
    area = content_rect(paper)
    assert 2 * height <= area.height and width == area.width
