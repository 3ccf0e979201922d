"""Pure layout: markers stay inside the frame, dense stops get a zoomed view, no overlaps."""

from __future__ import annotations

import itertools
import math

import pytest

from print.maplayout import (
    MARKER_RADIUS_PT,
    Marker,
    Rect,
    cluster_points,
    fit_viewport,
    plan_map_views,
    spread_markers,
)
from print.mapsymbols import nice_scale_length_m
from print.model import Place, RouteSheet, RouteTotals, StopRow
from print.sample import build_sample_set
from print.streetmap import arrow_positions
from print.worksheet import map_frame

FRAME = Rect(10.0, 20.0, 500.0, 600.0)


@pytest.mark.parametrize("paper", ["A4", "A3"])
@pytest.mark.parametrize("dense", [0, 4, 12])
def test_every_marker_lies_inside_the_frame(paper: str, dense: int) -> None:
    frame = map_frame("A4" if paper == "A4" else "A3")
    for route in build_sample_set(trucks=3, stops_per_truck=14, dense=dense).routes:
        for view in plan_map_views(route, frame):
            assert view.viewport.frame == frame
            for m in view.markers:
                assert frame.contains(m.x, m.y, pad=MARKER_RADIUS_PT), m


def test_numbered_markers_never_overlap() -> None:
    for route in build_sample_set(trucks=2, stops_per_truck=20, dense=8).routes:
        for view in plan_map_views(route, FRAME):
            numbered = [m for m in view.markers if m.style == "number"]
            for a, b in itertools.combinations(numbered, 2):
                assert math.dist((a.x, a.y), (b.x, b.y)) >= 2 * MARKER_RADIUS_PT, (a, b)


def test_dense_cluster_gets_its_own_zoomed_view() -> None:
    route = build_sample_set(trucks=2, stops_per_truck=9, dense=5).routes[1]
    overview, *insets = plan_map_views(route, FRAME)
    assert len(insets) == 1
    assert insets[0].inset_index == 1
    (box,) = overview.insets
    dots = {m.seq for m in overview.markers if m.style == "dot"}
    assert dots == set(box.seqs)
    assert len(dots) >= 5
    zoomed = {m.seq for m in insets[0].markers}
    assert dots <= zoomed
    assert insets[0].viewport.scale_pt_per_m > 2 * overview.viewport.scale_pt_per_m


def test_fit_keeps_aspect_ratio_and_centres_the_points() -> None:
    points = [(139.40, 35.70), (139.42, 35.71)]
    viewport = fit_viewport(points, FRAME, min_extent_m=100.0)
    (x0, y0), (x1, y1) = (viewport.to_page(*p) for p in points)
    east_m, north_m = viewport.to_metres(139.42, 35.71)
    east0_m, north0_m = viewport.to_metres(139.40, 35.70)
    assert (x1 - x0) / (east_m - east0_m) == pytest.approx((y1 - y0) / (north_m - north0_m))
    assert (x0 + x1) / 2 == pytest.approx(FRAME.x + FRAME.width / 2)
    assert (y0 + y1) / 2 == pytest.approx(FRAME.y + FRAME.height / 2)
    # 0.02° of longitude at 35.7° N is about 1.8 km
    assert east_m - east0_m == pytest.approx(1807, rel=0.01)


def test_single_point_gets_the_minimum_extent() -> None:
    viewport = fit_viewport([(139.41, 35.70)], FRAME, min_extent_m=300.0)
    assert viewport.to_page(139.41, 35.70) == pytest.approx(
        (FRAME.x + FRAME.width / 2, FRAME.y + FRAME.height / 2)
    )
    assert math.isfinite(viewport.scale_pt_per_m)


def test_identical_points_are_spread_on_a_ring_with_their_true_anchor() -> None:
    markers = [Marker(seq, "pickup", 100.0, 100.0, 100.0, 100.0) for seq in range(1, 6)]
    spread = spread_markers(markers, FRAME, MARKER_RADIUS_PT)
    for a, b in itertools.combinations(spread, 2):
        assert math.dist((a.x, a.y), (b.x, b.y)) >= 2 * MARKER_RADIUS_PT
    assert all((m.anchor_x, m.anchor_y) == (100.0, 100.0) for m in spread)
    assert all(FRAME.contains(m.x, m.y, pad=MARKER_RADIUS_PT) for m in spread)


def test_cluster_points_chains_close_points() -> None:
    points = [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (100.0, 0.0)]
    assert cluster_points(points, threshold=6.0) == [[0, 1, 2], [3]]


def test_arrows_follow_the_line_direction() -> None:
    arrows = arrow_positions([(0.0, 0.0), (100.0, 0.0), (100.0, 100.0)], spacing=40.0)
    assert [(round(x), round(y)) for x, y, _ in arrows] == [
        (20, 0),
        (60, 0),
        (100, 0),
        (100, 40),
        (100, 80),
    ]
    assert arrows[0][2] == pytest.approx(0.0)
    assert arrows[-1][2] == pytest.approx(math.pi / 2)


def test_scale_bar_uses_round_lengths() -> None:
    assert nice_scale_length_m(metres_per_pt=1.0, target_pt=90.0) == 50
    assert nice_scale_length_m(metres_per_pt=10.0, target_pt=90.0) == 500


def chain_route(count: int, step_deg: float) -> RouteSheet:
    """A far depot and ``count`` stops in a row, ``step_deg`` of longitude apart."""
    stops = tuple(
        StopRow(seq, "09:00", f"B{seq}", "住所", 139.41 + seq * step_deg, 35.70, "https://x/")
        for seq in range(1, count + 1)
    )
    depot = Place("車庫", 139.38, 35.67)
    totals = RouteTotals(count, 0, 0.0, 0.0)
    return RouteSheet("1号車", (), depot, None, stops, (), (), totals)


def test_a_long_chain_of_close_stops_is_zoomed_until_numbers_fit() -> None:
    route = chain_route(40, 0.00012)  # ~11 m apart, 440 m in all, depot 4 km away
    views = plan_map_views(route, FRAME)
    assert len(views) >= 2
    for view in views:
        numbered = [m for m in view.markers if m.style == "number"]
        for a, b in itertools.combinations(numbered, 2):
            assert math.dist((a.x, a.y), (b.x, b.y)) >= 2 * MARKER_RADIUS_PT
    shown = {m.seq for view in views for m in view.markers if m.style == "number"}
    assert shown == set(range(1, 41))  # every stop is numbered on some page


def test_route_without_stops_or_line_still_plans_one_view() -> None:
    (view,) = plan_map_views(chain_route(0, 0.0), FRAME)
    assert view.markers == ()


def test_two_close_pairs_a_marker_apart_get_a_zoomed_view_not_one_big_ring() -> None:
    # two pairs of stops, each pair 15 m apart, the pairs 270 m apart; far-away depot. Each
    # pair alone fans out on a ring; together their rings collide and tangle the leader lines.
    lon0, lat0, east = 139.41, 35.70, 0.0000111  # about 1 m of longitude
    spots = [(0, 0), (15, 0), (270, 0), (285, 0)]
    stops = tuple(
        StopRow(
            k + 1, "09:00", f"B{k}", "住所", lon0 + dx * east, lat0 + dy / 111_000, "https://x/"
        )
        for k, (dx, dy) in enumerate(spots)
    )
    route = RouteSheet("1号車", (), Place("車庫", 139.37, 35.66), None, stops, (), (),
                       RouteTotals(4, 0, 0.0, 0.0))  # fmt: skip
    overview, *insets = plan_map_views(route, FRAME)
    assert len(insets) == 1 and sorted(overview.insets[0].seqs) == [1, 2, 3, 4]
    numbered = [m for m in insets[0].markers if m.style == "number"]
    assert len(numbered) == 4 and all((m.x, m.y) == (m.anchor_x, m.anchor_y) for m in numbered)
