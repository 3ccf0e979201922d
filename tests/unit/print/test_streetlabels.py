"""Street name placement: inside the frame, off the route, never on top of each other."""

from __future__ import annotations

import itertools

from shapely.geometry import LineString, box

from print.maplayout import Rect
from print.streetlabels import NamedStreet, longest_straight_run, place_street_labels

FRAME = Rect(0.0, 0.0, 400.0, 400.0)


def width_of(name: str) -> float:
    return 7.0 * len(name)


def grid_streets() -> list[NamedStreet]:
    streets = []
    for k in range(1, 8):
        streets.append(NamedStreet(f"東西{k}通り", 1, [(-50.0, k * 50.0), (450.0, k * 50.0)]))
        streets.append(NamedStreet(f"南北{k}通り", 1, [(k * 50.0, -50.0), (k * 50.0, 450.0)]))
    return streets


def test_labels_stay_inside_the_frame_and_do_not_overlap() -> None:
    labels = place_street_labels(grid_streets(), FRAME, [], width_of)
    assert len(labels) >= 10
    frame = box(0, 0, 400, 400)
    for label in labels:
        assert frame.contains(label.outline)
    for a, b in itertools.combinations(labels, 2):
        assert not a.outline.intersects(b.outline), (a.name, b.name)


def test_labels_avoid_the_route_line() -> None:
    route = [(0.0, 200.0), (400.0, 200.0)]
    labels = place_street_labels(grid_streets(), FRAME, route, width_of)
    line = LineString(route)
    assert all(not label.outline.intersects(line) for label in labels)
    assert "東西4通り" not in {label.name for label in labels}  # it lies under the route


def test_short_streets_get_no_label() -> None:
    short = [NamedStreet("とても長い名前の通り", 1, [(100.0, 100.0), (130.0, 100.0)])]
    assert place_street_labels(short, FRAME, [], width_of) == []


def test_vertical_labels_read_bottom_up() -> None:
    down = [NamedStreet("南北通り", 1, [(200.0, 390.0), (200.0, 10.0)])]
    (label,) = place_street_labels(down, FRAME, [], width_of)
    assert label.angle_rad > 0


def test_longest_straight_run_skips_bends() -> None:
    pts = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.5), (20.0, 100.0), (21.0, 200.0)]
    assert longest_straight_run(pts) == ((20.0, 0.5), (21.0, 200.0))
    assert longest_straight_run([(0.0, 0.0), (5.0, 5.0)]) == ((0.0, 0.0), (5.0, 5.0))
