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
    Tile("わたしの申込", "粗大ごみの確認・変更", "my=bookings", "#7a5c1e"),
)
ROWS = (3, 2)  # tiles per row, top to bottom; together they cover the whole image


def _bounds(index: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) of tile ``index``; the last tile of a row takes the remainder."""
    row = 0
    while index >= ROWS[row]:
        index -= ROWS[row]
        row += 1
    per_row, height = ROWS[row], HEIGHT // len(ROWS)
    width = WIDTH // per_row
    last_width = WIDTH - width * (per_row - 1)
    last_height = HEIGHT - height * (len(ROWS) - 1)
    return (
        index * width,
        row * height,
        last_width if index == per_row - 1 else width,
        last_height if row == len(ROWS) - 1 else height,
    )


def richmenu_definition() -> dict[str, Any]:
    """The rich menu as the Messaging API expects it: one postback area per tile."""
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


def _fitting_font(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> Any:
    """The Japanese font at ``size`` or smaller, so that ``text`` fits ``width`` pixels."""
    font = ImageFont.truetype(str(FONT), size)
    while size > 40 and draw.textlength(text, font=font) > width:
        size -= 6
        font = ImageFont.truetype(str(FONT), size)
    return font


def render_richmenu_png() -> bytes:
    """Draw the menu image (PNG, 2500 x 1686) with the Japanese font."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for i, tile in enumerate(TILES):
        x, y, w, h = _bounds(i)
        draw.rectangle((x + 12, y + 12, x + w - 12, y + h - 12), fill=tile.colour)
        cx, cy = x + w // 2, y + h // 2
        title_font = _fitting_font(draw, tile.title, 110, w - 90)
        sub_font = _fitting_font(draw, tile.subtitle, 62, w - 90)
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
