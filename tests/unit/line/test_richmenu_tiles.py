"""The rich menu's tiles: each area starts a dialogue command and the image draws it there."""

from __future__ import annotations

import io
import itertools

from PIL import Image

from api.line import postback
from api.line.richmenu import HEIGHT, TILES, WIDTH, render_richmenu_png, richmenu_definition


def _boxes() -> list[tuple[int, int, int, int]]:
    return [
        (b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"])
        for b in (area["bounds"] for area in richmenu_definition()["areas"])
    ]


def test_every_area_is_a_command_and_my_bookings_is_one_of_them() -> None:
    commands = [postback.decode_command(t.postback) for t in TILES]
    assert all(c is not None for c in commands)
    names = [c.name for c in commands if c is not None]
    assert postback.MY_BOOKINGS in names and postback.MY_REPORTS in names
    assert [c.param("f") for c in commands if c and c.name == postback.START] == [
        "road",
        "bulky",
        "disaster",
    ]


def test_areas_tile_the_image_without_overlap() -> None:
    boxes = _boxes()
    assert all(0 <= x0 < x1 <= WIDTH and 0 <= y0 < y1 <= HEIGHT for x0, y0, x1, y1 in boxes)
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_each_tile_is_drawn_in_its_own_area() -> None:
    with Image.open(io.BytesIO(render_richmenu_png())) as image:
        rgb = image.convert("RGB")
        for tile, (x0, y0, x1, _y1) in zip(TILES, _boxes(), strict=True):
            corner = rgb.getpixel((x0 + 30, y0 + 30))
            assert corner == tuple(int(tile.colour[i : i + 2], 16) for i in (1, 3, 5)), tile
            assert x1 - x0 >= 800  # big enough to tap
