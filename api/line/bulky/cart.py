"""The booking being put together: pieces, merged lines, totals, and how fees and days read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from api.line.bulky.model import CartLine, DayOption
from workflow.texts.resident import bulky as tb
from workflow.texts.resident.booking import date_ja

YEN_PER_POINT = 100


def pieces(lines: Sequence[CartLine]) -> int:
    """How many pieces the booking holds (the per-booking limit counts pieces)."""
    return sum(line.quantity for line in lines)


def merged(lines: Sequence[CartLine]) -> tuple[CartLine, ...]:
    """One line per item, in the order first added (the same item added twice is summed)."""
    by_item: dict[int, CartLine] = {}
    for line in lines:
        seen = by_item.get(line.item_id)
        quantity = line.quantity + (seen.quantity if seen else 0)
        by_item[line.item_id] = CartLine(line.item_id, line.name, line.fee_yen, quantity)
    return tuple(by_item.values())


def total_yen(lines: Sequence[CartLine]) -> int:
    return sum(line.subtotal_yen for line in lines)


def fee_text(fee_yen: int | None) -> str:
    """「1,500円」, or that the fee is given on request."""
    return tb.FEE_ON_REQUEST if fee_yen is None else tb.FEE_YEN.format(fee=fee_yen)


def total_text(total: int) -> str:
    """「1,500円(15ポイント)」."""
    return tb.TOTAL_VALUE.format(total=total, points=total // YEN_PER_POINT)


def cart_text(lines: Sequence[CartLine]) -> str:
    """The running list with each line's fee and the total, for the chat."""
    rows = [tb.CART_HEAD]
    for line in merged(lines):
        subtotal = fee_text(None if line.fee_yen is None else line.subtotal_yen)
        rows.append(tb.CART_LINE.format(name=line.name, quantity=line.quantity, subtotal=subtotal))
    total = total_yen(lines)
    rows.append(tb.CART_TOTAL.format(total=total, points=total // YEN_PER_POINT))
    return "\n".join(rows)


def day_label(day: date) -> str:
    """「12月3日（木）」 (the catalogue of the phone desk and the reminders)."""
    return date_ja(day)


def bookable(days: Sequence[DayOption], except_day: date | None = None) -> list[DayOption]:
    return [d for d in days if d.bookable and d.day != except_day]
