"""Checking a collection date the resident picked (quick reply or date picker), purely."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from api.line.bulky import cart
from api.line.bulky.model import DayOption
from api.line.model import DialogueContext
from workflow.texts.resident import bulky as tb

_ISO_DATE_CHARS = 10


def _parse(raw: str) -> date | None:
    if len(raw) != _ISO_DATE_CHARS:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _window_refusal(ctx: DialogueContext) -> str:
    return tb.DAY_OUTSIDE_WINDOW.format(
        first=cart.day_label(ctx.first_bookable),
        last=cart.day_label(ctx.last_bookable),
        max_days=ctx.booking_max_days,
    )


def check_day(
    raw: str, days: Sequence[DayOption], ctx: DialogueContext, current: date | None = None
) -> tuple[date | None, str]:
    """(the date, "") when it can be booked, else (None, why not in polite Japanese).

    ``days`` are the zone's days in the window as last read; ``current`` is the booking's
    present date when moving it. The booking itself checks again under the slot's row lock.
    """
    day = _parse(raw)
    if day is None:
        return None, tb.DAY_BAD
    label = cart.day_label(day)
    if not ctx.first_bookable <= day <= ctx.last_bookable:
        return None, _window_refusal(ctx)
    if day == current:
        return None, tb.DAY_SAME
    option = next((d for d in days if d.day == day), None)
    if option is None:
        return None, tb.DAY_NOT_COLLECTION.format(date=label)
    if option.closed_reason is not None:
        return None, tb.DAY_CLOSED.format(date=label, reason=option.closed_reason)
    if option.free <= 0:
        return None, tb.DAY_FULL.format(date=label)
    return day, ""
