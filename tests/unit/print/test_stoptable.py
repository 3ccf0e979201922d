"""Stop table pieces: item names for a quick read, column widths that fit the numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from print.fonts import register_japanese_font
from print.maplayout import MM
from print.sample import build_sample_set
from print.stoptable import (
    ADDRESS,
    BOOKING,
    CELL_PADDING_PT,
    ITEMS,
    NOTE,
    QR,
    QR_SIZE_PT,
    RESULT,
    TICKET,
    TableStyles,
    column_widths,
    fitted_widths,
    split_item_name,
)


def test_item_names_split_into_what_to_look_for_and_fine_print() -> None:
    assert split_item_name(
        "ござ：部屋敷きのカーペット程度の大きさ（指定収集袋に入らないもの）"
    ) == (
        "ござ",
        "：部屋敷きのカーペット程度の大きさ（指定収集袋に入らないもの）",
    )
    assert split_item_name("スチール棚（H180cmW120cm以上）") == (
        "スチール棚",
        "（H180cmW120cm以上）",
    )
    assert split_item_name("タンス") == ("タンス", "")
    assert split_item_name("（不明）") == ("（不明）", "")


def test_fitted_columns_keep_their_width_and_the_free_text_shares_the_rest() -> None:
    widths = column_widths(500.0, {BOOKING: 80.0, QR: 60.0})
    assert widths[BOOKING] == 80.0 and widths[QR] == 60.0
    assert sum(widths) == pytest.approx(500.0)
    assert widths[ITEMS] / widths[ADDRESS] == pytest.approx(36.0 / 31.0)


def test_fixed_texts_fit_their_columns_on_one_line() -> None:
    font = register_japanese_font()
    route = build_sample_set(trucks=1, stops_per_truck=6).routes[0]
    styles = TableStyles(font)
    fitted = fitted_widths(route, styles)
    inner = {k: w - 2 * CELL_PADDING_PT for k, w in fitted.items()}
    assert stringWidth(route.stops[0].booking_no, font, styles.booking.fontSize) <= inner[BOOKING]
    assert stringWidth("□ 1,000円券", font, styles.ticket.fontSize) <= inner[TICKET] + 1
    assert stringWidth("□ 出ていない", font, 9.0) <= inner[RESULT] + 2
    assert fitted[QR] >= QR_SIZE_PT


def test_the_notes_column_shrinks_on_a_day_without_notes() -> None:
    styles = TableStyles(register_japanese_font())
    route = build_sample_set(trucks=1, stops_per_truck=6).routes[0]
    assert any(s.resident_note for s in route.stops)
    silent = replace(route, stops=tuple(replace(s, resident_note="") for s in route.stops))
    assert NOTE not in fitted_widths(route, styles)
    assert fitted_widths(silent, styles)[NOTE] < 20 * MM
    widths = column_widths(500.0, fitted_widths(silent, styles))
    assert sum(widths) == pytest.approx(500.0)  # the address and items take the room
