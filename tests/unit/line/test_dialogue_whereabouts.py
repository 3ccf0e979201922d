"""Where exactly to collect, in the LINE dialogue: the address line, then the put-out place."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from api.line import Step, StepResult, TextEvent
from api.line.bulky.messages import MyBooking, build_my_bookings
from tests.support.dialogue_driver import feed, labels, said, tap
from tests.unit.line.test_dialogue_bulky import JST, at_address_line, make_ctx
from workflow.bookings.place import MAX_ADDRESS_LINE_CHARS, MAX_PUT_OUT_NOTE_CHARS

PLACES = ["玄関前", "敷地内の道路沿い", "集合住宅のごみ置場", "その他"]


def at_put_out() -> StepResult:
    ctx = make_ctx()
    return feed(at_address_line(ctx), TextEvent("ｺｰﾎﾟ立川　１０１号室"), ctx)


def test_the_address_line_is_normalised_then_the_four_places_offered() -> None:
    result = at_put_out()
    assert result.state is not None and result.state.step is Step.PUT_OUT
    assert result.state.address_line == "コーポ立川 101号室"
    assert labels(result) == [*PLACES, "もどる", "やめる"]
    assert "どこに出しますか" in said(result)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("   ", "番地・建物名・部屋番号を入力してください"),
     ("1" * (MAX_ADDRESS_LINE_CHARS + 1), f"{MAX_ADDRESS_LINE_CHARS}文字以内")],
)  # fmt: skip
def test_a_missing_or_long_address_line_is_asked_again(typed: str, answer: str) -> None:
    ctx = make_ctx()
    result = feed(at_address_line(ctx), TextEvent(typed), ctx)
    assert result.state is not None and result.state.step is Step.ADDRESS_LINE
    assert result.state.address_line is None and answer in said(result)


def test_a_place_with_the_note_skipped_goes_on_to_the_items() -> None:
    ctx = make_ctx()
    result = tap(at_put_out(), "集合住宅のごみ置場", ctx)
    assert result.state is not None and result.state.step is Step.PUT_OUT_NOTE
    assert labels(result) == ["なし", "もどる", "やめる"]
    assert f"{MAX_PUT_OUT_NOTE_CHARS}文字以内" in said(result)
    result = tap(result, "なし", ctx)
    assert result.state is not None and result.state.step is Step.ITEM
    assert (result.state.put_out, result.state.put_out_note) == ("collection_point", None)


def test_a_typed_label_counts_as_the_tap_and_anything_else_gets_the_hint() -> None:
    ctx = make_ctx()
    typed = feed(at_put_out(), TextEvent(" 玄関前 "), ctx)
    assert typed.state is not None and typed.state.put_out == "entrance"
    other = feed(at_put_out(), TextEvent("庭"), ctx)
    assert other.state is not None and other.state.step is Step.PUT_OUT
    assert other.state.put_out is None and "下から選んで" in said(other)


def test_other_needs_a_note_and_nashi_is_not_one() -> None:
    ctx = make_ctx()
    result = tap(at_put_out(), "その他", ctx)
    assert labels(result) == ["もどる", "やめる"] and "具体的に" in said(result)
    refused = feed(result, TextEvent("なし"), ctx)
    assert refused.state is not None and refused.state.step is Step.PUT_OUT_NOTE
    assert "具体的に入力してください" in said(refused)
    too_long = feed(result, TextEvent("あ" * (MAX_PUT_OUT_NOTE_CHARS + 1)), ctx)
    assert too_long.state is not None and too_long.state.put_out_note is None
    noted = feed(result, TextEvent("門の右側、青いシートの下"), ctx)
    assert noted.state is not None and noted.state.step is Step.ITEM
    assert noted.state.put_out_note == "門の右側、青いシートの下"


def test_back_forgets_each_answer_in_turn() -> None:
    ctx = make_ctx()
    result = feed(tap(at_put_out(), "玄関前", ctx), TextEvent("門の右側"), ctx)
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.PUT_OUT_NOTE
    assert result.state.put_out_note is None
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.PUT_OUT
    assert result.state.put_out is None
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.ADDRESS_LINE
    assert result.state.address_line is None
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.LOCATION
    stopped = feed(at_put_out(), TextEvent("やめる"), ctx)
    assert stopped.state is None and "中止しました" in said(stopped)


def test_my_bookings_shows_where_each_booking_is_collected() -> None:
    deadline = datetime(2026, 12, 1, 17, 0, tzinfo=JST)
    booking = MyBooking(
        "B2026-000001", date(2026, 12, 3), (("たんす", 1),), 500, "received", True, deadline,
        "1-2-3 コーポ立川 101", "玄関前(門の右側)",
    )  # fmt: skip
    message = build_my_bookings([booking], "042-523-2111")
    text = str(message)
    assert "1-2-3 コーポ立川 101" in text and "玄関前(門の右側)" in text
    assert text.count("出す場所") == 1
    older = replace(booking, address_line=None, put_out="")  # booked before they were asked
    assert "出す場所" not in str(build_my_bookings([older], "042-523-2111"))
