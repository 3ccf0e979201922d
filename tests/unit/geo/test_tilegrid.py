"""The web-map tile grid: which tiles exist, where they lie."""

from __future__ import annotations

import pytest

from geo.tilegrid import MAX_ZOOM, Tile, tile_at, tile_bounds_lonlat, tile_exists


@pytest.mark.parametrize(
    ("z", "x", "y", "exists"),
    [
        (0, 0, 0, True),
        (3, 7, 7, True),
        (3, 8, 0, False),
        (3, 0, 8, False),
        (-1, 0, 0, False),
        (MAX_ZOOM, 0, 0, True),
        (MAX_ZOOM + 1, 0, 0, False),
    ],
)
def test_tile_exists(z: int, x: int, y: int, exists: bool) -> None:
    assert tile_exists(z, x, y) is exists


def test_a_point_lies_in_the_bounds_of_its_tile() -> None:
    lon, lat = 139.4075, 35.6980
    for z in range(0, MAX_ZOOM + 1):
        west, south, east, north = tile_bounds_lonlat(tile_at(lon, lat, z))
        assert west <= lon < east and south < lat <= north


def test_the_margin_grows_the_box_but_stays_on_the_grid() -> None:
    inner = tile_bounds_lonlat(Tile(14, 14536, 6450))
    outer = tile_bounds_lonlat(Tile(14, 14536, 6450), 0.0625)
    assert outer[0] < inner[0] and outer[1] < inner[1] and outer[2] > inner[2]
    assert tile_bounds_lonlat(Tile(0, 0, 0), 0.5)[0] == -180.0
