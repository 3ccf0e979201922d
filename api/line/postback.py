"""Postback data: a compact ``key=value&...`` query string (LINE allows 300 characters).

Rich-menu areas send ``flow=road`` / ``flow=disaster`` / ``flow=bulky`` / ``my=reports`` /
``my=bookings``; buttons inside a dialogue send ``a=<command>`` plus short parameters (``c``
category code, ``r`` receipt number, ``v`` value, ``i`` item id, ``n`` quantity, ``d`` date,
``p`` put-out place).
A datetimepicker's chosen date arrives beside the data and is merged in as ``d``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl, urlencode

MAX_DATA_CHARS: Final = 300

# commands (value of ``a``)
CANCEL: Final = "cancel"
BACK: Final = "back"
CATEGORY: Final = "cat"
URGENT: Final = "urg"
ATTACH: Final = "att"
SEPARATE: Final = "new"
NO_PHOTO: Final = "nophoto"
PHOTOS_DONE: Final = "pdone"
NO_DESCRIPTION: Final = "nodesc"
SEND: Final = "send"
MY_REPORTS: Final = "my"
START: Final = "start"  # params: f=<flow>
# bulky-waste booking
PUT_OUT: Final = "put"  # p=<put-out place code>
NO_NOTE: Final = "nonote"
ITEM: Final = "item"  # i=<item id>
QUANTITY: Final = "qty"  # n=<pieces>
ADD_MORE: Final = "more"
ITEMS_DONE: Final = "idone"
DAY: Final = "day"  # d=<YYYY-MM-DD> (or the datetimepicker's date)
BOOK: Final = "book"
MY_BOOKINGS: Final = "mybk"
BOOKING_CANCEL: Final = "bcancel"  # r=<receipt no>
BOOKING_MOVE: Final = "bmove"  # r=<receipt no>
CANCEL_OK: Final = "bcok"
KEEP: Final = "keep"

RICH_MENU_ROAD: Final = "flow=road"
RICH_MENU_DISASTER: Final = "flow=disaster"
RICH_MENU_BULKY: Final = "flow=bulky"
RICH_MENU_MY_REPORTS: Final = "my=reports"
RICH_MENU_MY_BOOKINGS: Final = "my=bookings"


@dataclass(frozen=True)
class Command:
    name: str
    params: dict[str, str] = field(default_factory=dict)

    def param(self, key: str) -> str:
        return self.params.get(key, "")


def encode_command(name: str, **params: str) -> str:
    """``encode_command("cat", c="pothole")`` -> ``"a=cat&c=pothole"``."""
    data = urlencode({"a": name, **params})
    if len(data) > MAX_DATA_CHARS:
        raise ValueError(f"postback data longer than {MAX_DATA_CHARS} characters: {data[:40]}...")
    return data


def decode_command(data: str) -> Command | None:
    """Postback data -> command; rich-menu keys map onto ``start`` / ``my``; junk -> None."""
    try:
        pairs = dict(parse_qsl(data, keep_blank_values=True, max_num_fields=10))
    except ValueError:
        return None
    if "a" in pairs:
        name = pairs.pop("a")
        return Command(name, pairs) if name else None
    if "flow" in pairs:
        return Command(START, {"f": pairs["flow"]})
    if pairs.get("my") == "reports":
        return Command(MY_REPORTS)
    if pairs.get("my") == "bookings":
        return Command(MY_BOOKINGS)
    return None
