"""Facilities on the map: one flag per site, unloads at the disposal facility listed on it."""

from __future__ import annotations

from dataclasses import replace

from print.facilities import distance_m, flag_unloads, mapped_stops, place_flags
from print.maplayout import Rect, plan_map_views
from print.sample import build_sample_set

FRAME = Rect(10.0, 20.0, 500.0, 600.0)


def test_every_pickup_has_one_overview_marker_and_unloads_go_on_the_flag() -> None:
    route = build_sample_set(trucks=1, stops_per_truck=12).routes[0]
    (overview,) = plan_map_views(route, FRAME)
    pickups = [s.seq for s in route.stops if s.kind == "pickup"]
    assert sorted(m.seq for m in overview.markers) == pickups
    assert flag_unloads(route) == (13,)  # the sample's unload at its disposal facility


def test_repeated_unloads_at_the_facility_earn_no_zoomed_page() -> None:
    route = build_sample_set(trucks=1, stops_per_truck=6).routes[0]
    unload = route.stops[-1]
    trips = tuple(replace(unload, seq=unload.seq + k) for k in range(4))
    views = plan_map_views(replace(route, stops=(*route.stops[:-1], *trips)), FRAME)
    assert len(views) == 1 and all(m.kind == "pickup" for m in views[0].markers)


def test_unload_away_from_the_facility_keeps_its_marker() -> None:
    route = build_sample_set(trucks=1, stops_per_truck=6).routes[0]
    far = replace(route.stops[-1], lon=route.stops[0].lon + 0.002)
    moved = replace(route, stops=(*route.stops[:-1], far))
    (overview,) = plan_map_views(moved, FRAME)
    assert far.seq in {m.seq for m in overview.markers} and flag_unloads(moved) == ()


def test_depot_and_disposal_on_one_site_share_one_flag() -> None:
    route = build_sample_set(trucks=1, stops_per_truck=7).routes[0]
    apart = place_flags(route)
    assert [f.symbols for f in apart] == [("車庫",), ("処分",)]
    assert apart[1].note == "荷下ろし 8"
    assert route.disposal is not None
    depot = replace(route.depot, lon=route.disposal.lon, lat=route.disposal.lat)
    (flag,) = place_flags(replace(route, depot=depot))
    assert flag.symbols == ("車庫", "処分") and flag.place == depot
    assert flag.note == "荷下ろし 8"
    assert [f.symbols for f in place_flags(replace(route, disposal=None))] == [("車庫",)]


def test_distance_is_about_right_in_tachikawa() -> None:
    # 0.001° of latitude is 111 m; 0.001° of longitude at 35.7° N is 90 m
    assert abs(distance_m((139.41, 35.70), (139.41, 35.701)) - 111.2) < 0.5
    assert abs(distance_m((139.41, 35.70), (139.411, 35.70)) - 90.3) < 0.5
    route = build_sample_set(trucks=1, stops_per_truck=3).routes[0]
    assert [s.kind for s in mapped_stops(route)] == ["pickup"] * 3
