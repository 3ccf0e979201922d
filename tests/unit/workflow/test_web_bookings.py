"""The web booking form's checks: every problem at once, each named by its field (no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from workflow.bookings.book import ItemLine
from workflow.bookings.place import Whereabouts
from workflow.bookings.views import Contact
from workflow.web.bookings import WebBookingForm, check_web_booking

GOOD = WebBookingForm(
    lon=139.41,
    lat=35.70,
    address_line="１－２－３",
    put_out="roadside",
    put_out_note="",
    items=(ItemLine(7, 2),),
    service_date=dt.date(2026, 12, 20),
    name="立川　花子",
    phone="０９０ー１２３４ー５６７８",
)


def test_a_good_form_becomes_a_request_with_contact_and_whereabouts() -> None:
    request, problems = check_web_booking(GOOD)
    assert problems == () and request is not None
    assert request.whereabouts == Whereabouts("1-2-3", "roadside", None)
    assert request.contact == Contact("立川 花子", "090-1234-5678")
    assert (request.lon, request.lat, request.items) == (139.41, 35.70, (ItemLine(7, 2),))


def test_every_problem_is_named_by_its_field() -> None:
    form = replace(
        GOOD, lon=None, address_line=" ", items=(), service_date=None, name="", phone="123"
    )
    request, problems = check_web_booking(form)
    assert request is None
    assert [(p.field, p.code) for p in problems] == [
        ("location", "location_missing"),
        ("address_line", "address_line_missing"),
        ("items", "items_missing"),
        ("service_date", "service_date_missing"),
        ("name", "name_invalid"),
        ("phone", "phone_invalid"),
    ]


def test_too_many_items_are_refused_on_the_items_field() -> None:
    _request, problems = check_web_booking(replace(GOOD, items=(ItemLine(1, 6), ItemLine(2, 5))))
    assert [(p.field, p.code) for p in problems] == [("items", "too_many_items")]
