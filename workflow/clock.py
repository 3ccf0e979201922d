"""The municipality's clock: the Tokyo time zone and "now" in it (one home for both).

Every date a resident or staff member sees (collection days, deadlines, receipts) is a
Japanese calendar date, so "now" is always taken in Asia/Tokyo, never in the server's zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def now_tokyo() -> dt.datetime:
    """The current time as an aware datetime in Asia/Tokyo."""
    return dt.datetime.now(tz=TOKYO)


def today_tokyo() -> dt.date:
    """Today's date in Asia/Tokyo (a collection day, a deadline day)."""
    return now_tokyo().date()
