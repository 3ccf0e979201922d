"""Values of the bulky-waste (粗大ごみ) booking dialogue: events in, actions out, state parts.

Frozen dataclasses, like ``model``: the worker turns catalogue rows, calendar rows and booking
results into these, so the dialogue steps stay pure. Dates are Asia/Tokyo calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Change = Literal["cancel", "move"]


# --- parts of the state ---


@dataclass(frozen=True)
class ItemChoice:
    """An accepted catalogue item offered as a candidate; ``fee_yen`` None: fee on request."""

    item_id: int
    name: str
    fee_yen: int | None


@dataclass(frozen=True)
class ItemRefusal:
    """A catalogue hit the city does not collect, with the reason and where to go instead."""

    name: str
    reason: str | None
    alternative: str | None


@dataclass(frozen=True)
class CartLine:
    """One addition to the booking (the same item added twice gives two lines)."""

    item_id: int
    name: str
    fee_yen: int | None
    quantity: int

    @property
    def subtotal_yen(self) -> int:
        return (self.fee_yen or 0) * self.quantity


@dataclass(frozen=True)
class DayOption:
    """A zone-day inside the booking window: ``free`` slots left, or closed with a reason."""

    day: date
    free: int
    closed_reason: str | None = None

    @property
    def bookable(self) -> bool:
        return self.free > 0 and self.closed_reason is None


# --- events: what the worker found out ---


@dataclass(frozen=True)
class ItemsFound:
    """The catalogue's answer to ``SearchItems``; ``more``: further hits were left out."""

    query: str
    choices: tuple[ItemChoice, ...] = ()
    refusals: tuple[ItemRefusal, ...] = ()
    more: bool = False


@dataclass(frozen=True)
class DaysFound:
    """The zone's days inside the booking window (answer to ``LoadDays``)."""

    days: tuple[DayOption, ...]


@dataclass(frozen=True)
class BookingReceipt:
    """What the receipt says about a booking just made."""

    receipt_no: str
    service_date: date
    lines: tuple[CartLine, ...]
    fee_total_yen: int
    tickets: tuple[int, int]  # (1000円券, 300円券)
    place: str | None
    change_deadline: datetime
    address_line: str | None = None
    put_out: str | None = None  # one of workflow.bookings.place.PUT_OUT_PLACES
    put_out_note: str | None = None


@dataclass(frozen=True)
class BookingDone:
    receipt: BookingReceipt


@dataclass(frozen=True)
class BookingRefused:
    """A booking, cancel or move the workflow refused; nothing was written.

    ``code`` / ``field`` are the workflow error's (``capacity_full``, ``service_date`` ...);
    ``days`` are the zone's days read again after the refusal, to offer anew.
    """

    code: str
    message: str
    field: str | None = None
    days: tuple[DayOption, ...] = ()


@dataclass(frozen=True)
class BookingOpened:
    """The worker's answer to ``OpenBooking``: the resident's booking, if it is theirs."""

    receipt_no: str
    change: Change
    found: bool
    service_date: date | None = None
    changeable: bool = False
    deadline: datetime | None = None
    days: tuple[DayOption, ...] = ()
    status: str = "booked"  # the booking's: booked, cancelled, collected, not_out


@dataclass(frozen=True)
class BookingChanged:
    """A cancel or move went through; ``service_date`` is the (new) collection date."""

    change: Change
    receipt_no: str
    service_date: date


# --- actions: I/O the worker performs ---


@dataclass(frozen=True)
class SearchItems:
    """Search the catalogue -> ``ItemsFound``."""

    query: str


@dataclass(frozen=True)
class LoadDays:
    """The days of the zone containing lon/lat (EPSG:4326) -> ``DaysFound``."""

    lon: float
    lat: float


@dataclass(frozen=True)
class BookingDraft:
    """Everything a booking needs; name, phone and whereabouts go to its contact row only."""

    lon: float
    lat: float
    address: str | None
    service_date: date
    lines: tuple[CartLine, ...]
    name: str
    phone: str
    address_line: str
    put_out: str
    put_out_note: str | None = None


@dataclass(frozen=True)
class SubmitBooking:
    """Book through ``workflow`` -> ``BookingDone`` or ``BookingRefused``."""

    draft: BookingDraft


@dataclass(frozen=True)
class ShowMyBookings:
    """Load the resident's upcoming bookings and reply with their list."""


@dataclass(frozen=True)
class OpenBooking:
    """Look up the resident's booking before a change -> ``BookingOpened``."""

    receipt_no: str
    change: Change


@dataclass(frozen=True)
class CancelBooking:
    """Cancel -> ``BookingChanged`` or ``BookingRefused``."""

    receipt_no: str


@dataclass(frozen=True)
class MoveBooking:
    """Move to another day -> ``BookingChanged`` or ``BookingRefused`` (with fresh days)."""

    receipt_no: str
    service_date: date


BulkyEvent = ItemsFound | DaysFound | BookingDone | BookingRefused | BookingOpened | BookingChanged
BulkyAction = (
    SearchItems
    | LoadDays
    | SubmitBooking
    | ShowMyBookings
    | OpenBooking
    | CancelBooking
    | MoveBooking
)
