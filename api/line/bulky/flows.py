"""Step handlers of the bulky-waste booking: zone, items, quantity, cart, date, contact, confirm.

After the zone come the address line and the put-out place (``api.line.bulky.whereabouts``).
Pure like the report flows: catalogue searches, the zone's days and the booking itself are
actions (``SearchItems``, ``LoadDays``, ``SubmitBooking``) whose results come back as events.
"""

from __future__ import annotations

import dataclasses
import unicodedata

from api.line import messages, navigation, postback, prompts
from api.line.bulky import cart
from api.line.bulky import messages as messages_bulky
from api.line.bulky import prompts as prompts_bulky
from api.line.bulky.days import check_day
from api.line.bulky.model import (
    BookingDone,
    BookingDraft,
    BookingRefused,
    CartLine,
    DaysFound,
    ItemsFound,
    LoadDays,
    SearchItems,
    SubmitBooking,
)
from api.line.model import DialogueContext, DialogueState, LocationChecked, Step, StepResult
from api.line.postback import Command
from api.line.stepspec import StepSpec
from workflow.bookings.contact import MAX_NAME_CHARS, clean_name, clean_phone
from workflow.texts.resident import bulky as tb
from workflow.texts.resident import line as texts

MAX_QUERY_CHARS = 40  # the catalogue refuses longer queries
MAX_REFUSALS_SHOWN = 2
_KANJI_NUMBERS = {c: i for i, c in enumerate("〇一二三四五六七八九十")}
_COUNTERS = "個点つ台枚本脚組セット"
_HUGE = 10**6


# --- zone (the tail of the shared location step) ---


def located(
    state: DialogueState, checked: LocationChecked, ctx: DialogueContext, address: str | None
) -> StepResult:
    """The place is in the town: refuse it outside every collection zone, else ask exactly where."""
    if checked.zone_name is None:
        refused = dataclasses.replace(
            state, step=Step.LOCATION, lon=None, lat=None, address=None, updated_at=ctx.now
        )
        return navigation.hint(refused, ctx, tb.OUTSIDE_ZONE.format(phone=ctx.city_phone))
    place = address or checked.district_name or texts.PLACE_UNKNOWN
    lead = [messages.text_message(tb.ZONE_FOUND.format(place=place, zone=checked.zone_name))]
    return navigation.advance(
        state,
        Step.ADDRESS_LINE,
        ctx,
        lead=lead,
        address=address,
        district_name=checked.district_name,
        zone_name=checked.zone_name,
    )


# --- items ---


def search(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    query = " ".join(text.split())
    if not query:
        return navigation.hint(state, ctx)
    if len(query) > MAX_QUERY_CHARS:
        return navigation.hint(state, ctx, tb.ITEM_QUERY_TOO_LONG.format(max_chars=MAX_QUERY_CHARS))
    named = [c for c in state.candidates if c.name == query]
    if named:  # typed a candidate's name instead of tapping it
        return navigation.advance(state, Step.QUANTITY, ctx, pending_item=named[0], candidates=())
    return StepResult(dataclasses.replace(state, updated_at=ctx.now), [], [SearchItems(query)])


def _refusal_texts(found: ItemsFound) -> list[str]:
    return [
        tb.ITEM_REFUSED.format(
            name=r.name,
            reason=r.reason or tb.REFUSED_DEFAULT_REASON,
            alternative=r.alternative or "",
        )
        for r in found.refusals[:MAX_REFUSALS_SHOWN]
    ]


def items_found(state: DialogueState, found: ItemsFound, ctx: DialogueContext) -> StepResult:
    """Offer the accepted hits with their fees; explain refused ones and where they go."""
    refusals = _refusal_texts(found)
    if not found.choices:
        tail = tb.ONLY_REFUSED if refusals else tb.ITEM_NOT_FOUND
        answer = "\n".join([*refusals, tail.format(query=found.query, phone=ctx.city_phone)])
        return navigation.hint(dataclasses.replace(state, candidates=()), ctx, answer)
    head = [*refusals, tb.CHOOSE_ITEM.format(query=found.query)]
    if found.more or len(found.choices) > prompts_bulky.MAX_ITEM_CHOICES:
        head.append(tb.MORE_CHOICES)
    shown = [messages.text_message("\n".join(head))]
    return navigation.stay(state, ctx, lead=shown, candidates=found.choices)


def choose_item(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    wanted = command.param("i")
    chosen = [c for c in state.candidates if str(c.item_id) == wanted]
    if not chosen:
        return navigation.hint(state, ctx)
    return navigation.advance(state, Step.QUANTITY, ctx, pending_item=chosen[0], candidates=())


# --- quantity ---


def parse_quantity(text: str) -> int | None:
    """「3」「３個」「三つ」 -> 3; None when it is not a number at all (huge -> 10**6)."""
    raw = unicodedata.normalize("NFKC", text).strip().rstrip(_COUNTERS).strip()
    if raw in _KANJI_NUMBERS:
        return _KANJI_NUMBERS[raw]
    if not raw.isdigit() or not raw.isascii():
        return None
    return int(raw) if len(raw) <= 6 else _HUGE


def _take_quantity(state: DialogueState, quantity: int | None, ctx: DialogueContext) -> StepResult:
    item, left = state.pending_item, prompts_bulky.remaining(state, ctx)
    if item is None or quantity is None:
        return navigation.hint(state, ctx)
    if quantity < 1:
        return navigation.hint(state, ctx, tb.QUANTITY_TOO_SMALL)
    if quantity > left:
        too_many = tb.QUANTITY_TOO_MANY.format(max_items=ctx.max_booking_items, remaining=left)
        return navigation.hint(state, ctx, too_many)
    line = CartLine(item.item_id, item.name, item.fee_yen, quantity)
    return navigation.advance(state, Step.CART, ctx, lines=(*state.lines, line), pending_item=None)


def quantity_command(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    return _take_quantity(state, parse_quantity(command.param("n")), ctx)


def quantity_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    return _take_quantity(state, parse_quantity(text), ctx)


# --- cart ---


def add_more(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    if prompts_bulky.remaining(state, ctx) <= 0:
        return navigation.hint(state, ctx, tb.CART_FULL.format(max_items=ctx.max_booking_items))
    return navigation.advance(state, Step.ITEM, ctx, candidates=())


def items_done(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    if not state.lines or state.lon is None or state.lat is None:
        return navigation.hint(state, ctx)
    kept = dataclasses.replace(state, updated_at=ctx.now)
    return StepResult(kept, [], [LoadDays(state.lon, state.lat)])


def days_found(state: DialogueState, found: DaysFound, ctx: DialogueContext) -> StepResult:
    if not cart.bookable(found.days):
        return navigation.hint(state, ctx, tb.NO_FREE_DAYS.format(phone=ctx.city_phone))
    return navigation.advance(state, Step.DATE, ctx, days=found.days)


# --- date ---


def pick_day(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    day, refusal = check_day(command.param("d"), state.days, ctx)
    if day is None:
        return navigation.hint(state, ctx, refusal)
    if state.contact_name and state.contact_phone:  # back here after 満枠 at the confirm step
        return navigation.advance(state, Step.BOOK_CONFIRM, ctx, service_date=day)
    return navigation.advance(state, Step.NAME, ctx, service_date=day)


# --- contact ---


def name_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    name = clean_name(text)
    if name is None:
        return navigation.hint(state, ctx, tb.NAME_INVALID.format(max_chars=MAX_NAME_CHARS))
    return navigation.advance(state, Step.PHONE, ctx, contact_name=name)


def phone_text(state: DialogueState, text: str, ctx: DialogueContext) -> StepResult:
    phone = clean_phone(text)
    if phone is None:
        return navigation.hint(state, ctx, tb.PHONE_INVALID)
    return navigation.advance(state, Step.BOOK_CONFIRM, ctx, contact_phone=phone)


# --- confirm ---


def draft_of(state: DialogueState) -> BookingDraft | None:
    """The booking to make, or None when the state lacks a place, items, date or contact."""
    if state.lon is None or state.lat is None or state.service_date is None:
        return None
    if not state.lines or not state.contact_name or not state.contact_phone:
        return None
    if not state.address_line or not state.put_out:
        return None
    return BookingDraft(
        lon=state.lon,
        lat=state.lat,
        address=state.address or state.district_name,
        service_date=state.service_date,
        lines=cart.merged(state.lines),
        name=state.contact_name,
        phone=state.contact_phone,
        address_line=state.address_line,
        put_out=state.put_out,
        put_out_note=state.put_out_note,
    )


def book(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    draft = draft_of(state)
    if draft is None:
        return navigation.cancel(ctx)
    return StepResult(dataclasses.replace(state, updated_at=ctx.now), [], [SubmitBooking(draft)])


def booked(_state: DialogueState, done: BookingDone, ctx: DialogueContext) -> StepResult:
    receipt = messages_bulky.build_booking_receipt(done.receipt, prompts.menu_items(ctx))
    return StepResult(None, [receipt])


def _until_date(state: DialogueState) -> tuple[Step, ...]:
    history = state.history
    cut = max((i for i, s in enumerate(history) if s is Step.DATE), default=len(history))
    return history[:cut]


def refused(state: DialogueState, refusal: BookingRefused, ctx: DialogueContext) -> StepResult:
    """満枠 or another date problem: back to the date with fresh days; otherwise the end."""
    retry = refusal.code == "capacity_full" or refusal.field == "service_date"
    days = refusal.days or state.days
    if not retry or not cart.bookable(days):
        failed = tb.BOOKING_FAILED.format(reason=refusal.message)
        if retry:
            failed += tb.NO_FREE_DAYS.format(phone=ctx.city_phone)
        return StepResult(None, [prompts.menu(ctx, failed)])
    again = dataclasses.replace(
        state,
        step=Step.DATE,
        history=_until_date(state),
        service_date=None,
        days=days,
        updated_at=ctx.now,
    )
    return navigation.hint(again, ctx, refusal.message)


STEPS: dict[Step, StepSpec] = {
    Step.ITEM: StepSpec(
        {postback.ITEM: choose_item}, on_text=search, results={ItemsFound: items_found}
    ),
    Step.QUANTITY: StepSpec({postback.QUANTITY: quantity_command}, on_text=quantity_text),
    Step.CART: StepSpec(
        {postback.ADD_MORE: add_more, postback.ITEMS_DONE: items_done},
        results={DaysFound: days_found},
    ),
    Step.DATE: StepSpec({postback.DAY: pick_day}),
    Step.NAME: StepSpec(on_text=name_text),
    Step.PHONE: StepSpec(on_text=phone_text),
    Step.BOOK_CONFIRM: StepSpec(
        {postback.BOOK: book}, results={BookingDone: booked, BookingRefused: refused}
    ),
}
