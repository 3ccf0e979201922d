"""Map symbols: stop markers, depot and disposal, north arrow, scale bar, legend, halo text."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from reportlab.lib.colors import HexColor, black, white

from print import texts
from print.maplayout import MARKER_RADIUS_PT, MM, MapView, Marker, Rect, Viewport

Canvas = Any  # reportlab ships no type hints

ROUTE_COLOUR = HexColor("#1565c0")
ROUTE_DARK = HexColor("#0d2a6b")
INSET_COLOUR = HexColor("#8e24aa")
DEPOT_COLOUR = HexColor("#222222")
DISPOSAL_COLOUR = HexColor("#6d4c41")
UNLOAD_FILL = HexColor("#e0e0e0")
LEGEND_HEIGHT_PT = 15 * MM
SYMBOL_SIZE_PT = 7.5
BOX_HEIGHT_PT = 5.2 * MM
NICE_LENGTHS_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


def draw_halo_text(
    canv: Canvas, x: float, y: float, text: str, font: str, size: float, align: str = "centre"
) -> None:
    """Draw text with a white halo so it stays readable over lines."""
    width = canv.stringWidth(text, font, size)
    left = {"left": x, "right": x - width}.get(align, x - width / 2)
    # the text render mode is graphics state: save/restore keeps it from leaking
    for mode, colour in ((1, white), (0, black)):
        canv.saveState()
        obj = canv.beginText(left, y - size * 0.35)
        obj.setFont(font, size)
        obj.setTextRenderMode(mode)
        canv.setStrokeColor(colour)
        canv.setLineWidth(size * 0.3)
        canv.setFillColor(colour)
        obj.textOut(text)
        canv.drawText(obj)
        canv.restoreState()


def draw_bold_centred(canv: Canvas, x: float, y: float, text: str, font: str, size: float) -> None:
    """Draw centred text thickened with a thin outline (IPAex has no bold face)."""
    canv.saveState()
    obj = canv.beginText(x - canv.stringWidth(text, font, size) / 2, y - size * 0.36)
    obj.setFont(font, size)
    obj.setTextRenderMode(2)
    canv.setLineWidth(size * 0.04)
    obj.textOut(text)
    canv.drawText(obj)
    canv.restoreState()


def draw_marker(canv: Canvas, marker: Marker, radius: float, font: str) -> None:
    if marker.style == "dot":
        canv.setFillColor(ROUTE_DARK)
        canv.circle(marker.x, marker.y, 1.1 * MM, stroke=0, fill=1)
        return
    if (marker.x, marker.y) != (marker.anchor_x, marker.anchor_y):
        canv.setStrokeColor(ROUTE_DARK)
        canv.setLineWidth(0.8)
        canv.line(marker.anchor_x, marker.anchor_y, marker.x, marker.y)
        canv.setFillColor(ROUTE_DARK)
        canv.circle(marker.anchor_x, marker.anchor_y, 0.8 * MM, stroke=0, fill=1)
    canv.setStrokeColor(ROUTE_DARK)
    canv.setLineWidth(1.4)
    if marker.kind == "unload":
        canv.setFillColor(UNLOAD_FILL)
        canv.rect(marker.x - radius, marker.y - radius, 2 * radius, 2 * radius, stroke=1, fill=1)
    else:
        canv.setFillColor(white)
        canv.circle(marker.x, marker.y, radius, stroke=1, fill=1)
    text = str(marker.seq)
    size = 10.5 if len(text) <= 2 else 8.0
    canv.setFillColor(black)
    canv.setStrokeColor(black)
    draw_bold_centred(canv, marker.x, marker.y, text, font, size)


def symbol_box_width(canv: Canvas, symbol: str, font: str) -> float:
    return float(canv.stringWidth(symbol, font, SYMBOL_SIZE_PT)) + 2.4 * MM


def draw_symbol_box(canv: Canvas, x: float, y: float, symbol: str, font: str) -> float:
    width = symbol_box_width(canv, symbol, font)
    height = BOX_HEIGHT_PT
    colour = DEPOT_COLOUR if symbol == texts.DEPOT_SYMBOL else DISPOSAL_COLOUR
    canv.setFillColor(colour)
    canv.setStrokeColor(white)
    canv.setLineWidth(1.0)
    canv.roundRect(x - width / 2, y - height / 2, width, height, 1.2 * MM, stroke=1, fill=1)
    canv.setFillColor(white)
    canv.setStrokeColor(white)
    draw_bold_centred(canv, x, y, symbol, font, SYMBOL_SIZE_PT)
    return height


def draw_north_arrow(canv: Canvas, x: float, y: float, font: str) -> None:
    """Draw the north arrow centred on (x, y)."""
    canv.setFillColor(white)
    canv.setStrokeColor(black)
    canv.setLineWidth(0.8)
    canv.circle(x, y, 6.2 * MM, stroke=1, fill=1)
    path = canv.beginPath()
    path.moveTo(x, y + 5 * MM)
    path.lineTo(x - 2.6 * MM, y - 3.5 * MM)
    path.lineTo(x, y - 1.8 * MM)
    path.lineTo(x + 2.6 * MM, y - 3.5 * MM)
    path.close()
    canv.setFillColor(black)
    canv.drawPath(path, stroke=0, fill=1)
    canv.setFont(font, 9.0)
    canv.drawString(x + 7.2 * MM, y - 3.0, texts.NORTH)


def nice_scale_length_m(metres_per_pt: float, target_pt: float) -> int:
    """Return the largest round length (m) not longer than ``target_pt`` on paper."""
    fitting = [n for n in NICE_LENGTHS_M if n / metres_per_pt <= target_pt]
    return fitting[-1] if fitting else NICE_LENGTHS_M[0]


def draw_scale_bar(canv: Canvas, viewport: Viewport, x: float, y: float, font: str) -> None:
    """Draw a scale bar in metres starting at (x, y), at most 32 mm long."""
    length_m = nice_scale_length_m(1.0 / viewport.scale_pt_per_m, 32 * MM)
    bar = length_m * viewport.scale_pt_per_m
    canv.setStrokeColor(black)
    canv.setLineWidth(0.6)
    for k in range(4):
        canv.setFillColor(black if k % 2 == 0 else white)
        canv.rect(x + k * bar / 4, y, bar / 4, 1.8 * MM, stroke=1, fill=1)
    canv.setFillColor(black)
    canv.setFont(font, 8.5)
    canv.drawCentredString(x, y - 3.6 * MM, "0")
    canv.drawCentredString(x + bar, y - 3.6 * MM, _scale_text(length_m))


def _scale_text(length_m: int) -> str:
    if length_m >= 1000:
        return texts.SCALE_UNIT_KM.format(length=f"{length_m / 1000:g}")
    return texts.SCALE_UNIT_M.format(length=length_m)


def draw_attribution(canv: Canvas, frame: Rect, font: str) -> None:
    size = 6.5
    width = canv.stringWidth(texts.ATTRIBUTION, font, size)
    x = frame.x + frame.width - width - 2.5 * MM
    y = frame.y + 1.8 * MM
    canv.setFillColor(white)
    canv.rect(x - 1 * MM, y - 1 * MM, width + 2 * MM, size + 1.6 * MM, stroke=0, fill=1)
    canv.setFillColor(black)
    canv.setFont(font, size)
    canv.drawString(x, y, texts.ATTRIBUTION)


def draw_arrow_head(canv: Canvas, x: float, y: float, angle: float, size: float) -> None:
    """Draw a filled triangle at (x, y) pointing along ``angle`` (radians)."""
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    tip = (x + cos_a * size, y + sin_a * size)
    back_l = (
        x - cos_a * size * 0.6 - sin_a * size * 0.7,
        y - sin_a * size * 0.6 + cos_a * size * 0.7,
    )
    back_r = (
        x - cos_a * size * 0.6 + sin_a * size * 0.7,
        y - sin_a * size * 0.6 - cos_a * size * 0.7,
    )
    path = canv.beginPath()
    path.moveTo(*tip)
    path.lineTo(*back_l)
    path.lineTo(x - cos_a * size * 0.2, y - sin_a * size * 0.2)
    path.lineTo(*back_r)
    path.close()
    canv.drawPath(path, stroke=1, fill=1)


def _legend_route(canv: Canvas, x: float, y: float) -> None:
    canv.setStrokeColor(ROUTE_COLOUR)
    canv.setLineWidth(3.6)
    canv.line(x, y, x + 10 * MM, y)
    canv.setFillColor(ROUTE_DARK)
    canv.setStrokeColor(white)
    canv.setLineWidth(0.6)
    draw_arrow_head(canv, x + 5 * MM, y, 0.0, 2.2 * MM)


def _legend_inset(canv: Canvas, x: float, y: float) -> None:
    canv.setStrokeColor(INSET_COLOUR)
    canv.setLineWidth(1.4)
    canv.setDash(4, 2.5)
    canv.rect(x, y - 2.5 * MM, 10 * MM, 5 * MM, stroke=1, fill=0)
    canv.setDash()


def draw_legend(canv: Canvas, view: MapView, area: Rect, font: str) -> None:
    """Explain every symbol under the map, in two rows of three."""
    radius = MARKER_RADIUS_PT * 0.8

    def stop(kind: Any) -> Callable[[Canvas, float, float], None]:
        def draw(c: Canvas, x: float, y: float) -> None:
            draw_marker(c, Marker(1, kind, x + 5 * MM, y, x + 5 * MM, y), radius, font)

        return draw

    def place(symbol: str) -> Callable[[Canvas, float, float], None]:
        def draw(c: Canvas, x: float, y: float) -> None:
            draw_symbol_box(c, x + 5 * MM, y, symbol, font)

        return draw

    items: list[tuple[Callable[[Canvas, float, float], None], str]] = [
        (_legend_route, texts.LEGEND_ROUTE),
        (stop("pickup"), texts.LEGEND_STOP),
        (place(texts.DEPOT_SYMBOL), texts.LEGEND_DEPOT),
        (place(texts.DISPOSAL_SYMBOL), texts.LEGEND_DISPOSAL),
    ]
    if any(m.kind == "unload" for m in view.markers):  # an unload away from the facility
        items.append((stop("unload"), texts.LEGEND_UNLOAD))
    if view.insets:
        items.append((_legend_inset, texts.LEGEND_INSET))
    column = (area.width - 62 * MM) / 3
    for k, (symbol, text) in enumerate(items):
        x = area.x + (k % 3) * column
        y = area.y + area.height - (4.5 + 6.5 * (k // 3)) * MM
        symbol(canv, x, y)
        canv.setFillColor(black)
        canv.setFont(font, 8.5)
        canv.drawString(x + 12 * MM, y - 3.0, text)
    right = area.x + area.width
    draw_scale_bar(canv, view.viewport, right - 58 * MM, area.y + area.height - 7 * MM, font)
    draw_north_arrow(canv, right - 12 * MM, area.y + area.height - 7.5 * MM, font)
