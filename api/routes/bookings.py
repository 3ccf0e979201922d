"""Staff JSON API for bulky-waste bookings: book for a caller, look up, cancel, move, payment.

Bearer token or session + CSRF; 環境課 or admin (checked in the workflow). Each call is one
transaction: any domain error rolls everything back and is answered by ``api.errors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import MunicipalityDep, SessionDep
from api.schema_types import IsoDate, PaymentStatus
from api.security import DeskStaff
from workflow.booking_changes import cancel_booking, reschedule_booking, set_payment_status
from workflow.booking_desk import PhoneBooking, book_by_phone, get_booking, staff_actor
from workflow.booking_texts import receipt_text, tickets_yen
from workflow.booking_views import BookingView, Contact
from workflow.bookings import ItemLine

router = APIRouter(prefix="/api/v1/bookings", tags=["bulky waste (staff)"])


class ItemLineIn(BaseModel):
    item_id: int
    quantity: int


class BookingCreate(BaseModel):
    lon: float
    lat: float
    service_date: IsoDate
    items: list[ItemLineIn] = Field(max_length=50)
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    address: str | None = Field(default=None, max_length=400)
    note: str | None = Field(default=None, max_length=2000)


class RescheduleIn(BaseModel):
    service_date: IsoDate


class PaymentIn(BaseModel):
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
    note: str | None
    receipt_text: str


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """One transaction for the use case; the sign-in check has already read in the session."""
    if session.in_transaction():
        session.commit()  # ends the read-only transaction of the staff lookup
    with session.begin():
        yield


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
        note=view.note,
        receipt_text=receipt_text(view.facts),
    )


@router.post("", status_code=201, summary="Book a pickup for a caller (電話受付)")
def create_booking(
    body: BookingCreate, who: DeskStaff, session: SessionDep, mid: MunicipalityDep
) -> BookingPublic:
    request = PhoneBooking(
        lon=body.lon,
        lat=body.lat,
        service_date=body.service_date,
        items=tuple(ItemLine(x.item_id, x.quantity) for x in body.items),
        contact=Contact(body.name, body.phone, body.address),
        note=body.note,
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
