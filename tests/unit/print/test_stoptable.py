"""Stop table pieces: item names for a quick read, column widths that fit the numbers."""

from __future__ import annotations

import pytest

from print.stoptable import column_widths, split_item_name


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


def test_booking_column_fits_its_numbers_and_the_rest_share_the_width() -> None:
    widths = column_widths(500.0, booking_width=80.0)
    assert widths[1] == 80.0 and sum(widths) == pytest.approx(500.0)
    assert column_widths(500.0, booking_width=10.0)[1] > 10.0  # never a sliver
    assert column_widths(500.0, booking_width=400.0)[1] < 120.0  # never the whole table
