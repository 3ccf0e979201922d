"""The web booking form's fields -> a typed ``WebBookingForm``; the rules live in workflow.

Here only what HTTP can get wrong is handled (a number or a date that does not parse, item
lines that do not pair up); ``workflow.web.bookings.check_web_booking`` then checks every
field and answers every problem, each shown next to its field.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from workflow.bookings.book import ItemLine
from workflow.errors import WorkflowError
from workflow.texts.resident import web_booking as t
from workflow.texts.sentences import error_text
from workflow.web.bookings import CartLine, WebBookingForm

# Errors whose field is a part of a step name that step (``items.quantity`` -> ``items``).
FIELDS = (
    "location",
    "address_line",
    "put_out",
    "put_out_note",
    "items",
    "service_date",
    "name",
    "phone",
)


@dataclass(frozen=True)
class BookingFields:
    """The form's fields as sent, to fill the form in again after a refusal."""

    lon: str = ""
    lat: str = ""
    address_line: str = ""
    put_out: str = ""
    put_out_note: str = ""
    item_ids: tuple[str, ...] = ()
    quantities: tuple[str, ...] = ()
    service_date: str = ""
    name: str = ""
    phone: str = ""


@dataclass
class ParsedBooking:
    form: WebBookingForm
    errors: dict[str, str] = field(default_factory=dict)


def _coordinate(value: str, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _item_lines(fields: BookingFields) -> tuple[ItemLine, ...] | None:
    if len(fields.item_ids) != len(fields.quantities):
        return None
    try:
        pairs = [(int(i), int(q)) for i, q in zip(fields.item_ids, fields.quantities, strict=True)]
    except ValueError:
        return None
    return tuple(ItemLine(item_id, quantity) for item_id, quantity in pairs)


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_booking(fields: BookingFields) -> ParsedBooking:
    """Type the fields; what cannot be read is given as missing plus an error of its own."""
    errors: dict[str, str] = {}
    lines = _item_lines(fields)
    if lines is None:
        errors["items"] = t.ITEMS_UNREADABLE
    day = _day(fields.service_date)
    if fields.service_date and day is None:
        errors["service_date"] = t.DATE_UNREADABLE
    form = WebBookingForm(
        lon=_coordinate(fields.lon, -180.0, 180.0),
        lat=_coordinate(fields.lat, -90.0, 90.0),
        address_line=fields.address_line,
        put_out=fields.put_out,
        put_out_note=fields.put_out_note,
        items=lines or (),
        service_date=day,
        name=fields.name,
        phone=fields.phone,
    )
    return ParsedBooking(form, errors)


def field_of(error: WorkflowError) -> str:
    """The form step an error belongs to (``form`` when none fits)."""
    name = (error.field or "").split(".")[0]
    return name if name in FIELDS else "form"


def add_errors(errors: dict[str, str], found: tuple[WorkflowError, ...]) -> None:
    """Each error's sentence next to its field; the first one per field is kept."""
    for error in found:
        errors.setdefault(field_of(error), error_text(error))


def cart_json(lines: tuple[CartLine, ...]) -> list[dict[str, Any]]:
    """The cart for the page's script (names and fees from the catalogue)."""
    return [
        {"id": c.item_id, "name": c.name, "fee_yen": c.fee_yen, "quantity": c.quantity}
        for c in lines
    ]
