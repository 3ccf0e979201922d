"""One road style for screen and paper."""

from __future__ import annotations

from maps.roadstyle import MAJOR, MINOR, SERVICE, classes_at_zoom, road_class, screen_styles
from print.streetmap import road_style


def test_links_take_their_roads_class_and_unknowns_are_service() -> None:
    assert road_class("primary_link") is MAJOR
    assert road_class("residential") is MINOR
    assert road_class("track") is SERVICE and road_class(None) is SERVICE


def test_low_zooms_carry_fewer_classes() -> None:
    assert classes_at_zoom(10) == ("major",)
    assert set(classes_at_zoom(16)) == {"major", "medium", "minor", "service"}


def test_paper_and_screen_draw_a_class_alike() -> None:
    for highway in ("trunk", "tertiary", "residential", "service"):
        paper, screen = road_style(highway), screen_styles()[road_class(highway).name]
        assert paper.rank == screen["rank"] and paper.width == screen["width"]
        assert paper.colour.hexval()[2:] == str(screen["colour"]).lstrip("#")
