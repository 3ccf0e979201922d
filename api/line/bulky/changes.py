"""「わたしの申込」: list the resident's bookings, cancel one or move it, before the cut-off.

The list and the change buttons can be tapped at any time (they sit in the chat history), so
``open_change`` is a global command; whether the booking is the resident's and still
changeable is the worker's answer (``BookingOpened``), checked again by the workflow when the
change is made.
"""

from __future__ import annotations

import dataclasses

from api.line import navigation, postback, prompts
from api.line.bulky import cart
from api.line.bulky.days import check_day
from api.line.bulky.model import (
    BookingChanged,
    BookingOpened,
    BookingRefused,
    CancelBooking,
    Change,
    MoveBooking,
    OpenBooking,
    ShowMyBookings,
)
from api.line.model import DialogueContext, DialogueState, Flow, Step, StepResult
from api.line.postback import Command
from api.line.stepspec import StepSpec
from workflow.texts.resident import bulky as tb
from workflow.texts.resident.booking import deadline_ja

MAX_RECEIPT_CHARS = 32


def my_bookings(
    state: DialogueState | None, _command: Command, _ctx: DialogueContext
) -> StepResult:
    # Like 「わたしの通報」: an open dialogue stays where it is.
    return StepResult(state, [], [ShowMyBookings()])


def _open(
    state: DialogueState | None, command: Command, ctx: DialogueContext, change: Change
) -> StepResult:
    receipt_no = command.param("r")
    if not receipt_no or len(receipt_no) > MAX_RECEIPT_CHARS:
        lead = tb.BOOKING_NOT_FOUND.format(receipt_no=receipt_no[:MAX_RECEIPT_CHARS])
        return StepResult(state, [prompts.menu(ctx, lead)])
    opening = DialogueState(
        flow=Flow.BULKY_CHANGE, step=Step.OPENING, updated_at=ctx.now, receipt_no=receipt_no
    )
    return StepResult(opening, [], [OpenBooking(receipt_no, change)])


def open_cancel(state: DialogueState | None, command: Command, ctx: DialogueContext) -> StepResult:
    return _open(state, command, ctx, "cancel")


def open_move(state: DialogueState | None, command: Command, ctx: DialogueContext) -> StepResult:
    return _open(state, command, ctx, "move")


def _end(ctx: DialogueContext, text: str) -> StepResult:
    return StepResult(None, [prompts.menu(ctx, text)])


def opened(state: DialogueState, found: BookingOpened, ctx: DialogueContext) -> StepResult:
    """Ask to confirm the cancel or offer new dates; refuse after the cut-off with the phone."""
    receipt_no = found.receipt_no
    if not found.found or found.service_date is None or receipt_no != state.receipt_no:
        return _end(ctx, tb.BOOKING_NOT_FOUND.format(receipt_no=receipt_no))
    if found.status != "booked":
        status = tb.BOOKING_STATUS.get(found.status, found.status)
        return _end(ctx, tb.ALREADY_CLOSED.format(receipt_no=receipt_no, status=status))
    if not found.changeable:
        deadline = deadline_ja(found.deadline) if found.deadline else ""
        text = tb.TOO_LATE.format(receipt_no=receipt_no, deadline=deadline, phone=ctx.city_phone)
        return _end(ctx, text)
    at = dataclasses.replace(state, booked_date=found.service_date, days=found.days)
    if found.change == "cancel":
        return navigation.advance_to(at, Step.CANCEL_CONFIRM, ctx)
    if not cart.bookable(found.days, except_day=found.service_date):
        return _end(ctx, tb.NO_FREE_DAYS.format(phone=ctx.city_phone))
    return navigation.advance_to(at, Step.MOVE_DATE, ctx)


def confirm_cancel(state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    if state.receipt_no is None:
        return navigation.cancel(ctx)
    kept = dataclasses.replace(state, updated_at=ctx.now)
    return StepResult(kept, [], [CancelBooking(state.receipt_no)])


def keep(_state: DialogueState, _command: Command, ctx: DialogueContext) -> StepResult:
    return _end(ctx, tb.KEPT_BOOKING)


def move_to(state: DialogueState, command: Command, ctx: DialogueContext) -> StepResult:
    day, refusal = check_day(command.param("d"), state.days, ctx, current=state.booked_date)
    if day is None or state.receipt_no is None:
        return navigation.hint(state, ctx, refusal or None)
    kept = dataclasses.replace(state, service_date=day, updated_at=ctx.now)
    return StepResult(kept, [], [MoveBooking(state.receipt_no, day)])


def changed(_state: DialogueState, done: BookingChanged, ctx: DialogueContext) -> StepResult:
    template = tb.CANCELLED_BOOKING if done.change == "cancel" else tb.MOVED_BOOKING
    text = template.format(receipt_no=done.receipt_no, date=cart.day_label(done.service_date))
    return _end(ctx, text)


def change_refused(
    state: DialogueState, refusal: BookingRefused, ctx: DialogueContext
) -> StepResult:
    """満枠 while moving: offer the fresh days; anything else (e.g. too late) ends politely."""
    offer = cart.bookable(refusal.days, except_day=state.booked_date)
    if state.step is Step.MOVE_DATE and refusal.code == "capacity_full" and offer:
        again = dataclasses.replace(state, days=refusal.days, service_date=None)
        return navigation.hint(again, ctx, refusal.message)
    return _end(ctx, refusal.message)


STEPS: dict[Step, StepSpec] = {
    Step.OPENING: StepSpec(results={BookingOpened: opened}),
    Step.CANCEL_CONFIRM: StepSpec(
        {postback.CANCEL_OK: confirm_cancel, postback.KEEP: keep},
        results={BookingChanged: changed, BookingRefused: change_refused},
    ),
    Step.MOVE_DATE: StepSpec(
        {postback.DAY: move_to},
        results={BookingChanged: changed, BookingRefused: change_refused},
    ),
}
