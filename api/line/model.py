"""Values of the resident dialogue: events in, actions out, the stored state.

Everything here is a frozen dataclass so a dialogue step is a pure function of its inputs.
``DialogueState`` round-trips through JSON (``to_json`` / ``from_json``) because the worker
keeps it in PostgreSQL between webhook events.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Literal

import pydantic

from api.line.bulky.model import (
    BulkyAction,
    BulkyEvent,
    CartLine,
    DayOption,
    ItemChoice,
)
from workflow.bookings.calendar import first_bookable_day
from workflow.clock import TOKYO

Message = dict[str, Any]
"""A LINE Messaging API message object as a JSON-able dict (``type`` text / flex ...)."""

ReportKind = Literal["road", "disaster"]


class Flow(enum.StrEnum):
    ROAD = "road"
    DISASTER = "disaster"
    BULKY = "bulky"
    BULKY_CHANGE = "bulky_change"  # cancel or move a booking from 「わたしの申込」


class Step(enum.StrEnum):
    CATEGORY = "category"
    URGENT = "urgent"
    LOCATION = "location"
    CHECKING = "checking"  # waiting for the worker's LocationChecked; never in history
    NEARBY = "nearby"
    PHOTOS = "photos"
    DESCRIPTION = "description"
    CONFIRM = "confirm"
    # bulky-waste booking (api/line/bulky/flows.py, where exactly: bulky/whereabouts.py)
    ADDRESS_LINE = "address_line"
    PUT_OUT = "put_out"
    PUT_OUT_NOTE = "put_out_note"
    ITEM = "item"
    QUANTITY = "quantity"
    CART = "cart"
    DATE = "date"
    NAME = "name"
    PHONE = "phone"
    BOOK_CONFIRM = "book_confirm"
    # changing a booking (api/line/bulky/changes.py)
    OPENING = "opening"  # waiting for the worker's BookingOpened; never in history
    CANCEL_CONFIRM = "cancel_confirm"
    MOVE_DATE = "move_date"


# --- events: what the resident sent (webhook) or what the worker found out (I/O results) ---


@dataclass(frozen=True)
class TextEvent:
    text: str


@dataclass(frozen=True)
class PostbackEvent:
    data: str
    date: str | None = None  # a datetimepicker's ``params.date`` (YYYY-MM-DD)


@dataclass(frozen=True)
class LocationEvent:
    lat: float
    lon: float
    address: str | None = None


@dataclass(frozen=True)
class ImageEvent:
    message_id: str


@dataclass(frozen=True)
class OtherMessageEvent:
    """A message the dialogue cannot use (sticker, video, audio, file): answered with a hint."""

    kind: str


@dataclass(frozen=True)
class NearbyReport:
    receipt_no: str
    category_name: str
    distance_m: float


@dataclass(frozen=True)
class LocationChecked:
    """The worker's answer to ``CheckLocation``."""

    inside: bool
    district_name: str | None = None
    address: str | None = None
    nearby: tuple[NearbyReport, ...] = ()
    zone_name: str | None = None  # bulky flow: the collection zone; None outside every zone


Event = (
    TextEvent
    | PostbackEvent
    | LocationEvent
    | ImageEvent
    | OtherMessageEvent
    | LocationChecked
    | BulkyEvent
)


# --- context: per-event facts the worker supplies ---


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    name: str


@dataclass(frozen=True)
class DialogueContext:
    now: datetime  # timezone-aware
    disaster_mode: bool
    road_categories: tuple[CategoryChoice, ...]
    disaster_categories: tuple[CategoryChoice, ...]
    municipality_name: str
    city_phone: str
    idle_timeout: timedelta = timedelta(minutes=30)
    max_photos: int = 3
    nearby_radius_m: float = 30.0
    public_map_url: str | None = None  # the public map of open reports, linked when warning
    max_description_chars: int = 500
    booking_min_days: int = 3  # bookable from this many days ahead ...
    booking_max_days: int = 28  # ... to this many (Asia/Tokyo dates)
    max_booking_items: int = 10  # pieces per booking
    local_tz: tzinfo = TOKYO

    def __post_init__(self) -> None:
        # A naive clock would make the idle check raise deep inside a step; refuse it here.
        if self.now.utcoffset() is None:
            raise ValueError("DialogueContext.now must be timezone-aware")

    @property
    def today(self) -> date:
        return self.now.astimezone(self.local_tz).date()

    @property
    def first_bookable(self) -> date:
        return first_bookable_day(self.today, self.booking_min_days)

    @property
    def last_bookable(self) -> date:
        return self.today + timedelta(days=self.booking_max_days)


# --- actions: I/O the worker performs after a step ---


@dataclass(frozen=True)
class ReportDraft:
    kind: ReportKind
    category_code: str
    lon: float
    lat: float
    address: str | None
    photo_message_ids: tuple[str, ...]
    description: str | None
    urgent: bool
    attach_to_receipt_no: str | None = None


@dataclass(frozen=True)
class CheckLocation:
    """Point-in-municipality, district, address and open reports nearby -> ``LocationChecked``.

    Open reports of ``category_code`` within ``nearby_radius_m`` metres count as nearby;
    ``category_code`` is None for the bulky flow (no duplicate search needed), which asks for
    the collection zone instead (``zone``).
    """

    lon: float
    lat: float
    category_code: str | None
    nearby_radius_m: float = 30.0
    zone: bool = False


@dataclass(frozen=True)
class SubmitReport:
    """Create the report, then reply with ``messages.build_receipt``."""

    draft: ReportDraft


@dataclass(frozen=True)
class ShowMyReports:
    """Load the resident's reports and reply with ``messages.build_my_reports``."""


Action = CheckLocation | SubmitReport | ShowMyReports | BulkyAction


# --- state ---


@dataclass(frozen=True)
class DialogueState:
    flow: Flow
    step: Step
    updated_at: datetime
    history: tuple[Step, ...] = ()
    category_code: str | None = None
    urgent: bool | None = None
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    district_name: str | None = None
    nearby: tuple[NearbyReport, ...] = ()
    attach_to_receipt_no: str | None = None
    photo_message_ids: tuple[str, ...] = ()
    description: str | None = None
    # bulky-waste booking
    zone_name: str | None = None
    address_line: str | None = None  # personal data, like the contact
    put_out: str | None = None
    put_out_note: str | None = None
    candidates: tuple[ItemChoice, ...] = ()
    pending_item: ItemChoice | None = None
    lines: tuple[CartLine, ...] = ()
    days: tuple[DayOption, ...] = ()
    service_date: date | None = None
    contact_name: str | None = None  # personal data: kept only until the booking is made
    contact_phone: str | None = None
    # changing a booking
    receipt_no: str | None = None
    booked_date: date | None = None
    version: int = 1

    def to_json(self) -> str:
        return _STATE_ADAPTER.dump_json(self).decode()

    @classmethod
    def from_json(cls, raw: str | bytes) -> DialogueState:
        """Parse a stored state; raises ``ValueError`` (pydantic.ValidationError) when invalid."""
        return _STATE_ADAPTER.validate_json(raw)


_STATE_ADAPTER: pydantic.TypeAdapter[DialogueState] = pydantic.TypeAdapter(DialogueState)


def load_state(raw: str | bytes | None) -> DialogueState | None:
    """Parse a stored state; None (a fresh start) when absent or unreadable after an upgrade."""
    if raw is None:
        return None
    try:
        return DialogueState.from_json(raw)
    except ValueError:
        return None


@dataclass(frozen=True)
class StepResult:
    state: DialogueState | None
    messages: list[Message] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
