"""The LINE rich menu: its definition, its image (drawn here), and its setup through the SDK."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
)
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
WIDTH, HEIGHT = 2500, 1686


@dataclass(frozen=True)
class Tile:
    title: str
    subtitle: str
    postback: str
    colour: str


TILES = (
    Tile("道路・施設の損傷", "穴・段差・街路灯など", "flow=road", "#1f4e79"),
    Tile("粗大ごみの申込", "品目・料金・収集日", "flow=bulky", "#2c7a3f"),
    Tile("災害情報", "災害時のみ受付します", "flow=disaster", "#b3261e"),
    Tile("わたしの通報", "受付番号と対応状況", "my=reports", "#5b4a8b"),
)


def _bounds(index: int) -> tuple[int, int, int, int]:
    col, row = index % 2, index // 2
    return col * WIDTH // 2, row * HEIGHT // 2, WIDTH // 2, HEIGHT // 2


def richmenu_definition() -> dict[str, Any]:
    """The rich menu as the Messaging API expects it: 2 x 2 postback areas."""
    areas = [
        {
            "bounds": dict(zip(("x", "y", "width", "height"), _bounds(i), strict=True)),
            "action": {"type": "postback", "data": tile.postback, "displayText": tile.title},
        }
        for i, tile in enumerate(TILES)
    ]
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": "machi-main",
        "chatBarText": "メニュー",
        "areas": areas,
    }


def render_richmenu_png() -> bytes:
    """Draw the menu image (PNG, 2500 x 1686) with the Japanese font."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(str(FONT), 120)
    sub_font = ImageFont.truetype(str(FONT), 70)
    for i, tile in enumerate(TILES):
        x, y, w, h = _bounds(i)
        draw.rectangle((x + 12, y + 12, x + w - 12, y + h - 12), fill=tile.colour)
        cx, cy = x + w // 2, y + h // 2
        draw.text((cx, cy - 60), tile.title, font=title_font, fill="white", anchor="mm")
        draw.text((cx, cy + 90), tile.subtitle, font=sub_font, fill="#f0f0f0", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def setup_richmenu(configuration: Configuration) -> str:
    """Create the menu, upload its image and make it every user's default; returns its id."""
    with ApiClient(configuration) as client:
        api = MessagingApi(client)
        created = api.create_rich_menu(RichMenuRequest.from_dict(richmenu_definition()))
        MessagingApiBlob(client).set_rich_menu_image(
            created.rich_menu_id, render_richmenu_png(), _headers={"Content-Type": "image/png"}
        )
        api.set_default_rich_menu(created.rich_menu_id)
    return str(created.rich_menu_id)
