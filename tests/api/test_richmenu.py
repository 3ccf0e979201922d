"""`machi line setup-richmenu` through the real SDK against the fake LINE server."""

from __future__ import annotations

import io

from PIL import Image

from api.line.richmenu import TILES, render_richmenu_png, richmenu_definition, setup_richmenu
from tests.fakes.line_server import FakeLineServer
from workflow.line.sender import make_configuration


def test_definition_covers_the_image_with_four_postback_areas() -> None:
    menu = richmenu_definition()
    areas = menu["areas"]
    assert [a["action"]["data"] for a in areas] == [t.postback for t in TILES]
    assert sum(a["bounds"]["width"] * a["bounds"]["height"] for a in areas) == 2500 * 1686


def test_image_is_a_png_of_the_menu_size_under_1mb() -> None:
    png = render_richmenu_png()
    assert len(png) < 1_000_000
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (2500, 1686)


def test_setup_creates_uploads_and_sets_default() -> None:
    with FakeLineServer(token="tok") as server:
        menu_id = setup_richmenu(make_configuration("tok", server.base_url))
        paths = [(r.method, r.path) for r in server.requests]
    assert ("POST", "/v2/bot/richmenu") in paths
    assert ("POST", f"/v2/bot/richmenu/{menu_id}/content") in paths
    assert ("POST", f"/v2/bot/user/all/richmenu/{menu_id}") in paths
