"""「わたしの申込」 in the pure dialogue: list, cancel, move, and the refusals after the cut-off."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from api.line import DialogueContext, Event, PostbackEvent, Step, StepResult, TextEvent, step
from api.line.bulky.model import (
    BookingChanged,
    BookingOpened,
    BookingRefused,
    CancelBooking,
    Change,
    DayOption,
    MoveBooking,
    OpenBooking,
    ShowMyBookings,
)
from tests.support.dialogue_driver import feed, labels, said, tap

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=JST)
BOOKED = date(2026, 12, 3)
DEADLINE = datetime(2026, 12, 1, 17, 0, tzinfo=JST)
DAYS = (DayOption(BOOKED, 3), DayOption(date(2026, 12, 8), 0), DayOption(date(2026, 12, 10), 4))


def make_ctx() -> DialogueContext:
    return DialogueContext(NOW, False, (), (), "立川市", "042-523-2111")


def opened(change: Change, **fields: Any) -> BookingOpened:
    found = BookingOpened("B2026-000007", change, True, BOOKED, True, DEADLINE, DAYS)
    return replace(found, **fields)


def start(change: Change, answer: BookingOpened, ctx: DialogueContext) -> StepResult:
    command = "bcancel" if change == "cancel" else "bmove"
    asked = step(None, PostbackEvent(f"a={command}&r=B2026-000007"), ctx)
    assert asked.actions == [OpenBooking("B2026-000007", change)]
    assert asked.state is not None and asked.state.step is Step.OPENING
    return feed(asked, answer, ctx)


@pytest.mark.parametrize("event", [TextEvent("わたしの申込"), PostbackEvent("my=bookings")])
def test_my_bookings_is_an_action_and_keeps_an_open_dialogue(event: Event) -> None:
    ctx = make_ctx()
    assert step(None, event, ctx).actions == [ShowMyBookings()]
    open_state = step(None, PostbackEvent("flow=bulky"), ctx).state
    result = step(open_state, event, ctx)
    assert result.actions == [ShowMyBookings()] and result.state == open_state


def test_cancel_asks_first_then_cancels() -> None:
    ctx = make_ctx()
    result = start("cancel", opened("cancel"), ctx)
    assert result.state is not None and result.state.step is Step.CANCEL_CONFIRM
    assert "B2026-000007" in said(result) and "12月3日（木）" in said(result)
    assert labels(result) == ["取り消す", "取り消さない"]
    result = tap(result, "取り消す", ctx)
    assert result.actions == [CancelBooking("B2026-000007")]
    done = feed(result, BookingChanged("cancel", "B2026-000007", BOOKED), ctx)
    assert done.state is None and "取り消しました" in said(done)


def test_keeping_the_booking_ends_without_an_action() -> None:
    ctx = make_ctx()
    result = tap(start("cancel", opened("cancel"), ctx), "取り消さない", ctx)
    assert result.state is None and result.actions == [] and "そのまま" in said(result)


@pytest.mark.parametrize("change", ["cancel", "move"])
def test_after_the_cutoff_a_change_is_refused_with_the_phone_number(change: Change) -> None:
    ctx = make_ctx()
    result = start(change, opened(change, changeable=False), ctx)
    assert result.state is None and result.actions == []
    assert "12月1日（火）17時00分" in said(result) and "042-523-2111" in said(result)


def test_a_cut_off_passed_while_confirming_is_refused_by_the_workflow() -> None:
    ctx = make_ctx()
    result = tap(start("cancel", opened("cancel"), ctx), "取り消す", ctx)
    too_late = BookingRefused("invalid_input", "取消の受付期限を過ぎています。", "service_date")
    ended = feed(result, too_late, ctx)
    assert ended.state is None and "受付期限を過ぎています" in said(ended)


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (BookingOpened("B2026-000007", "cancel", found=False), "見つかりませんでした"),
        (
            BookingOpened("B2026-000007", "cancel", True, BOOKED, False, DEADLINE, (), "cancelled"),
            "取り消し済み",
        ),
    ],
)
def test_unknown_or_closed_bookings_are_answered(answer: BookingOpened, phrase: str) -> None:
    result = start("cancel", answer, make_ctx())
    assert result.state is None and phrase in said(result)


def test_move_offers_other_free_days_and_moves() -> None:
    ctx = make_ctx()
    result = start("move", opened("move"), ctx)
    assert result.state is not None and result.state.step is Step.MOVE_DATE
    assert labels(result) == ["12月10日（木）", "カレンダーから選ぶ", "やめる"]
    same = feed(result, PostbackEvent("a=day", date="2026-12-03"), ctx)
    assert same.state is not None and same.actions == [] and "同じ収集日" in said(same)
    result = tap(result, "12月10日（木）", ctx)
    assert result.actions == [MoveBooking("B2026-000007", date(2026, 12, 10))]
    done = feed(result, BookingChanged("move", "B2026-000007", date(2026, 12, 10)), ctx)
    assert done.state is None and "12月10日（木）に変更しました" in said(done)


def test_a_full_day_while_moving_offers_the_fresh_days() -> None:
    ctx = make_ctx()
    result = tap(start("move", opened("move"), ctx), "12月10日（木）", ctx)
    fresh = (DayOption(date(2026, 12, 10), 0), DayOption(date(2026, 12, 15), 2))
    full = BookingRefused("capacity_full", "その日は満枠です。", "service_date", fresh)
    again = feed(result, full, ctx)
    assert again.state is not None and again.state.step is Step.MOVE_DATE
    assert "満枠" in said(again) and labels(again)[0] == "12月15日（火）"


def test_move_without_another_free_day_ends_with_the_phone_number() -> None:
    result = start("move", opened("move", days=(DayOption(BOOKED, 2),)), make_ctx())
    assert result.state is None and "042-523-2111" in said(result)


@pytest.mark.parametrize("data", ["a=bcancel", "a=bmove&r=" + "9" * 40])
def test_a_bad_receipt_number_is_answered_without_a_lookup(data: str) -> None:
    result = step(None, PostbackEvent(data), make_ctx())
    assert result.actions == [] and "見つかりませんでした" in said(result)
