"""Staff JSON API for bulky-waste bookings: book for a caller, look up, cancel, move, payment.

Bearer token or session + CSRF; 環境課 or admin (checked in the workflow). Each call is one
``workflow.db.unit_of_work``: any domain error rolls everything back and is answered by
``api.errors``.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from fastapi import APIRouter
from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from api.deps import MunicipalityDep, SessionDep
from api.openapi_contract import link, links
from api.schema_types import IsoDate, PaymentStatus, RowIdItem, StrictBody
from api.security import DeskStaff
from workflow.bookings.book import MAX_ITEMS_PER_BOOKING, BookingRequest, ItemLine
from workflow.bookings.changes import cancel_booking, reschedule_booking, set_payment_status
from workflow.bookings.desk import book_by_phone, get_booking, staff_actor
from workflow.bookings.place import (
    MAX_ADDRESS_LINE_CHARS,
    MAX_PUT_OUT_NOTE_CHARS,
    PUT_OUT_PLACES,
    Whereabouts,
)
from workflow.bookings.views import BookingView, Contact
from workflow.db import unit_of_work
from workflow.texts.resident.booking import receipt_text, tickets_yen
from workflow.texts.resident.bulky import put_out_text

router = APIRouter(prefix="/api/v1/bookings", tags=["bulky waste (staff)"])


# Bounds the schema declares and workflow.bookings checks for every channel, refusing with
# the sentence that names the field (the desk page shows it): declared here, checked there.
_QUANTITY: Final[JsonDict] = {"minimum": 1, "maximum": MAX_ITEMS_PER_BOOKING}
_LINES: Final[JsonDict] = {"minItems": 1, "maxItems": MAX_ITEMS_PER_BOOKING}


class ItemLineIn(StrictBody):
    item_id: RowIdItem
    quantity: int = Field(json_schema_extra=_QUANTITY)


class BookingCreate(StrictBody):
    lon: float = Field(json_schema_extra={"minimum": -180, "maximum": 180})  # else outside
    lat: float = Field(json_schema_extra={"minimum": -90, "maximum": 90})  # the town
    service_date: IsoDate
    items: list[ItemLineIn] = Field(max_length=50, json_schema_extra=_LINES)
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    address: str | None = Field(default=None, max_length=400)
    address_line: str | None = Field(
        default=None,
        max_length=MAX_ADDRESS_LINE_CHARS,
        description="番地・建物名・部屋番号 (required; full-width is made half-width)",
    )
    put_out: str | None = Field(
        default=None,
        max_length=max(len(p) for p in PUT_OUT_PLACES),
        json_schema_extra={"enum": list(PUT_OUT_PLACES)},
        description="排出場所 (required): 玄関前 / 敷地内の道路沿い / 集合住宅のごみ置場 / その他",
    )
    put_out_note: str | None = Field(
        default=None,
        max_length=MAX_PUT_OUT_NOTE_CHARS,
        description="where exactly the items stand; required with put_out=other",
    )
    note: str | None = Field(default=None, max_length=2000)

    def whereabouts(self) -> Whereabouts:
        """As entered; the workflow checks and normalises it (refusals name the field)."""
        return Whereabouts(self.address_line or "", self.put_out or "", self.put_out_note)


class RescheduleIn(StrictBody):
    service_date: IsoDate


class PaymentIn(StrictBody):
    payment_status: PaymentStatus


class LinePublic(BaseModel):
    item_id: int
    name: str
    quantity: int
    fee_yen: int
    subtotal_yen: int


class TicketsPublic(BaseModel):
    yen_1000: int
    yen_300: int
    total_yen: int  # the tickets' price: 1〜10 points already need one 1,000円券
    instructions: str


class ContactPublic(BaseModel):
    name: str
    phone: str
    address: str | None


class WhereaboutsPublic(BaseModel):
    """Where exactly to collect (personal data, like the contact)."""

    address_line: str
    put_out: str
    put_out_note: str | None
    put_out_text: str  # 「玄関前(門の右側)」


class BookingPublic(BaseModel):
    """A booking as the desk sees it (includes the caller's contact details)."""

    receipt_no: str
    status: str
    report_status: str
    payment_status: PaymentStatus
    service_date: IsoDate
    zone: str
    items: list[LinePublic]
    fee_total_yen: int
    tickets: TicketsPublic
    put_out_instructions: list[str]
    change_deadline: dt.datetime
    changeable: bool
    contact: ContactPublic | None
    whereabouts: WhereaboutsPublic | None
    note: str | None
    receipt_text: str


def _whereabouts(place: Whereabouts | None) -> WhereaboutsPublic | None:
    if place is None:
        return None
    text = put_out_text(place.put_out, place.put_out_note)
    return WhereaboutsPublic(**vars(place), put_out_text=text)


def _public(view: BookingView) -> BookingPublic:
    return BookingPublic(
        receipt_no=view.receipt_no,
        status=view.status,
        report_status=view.report_status,
        payment_status=view.payment_status,
        service_date=view.service_date,
        zone=view.zone_name,
        items=[LinePublic(**vars(line)) for line in view.lines],
        fee_total_yen=view.fee_total_yen,
        tickets=TicketsPublic(
            yen_1000=view.tickets[0],
            yen_300=view.tickets[1],
            total_yen=tickets_yen(view.tickets),
            instructions=view.ticket_instructions,
        ),
        put_out_instructions=list(view.put_out_instructions),
        change_deadline=view.change_deadline,
        changeable=view.changeable,
        contact=ContactPublic(**vars(view.contact)) if view.contact else None,
        whereabouts=_whereabouts(view.whereabouts),
        note=view.note,
        receipt_text=receipt_text(view.facts),
    )


_BOOKING: Final = "/api/v1/bookings/{receipt_no}"
_RECEIPT: Final = {"receipt_no": "$response.body#/receipt_no"}
BOOKED_LINKS: Final = links(
    201,
    ReadBooking=link("GET", _BOOKING, **_RECEIPT),
    CancelBooking=link("POST", _BOOKING + "/cancel", **_RECEIPT),
    RescheduleBooking=link("POST", _BOOKING + "/reschedule", **_RECEIPT),
    RecordPayment=link("PUT", _BOOKING + "/payment", **_RECEIPT),
)


@router.post(
    "",
    status_code=201,
    summary="Book a pickup for a caller (電話受付)",
    responses=BOOKED_LINKS,
)
def create_booking(
    body: BookingCreate, who: DeskStaff, session: SessionDep, mid: MunicipalityDep
) -> BookingPublic:
    request = BookingRequest(
        lon=body.lon,
        lat=body.lat,
        service_date=body.service_date,
        items=tuple(ItemLine(x.item_id, x.quantity) for x in body.items),
        address=body.address,
        contact=Contact(body.name, body.phone),
        note=body.note,
        whereabouts=body.whereabouts(),
    )
    with unit_of_work(session):
        return _public(book_by_phone(session, mid, request, who))


@router.get("/{receipt_no}", summary="One booking by its receipt number")
def read_booking(
    receipt_no: str, who: DeskStaff, session: SessionDep, mid: MunicipalityDep
) -> BookingPublic:
    with unit_of_work(session):
        return _public(get_booking(session, mid, receipt_no, who))


@router.post("/{receipt_no}/cancel", summary="Cancel before the cut-off (frees the slot)")
def cancel(
    receipt_no: str, who: DeskStaff, session: SessionDep, mid: MunicipalityDep
) -> BookingPublic:
    with unit_of_work(session):
        return _public(cancel_booking(session, mid, receipt_no, staff_actor(who)))


@router.post(
    "/{receipt_no}/reschedule", summary="Move to another collection day before the cut-off"
)
def reschedule(
    receipt_no: str, body: RescheduleIn, who: DeskStaff, session: SessionDep, mid: MunicipalityDep
) -> BookingPublic:
    with unit_of_work(session):
        view = reschedule_booking(session, mid, receipt_no, body.service_date, staff_actor(who))
        return _public(view)


@router.put("/{receipt_no}/payment", summary="Record the payment (unpaid / ticket / paid_online)")
def payment(
    receipt_no: str, body: PaymentIn, who: DeskStaff, session: SessionDep, mid: MunicipalityDep
) -> BookingPublic:
    with unit_of_work(session):
        view = set_payment_status(session, mid, receipt_no, body.payment_status, staff_actor(who))
        return _public(view)
