"""Flex messages of the bulky-waste booking: confirm, receipt, and 「わたしの申込」.

Plain JSON-able dicts like ``messages``; the 処理券 and put-out sentences are the phone desk's
(``workflow.texts.resident.booking``), so every channel gives the same instructions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from api.line import flex, postback
from api.line.bulky import cart
from api.line.bulky.model import BookingReceipt, CartLine
from api.line.messages import (
    QuickReplyItem,
    flex_message,
    status_colour,
    status_label,
    text_message,
)
from api.line.model import Message
from workflow.texts.resident import bulky as tb
from workflow.texts.resident import line as texts
from workflow.texts.resident.booking import PUT_OUT_INSTRUCTIONS, deadline_ja, ticket_text

MAX_LISTED_BOOKINGS = 10  # a carousel holds at most 12 bubbles


@dataclass(frozen=True)
class BookingSummary:
    """What the resident is about to book, for the confirm bubble."""

    place: str | None
    zone_name: str | None
    service_date: date | None
    lines: tuple[CartLine, ...]
    name: str | None
    phone: str | None
    address_line: str | None = None
    put_out: str = ""  # 「玄関前(門の右側)」, see ``put_out_text``


@dataclass(frozen=True)
class MyBooking:
    """One upcoming booking in 「わたしの申込」; ``status`` is the report's (received ...)."""

    receipt_no: str
    service_date: date
    items: tuple[tuple[str, int], ...]
    fee_total_yen: int
    status: str
    changeable: bool
    deadline: datetime
    address_line: str | None = None
    put_out: str = ""  # 「玄関前(門の右側)」, see ``put_out_text``


def _item_rows(lines: Sequence[CartLine]) -> list[flex.Component]:
    rows = []
    for line in lines:
        fee = cart.fee_text(None if line.fee_yen is None else line.subtotal_yen)
        label = tb.ITEM_ROW.format(name=line.name, quantity=line.quantity)
        cells = [
            flex.text(label, size="sm", flex=5),
            flex.text(fee, size="sm", flex=2, align="end"),
        ]
        rows.append(flex.box("baseline", cells, spacing="sm"))
    return rows


def _total_row(lines: Sequence[CartLine]) -> flex.Component:
    return flex.field_row(tb.FIELD_TOTAL, cart.total_text(cart.total_yen(lines)))


def _day_text(day: date | None) -> str:
    return cart.day_label(day) if day else ""


def _where_rows(address_line: str | None, put_out: str) -> list[flex.Component]:
    """番地・建物名 and 出す場所, each left out when unknown (older bookings lack them)."""
    rows = []
    if address_line:
        rows.append(flex.field_row(tb.FIELD_ADDRESS_LINE, address_line))
    if put_out:
        rows.append(flex.field_row(tb.FIELD_PUT_OUT, put_out))
    return rows


def build_booking_confirm(
    summary: BookingSummary, quick_replies: Sequence[QuickReplyItem] = ()
) -> Message:
    """Items with quantity and fee, the total, date, place and contact; 申し込む / 修正 / やめる."""
    place = summary.place or texts.PLACE_UNKNOWN
    if summary.zone_name:
        place = f"{place}({summary.zone_name})"
    body = [
        flex.text(tb.ASK_BOOK_CONFIRM, size="sm"),
        flex.separator(),
        flex.field_row(tb.FIELD_DATE, _day_text(summary.service_date)),
        flex.field_row(tb.FIELD_PLACE, place),
        *_where_rows(summary.address_line, summary.put_out),
        flex.separator(),
        *_item_rows(summary.lines),
        _total_row(summary.lines),
        flex.separator(),
        flex.field_row(tb.FIELD_NAME, summary.name or ""),
        flex.field_row(tb.FIELD_PHONE, summary.phone or ""),
    ]
    footer = [
        flex.postback_button(
            tb.LABEL_BOOK, postback.encode_command(postback.BOOK), tb.LABEL_BOOK, "primary"
        ),
        flex.postback_button(
            texts.LABEL_EDIT, postback.encode_command(postback.BACK), texts.LABEL_BACK, "secondary"
        ),
        flex.postback_button(
            texts.LABEL_CANCEL, postback.encode_command(postback.CANCEL), texts.LABEL_CANCEL, "link"
        ),
    ]
    total = cart.total_yen(summary.lines)
    alt = tb.CONFIRM_ALT.format(date=_day_text(summary.service_date), total=total)
    return flex_message(alt, flex.bubble(tb.CONFIRM_TITLE, body, footer), quick_replies)


def _note(content: str) -> flex.Component:
    return flex.text(content, size="xs", color=flex.MUTED_COLOUR)


def build_booking_receipt(
    receipt: BookingReceipt, quick_replies: Sequence[QuickReplyItem] = ()
) -> Message:
    """受付番号, date, items and total, how to buy and mark the 処理券, where and by when."""
    lines = cart.merged(receipt.lines)
    body = [
        flex.field_row(tb.FIELD_RECEIPT_NO, receipt.receipt_no, flex.HEADER_COLOUR),
        flex.field_row(tb.FIELD_DATE, cart.day_label(receipt.service_date)),
        flex.field_row(tb.FIELD_PLACE, receipt.place or texts.PLACE_UNKNOWN),
        *_where_rows(receipt.address_line, tb.put_out_text(receipt.put_out, receipt.put_out_note)),
        flex.separator(),
        *_item_rows(lines),
        flex.field_row(tb.FIELD_TOTAL, cart.total_text(receipt.fee_total_yen)),
        flex.separator(),
        flex.text(tb.SECTION_TICKETS, size="sm", weight="bold"),
        flex.text(tb.POINTS_RULE, size="xs"),
        flex.text(ticket_text(receipt.tickets), size="xs"),
        flex.separator(),
        flex.text(tb.SECTION_PUT_OUT, size="sm", weight="bold"),
        flex.text(tb.PUT_OUT_BY.format(date=cart.day_label(receipt.service_date)), size="xs"),
        flex.text(PUT_OUT_INSTRUCTIONS[3], size="xs"),
        _note(tb.CHANGE_BY.format(deadline=deadline_ja(receipt.change_deadline))),
    ]
    alt = tb.RECEIPT_ALT.format(
        receipt_no=receipt.receipt_no,
        date=cart.day_label(receipt.service_date),
        total=receipt.fee_total_yen,
    )
    return flex_message(alt, flex.bubble(tb.RECEIPT_TITLE, body), quick_replies)


def _booking_footer(booking: MyBooking, phone: str) -> list[flex.Component]:
    deadline = deadline_ja(booking.deadline)
    if not booking.changeable:
        return [_note(tb.TOO_LATE_NOTE.format(deadline=deadline, phone=phone))]
    return [
        _note(tb.CHANGEABLE_NOTE.format(deadline=deadline)),
        flex.postback_button(
            tb.LABEL_MOVE,
            postback.encode_command(postback.BOOKING_MOVE, r=booking.receipt_no),
            tb.LABEL_MOVE,
            "secondary",
        ),
        flex.postback_button(
            tb.LABEL_CANCEL_BOOKING,
            postback.encode_command(postback.BOOKING_CANCEL, r=booking.receipt_no),
            tb.LABEL_CANCEL_BOOKING,
            "link",
        ),
    ]


def _booking_bubble(booking: MyBooking, phone: str) -> flex.Component:
    items = "、".join(tb.ITEM_ROW.format(name=n, quantity=q) for n, q in booking.items)
    colour = status_colour(booking.status)
    body = [
        flex.field_row(tb.FIELD_RECEIPT_NO, booking.receipt_no),
        flex.field_row(tb.FIELD_DATE, cart.day_label(booking.service_date)),
        *_where_rows(booking.address_line, booking.put_out),
        flex.field_row(tb.FIELD_ITEMS, items),
        flex.field_row(tb.FIELD_FEE, cart.total_text(booking.fee_total_yen)),
        flex.field_row(tb.FIELD_STATUS, status_label(booking.status), colour),
    ]
    return flex.bubble(tb.MY_BOOKINGS_TITLE, body, _booking_footer(booking, phone))


def build_my_bookings(
    bookings: Sequence[MyBooking], phone: str, quick_replies: Sequence[QuickReplyItem] = ()
) -> Message:
    """The resident's upcoming bookings, soonest first, one bubble each with change buttons."""
    if not bookings:
        return text_message(tb.MY_BOOKINGS_NONE, quick_replies)
    soonest = sorted(bookings, key=lambda b: (b.service_date, b.receipt_no))
    bubbles = [_booking_bubble(b, phone) for b in soonest[:MAX_LISTED_BOOKINGS]]
    alt = tb.MY_BOOKINGS_ALT.format(count=len(bookings))
    if len(bookings) > MAX_LISTED_BOOKINGS:
        more = tb.MY_BOOKINGS_MORE.format(shown=MAX_LISTED_BOOKINGS, total=len(bookings))
        bubbles[0]["body"]["contents"].insert(0, _note(more))
        alt = f"{alt} {more}"
    return flex_message(alt, {"type": "carousel", "contents": bubbles}, quick_replies)
