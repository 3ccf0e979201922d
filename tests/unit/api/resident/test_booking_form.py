"""The web booking form's HTTP fields: what does not parse is said so, never guessed."""

from __future__ import annotations

import datetime as dt

from api.resident.booking_form import BookingFields, field_of, parse_booking
from workflow.bookings.book import ItemLine
from workflow.errors import InvalidInputError
from workflow.texts.resident import web_booking as t


def test_fields_are_typed() -> None:
    fields = BookingFields("139.4", "35.7", item_ids=("3", "9"), quantities=("1", "2"),
                           service_date="2026-12-20")  # fmt: skip
    parsed = parse_booking(fields)
    assert parsed.errors == {}
    assert (parsed.form.lon, parsed.form.lat) == (139.4, 35.7)
    assert parsed.form.items == (ItemLine(3, 1), ItemLine(9, 2))
    assert parsed.form.service_date == dt.date(2026, 12, 20)


def test_unreadable_items_dates_and_places_are_refused() -> None:
    fields = BookingFields("nan", "35.7", item_ids=("3",), quantities=(), service_date="12/20")
    parsed = parse_booking(fields)
    assert parsed.errors == {"items": t.ITEMS_UNREADABLE, "service_date": t.DATE_UNREADABLE}
    assert parsed.form.lon is None and parsed.form.items == ()


def test_an_error_of_a_part_belongs_to_its_step() -> None:
    assert field_of(InvalidInputError("quantity_out_of_range", field="items.quantity")) == "items"
    assert field_of(InvalidInputError("booking_not_booked", field="status")) == "form"
