"""The bulky-waste booking dialogue, pure: tapped and typed the way a resident does it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from api.line import (
    CheckLocation,
    DialogueContext,
    LocationChecked,
    LocationEvent,
    PostbackEvent,
    Step,
    StepResult,
    TextEvent,
    step,
)
from api.line.bulky.flows import parse_quantity
from api.line.bulky.model import (
    BookingDone,
    BookingReceipt,
    BookingRefused,
    CartLine,
    DayOption,
    DaysFound,
    ItemChoice,
    ItemRefusal,
    ItemsFound,
    LoadDays,
    SearchItems,
    SubmitBooking,
)
from tests.support.dialogue_driver import feed, labels, quick_actions, said, tap

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=JST)  # a Monday; bookable 11/26 .. 12/21
PLACE = LocationChecked(inside=True, district_name="錦町一丁目", zone_name="南部地区")
SOFA_1 = ItemChoice(11, "ソファー（1人掛け）", 300)
SOFA_2 = ItemChoice(12, "ソファー（2人掛け以上）", 500)
TANSU = ItemChoice(13, "たんす", 500)
TV = ItemRefusal(
    "テレビ",
    "家電リサイクル法の対象品のため、市では収集できません",
    "購入したお店か、買い替えるお店に引き取りを依頼してください。",
)
DAYS = (
    DayOption(date(2026, 11, 26), 5),
    DayOption(date(2026, 12, 1), 0),  # full
    DayOption(date(2026, 12, 3), 12),
    DayOption(date(2026, 12, 8), 0, "臨時休業"),
    DayOption(date(2026, 12, 10), 1),
)

CONFIRM_SHOWS = (
    "ソファー（2人掛け以上） ×2",
    "1,000円",
    "たんす ×3",
    "1,500円",
    "2,500円(25ポイント)",
    "12月3日（木）",
    "錦町1丁目",
    "立川 花子",
    "090-1234-5678",
    "1-2-3 コーポ立川 101",
    "玄関前(門の右側)",
)


def make_ctx(now: datetime = NOW) -> DialogueContext:
    return DialogueContext(now, False, (), (), "立川市", "042-523-2111")


def at_address_line(ctx: DialogueContext) -> StepResult:
    result = step(None, PostbackEvent("flow=bulky"), ctx)
    result = feed(result, LocationEvent(35.6960, 139.4140, "東京都立川市錦町1丁目"), ctx)
    assert result.actions == [CheckLocation(139.4140, 35.6960, None, 30.0, zone=True)]
    return feed(result, PLACE, ctx)


def at_items(ctx: DialogueContext) -> StepResult:
    """After the pin: the address line typed full-width, 玄関前, a note."""
    result = feed(at_address_line(ctx), TextEvent("１－２－３　コーポ立川　１０１"), ctx)
    result = tap(result, "玄関前", ctx)
    return feed(result, TextEvent("門の右側"), ctx)


def search(result: StepResult, text: str, found: ItemsFound, ctx: DialogueContext) -> StepResult:
    asked = feed(result, TextEvent(text), ctx)
    assert asked.actions == [SearchItems(text)] and asked.messages == []
    return feed(asked, found, ctx)


def with_sofas(ctx: DialogueContext, quantity: str = "2点") -> StepResult:
    result = search(at_items(ctx), "そふぁ", ItemsFound("そふぁ", (SOFA_1, SOFA_2)), ctx)
    return tap(tap(result, "ソファー（2人掛け以上） 500円", ctx), quantity, ctx)


def at_dates(ctx: DialogueContext) -> StepResult:
    asked = tap(with_sofas(ctx), "これで決定", ctx)
    assert asked.actions == [LoadDays(139.4140, 35.6960)]
    return feed(asked, DaysFound(DAYS), ctx)


def at_confirm(ctx: DialogueContext) -> StepResult:
    result = tap(at_dates(ctx), "12月3日（木）", ctx)
    result = feed(result, TextEvent(" 立川　花子 "), ctx)
    return feed(result, TextEvent("０９０ー１２３４ー５６７８"), ctx)


def test_a_booking_from_place_to_receipt() -> None:
    ctx = make_ctx()
    result = at_address_line(ctx)
    assert result.state is not None and result.state.step is Step.ADDRESS_LINE
    assert "南部地区" in said(result) and "番地・建物名・部屋番号" in said(result)
    result = at_items(ctx)
    assert result.state is not None and result.state.step is Step.ITEM

    result = search(result, "そふぁ", ItemsFound("そふぁ", (SOFA_1, SOFA_2)), ctx)
    assert labels(result) == [
        "ソファー（1人掛け） 300円",
        "ソファー（2人掛け以上） 500円",
        "もどる",
        "やめる",
    ]
    result = tap(result, "ソファー（2人掛け以上） 500円", ctx)
    assert labels(result) == ["1点", "2点", "3点", "4点", "5点", "もどる", "やめる"]
    result = tap(result, "2点", ctx)
    assert result.state is not None and result.state.step is Step.CART
    assert "ソファー（2人掛け以上） ×2 1,000円" in said(result) and "1,000円(10ポイント)" in said(
        result
    )

    result = tap(result, "追加する", ctx)
    assert "あと8点" in said(result)
    result = search(result, "タンス", ItemsFound("タンス", (TANSU,)), ctx)
    result = feed(tap(result, "たんす 500円", ctx), TextEvent("３個"), ctx)
    assert "合計: 2,500円(25ポイント)" in said(result)

    result = tap(result, "これで決定", ctx)
    result = feed(result, DaysFound(DAYS), ctx)
    assert result.state is not None and result.state.step is Step.DATE
    assert labels(result)[:3] == ["11月26日（木）", "12月3日（木）", "12月10日（木）"]
    [picker] = [a for a in quick_actions(result) if a["type"] == "datetimepicker"]
    assert (picker["mode"], picker["min"], picker["max"]) == ("date", "2026-11-26", "2026-12-21")

    result = tap(result, "12月3日（木）", ctx)
    assert result.state is not None and result.state.step is Step.NAME
    result = feed(feed(result, TextEvent("立川 花子"), ctx), TextEvent("090-1234-5678"), ctx)
    assert result.state is not None and result.state.step is Step.BOOK_CONFIRM
    confirm = said(result)
    assert result.messages[-1]["type"] == "flex"
    for expected in CONFIRM_SHOWS:
        assert expected in confirm

    result = tap(result, "申し込む", ctx)
    [submit] = result.actions
    assert isinstance(submit, SubmitBooking)
    draft = submit.draft
    assert (draft.service_date, draft.name, draft.phone) == (
        date(2026, 12, 3),
        "立川 花子",
        "090-1234-5678",
    )
    assert (draft.address_line, draft.put_out, draft.put_out_note) == (
        "1-2-3 コーポ立川 101",
        "entrance",
        "門の右側",
    )
    assert [(x.item_id, x.quantity) for x in draft.lines] == [(12, 2), (13, 3)]
    assert result.state is not None  # kept until the worker answers

    receipt = BookingReceipt(
        "B2026-000042", date(2026, 12, 3), draft.lines, 2500, (3, 0), draft.address,
        datetime(2026, 12, 1, 17, 0, tzinfo=JST), draft.address_line, draft.put_out,
        draft.put_out_note,
    )  # fmt: skip
    done = feed(result, BookingDone(receipt), ctx)
    assert done.state is None
    text = said(done)
    for expected in ["B2026-000042", "2,500円(25ポイント)", "1,000円券 3枚", "処理券取扱店",
                     "1ポイント=100円", "12月3日（木）の朝8時30分まで", "玄関先", "受付番号を記入",
                     "12月1日（火）17時00分まで", "1-2-3 コーポ立川 101",
                     "玄関前(門の右側)"]:  # fmt: skip
        assert expected in text


def test_outside_every_zone_is_refused_with_the_phone_number() -> None:
    ctx = make_ctx()
    result = step(None, PostbackEvent("flow=bulky"), ctx)
    result = feed(result, LocationEvent(35.7, 139.41), ctx)
    result = feed(result, replace(PLACE, zone_name=None), ctx)
    assert result.state is not None and result.state.step is Step.LOCATION
    assert (
        result.state.lat is None and "収集地域" in said(result) and "042-523-2111" in said(result)
    )


def test_refused_items_get_the_reason_and_where_to_take_them() -> None:
    ctx = make_ctx()
    result = search(at_items(ctx), "テレビ", ItemsFound("テレビ", (), (TV,)), ctx)
    assert result.state is not None and result.state.step is Step.ITEM
    assert result.state.candidates == ()
    assert "家電リサイクル法" in said(result) and "購入したお店" in said(result)
    both = search(at_items(ctx), "てれび", ItemsFound("てれび", (TANSU,), (TV,)), ctx)
    assert "家電リサイクル法" in said(both) and "たんす 500円" in labels(both)


def test_an_unknown_item_is_answered_and_nothing_is_kept() -> None:
    ctx = make_ctx()
    result = search(at_items(ctx), "ぴあの", ItemsFound("ぴあの"), ctx)
    assert "「ぴあの」は品目の一覧に見つかりませんでした" in said(result)
    assert result.state is not None and result.state.lines == () and result.state.step is Step.ITEM
    too_long = feed(at_items(ctx), TextEvent("あ" * 41), ctx)
    assert too_long.actions == [] and "40文字以内" in said(too_long)


def test_typing_a_candidates_name_picks_it() -> None:
    ctx = make_ctx()
    result = search(at_items(ctx), "そふぁ", ItemsFound("そふぁ", (SOFA_1, SOFA_2)), ctx)
    result = feed(result, TextEvent("ソファー（1人掛け）"), ctx)
    assert result.state is not None and result.state.pending_item == SOFA_1


@pytest.mark.parametrize(
    ("typed", "answer"),
    [("0", "1以上"), ("1000", "10点まで"), ("11", "10点まで"), ("99999999999", "10点まで"),
     ("たくさん", "数字で入力")],
)  # fmt: skip
def test_bad_quantities_are_refused_and_nothing_is_added(typed: str, answer: str) -> None:
    ctx = make_ctx()
    result = search(at_items(ctx), "たんす", ItemsFound("たんす", (TANSU,)), ctx)
    result = tap(result, "たんす 500円", ctx)
    refused = feed(result, TextEvent(typed), ctx)
    assert refused.state is not None and refused.state.step is Step.QUANTITY
    assert refused.state.lines == () and answer in said(refused)


def test_at_most_ten_pieces_per_booking() -> None:
    ctx = make_ctx()
    result = with_sofas(ctx, "5点")
    result = search(tap(result, "追加する", ctx), "たんす", ItemsFound("たんす", (TANSU,)), ctx)
    result = tap(result, "たんす 500円", ctx)
    assert labels(result)[:5] == ["1点", "2点", "3点", "4点", "5点"]
    assert "あと5点まで申し込めます" in said(feed(result, TextEvent("6"), ctx))
    full = feed(result, TextEvent("5"), ctx)
    assert full.state is not None and sum(x.quantity for x in full.state.lines) == 10
    assert "追加する" not in labels(full) and "これ以上は追加できません" in said(full)
    refused = feed(full, TextEvent("追加する"), ctx)
    assert refused.state is not None and refused.state.step is Step.CART
    assert "10点まで" in said(refused)


def test_back_undoes_the_last_item_then_its_choice() -> None:
    ctx = make_ctx()
    result = feed(with_sofas(ctx), TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.QUANTITY
    assert result.state.lines == () and result.state.pending_item == SOFA_2
    assert "ソファー（2人掛け以上）" in said(result)
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.ITEM
    assert result.state.pending_item is None
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.PUT_OUT_NOTE
    assert result.state.put_out_note is None and result.state.put_out == "entrance"


def test_the_same_item_twice_is_one_line_of_the_booking() -> None:
    ctx = make_ctx()
    result = tap(with_sofas(ctx), "追加する", ctx)
    result = search(result, "そふぁ", ItemsFound("そふぁ", (SOFA_1, SOFA_2)), ctx)
    result = tap(tap(result, "ソファー（2人掛け以上） 500円", ctx), "1点", ctx)
    assert "ソファー（2人掛け以上） ×3 1,500円" in said(result)
    result = feed(tap(result, "これで決定", ctx), DaysFound(DAYS), ctx)
    result = tap(result, "11月26日（木）", ctx)
    result = feed(feed(result, TextEvent("立川 花子"), ctx), TextEvent("0425232111"), ctx)
    [submit] = tap(result, "申し込む", ctx).actions
    assert isinstance(submit, SubmitBooking)
    assert submit.draft.lines == (CartLine(12, "ソファー（2人掛け以上）", 500, 3),)


@pytest.mark.parametrize(
    ("picked", "answer"),
    [
        ("2026-12-01", "満枠"),
        ("2026-12-08", "臨時休業"),
        ("2026-11-29", "収集日ではありません"),
        ("2026-11-24", "11月26日（木）から12月21日（月）まで"),
        ("2027-01-05", "11月26日（木）から12月21日（月）まで"),
        ("2026-13-45", "読み取れません"),
    ],
)
def test_a_date_that_cannot_be_booked_is_refused_and_free_ones_offered(
    picked: str, answer: str
) -> None:
    ctx = make_ctx()
    refused = feed(at_dates(ctx), PostbackEvent("a=day", date=picked), ctx)
    assert refused.state is not None and refused.state.step is Step.DATE
    assert refused.state.service_date is None and answer in said(refused)
    assert labels(refused)[:3] == ["11月26日（木）", "12月3日（木）", "12月10日（木）"]


def test_the_date_picker_date_is_taken() -> None:
    ctx = make_ctx()
    result = feed(at_dates(ctx), PostbackEvent("a=day", date="2026-12-10"), ctx)
    assert result.state is not None and result.state.step is Step.NAME
    assert result.state.service_date == date(2026, 12, 10)


def test_no_free_day_at_all_keeps_the_items_and_gives_the_phone() -> None:
    ctx = make_ctx()
    asked = tap(with_sofas(ctx), "これで決定", ctx)
    result = feed(asked, DaysFound((DayOption(date(2026, 12, 1), 0),)), ctx)
    assert result.state is not None and result.state.step is Step.CART
    assert len(result.state.lines) == 1 and "042-523-2111" in said(result)


@pytest.mark.parametrize("name", ["", "   ", "1234", "あ" * 65])
def test_a_bad_name_is_asked_again(name: str) -> None:
    ctx = make_ctx()
    result = feed(tap(at_dates(ctx), "12月3日（木）", ctx), TextEvent(name), ctx)
    assert result.state is not None and result.state.step is Step.NAME
    assert result.state.contact_name is None


@pytest.mark.parametrize("phone", ["12345", "090-1234", "電話します", "0120-1234-56789"])
def test_a_bad_phone_is_asked_again_with_an_example(phone: str) -> None:
    ctx = make_ctx()
    result = feed(tap(at_dates(ctx), "12月3日（木）", ctx), TextEvent("立川 花子"), ctx)
    result = feed(result, TextEvent(phone), ctx)
    assert result.state is not None and result.state.step is Step.PHONE
    assert "090-1234-5678" in said(result) and result.state.contact_phone is None


def test_a_day_that_filled_up_meanwhile_offers_the_next_free_days() -> None:
    ctx = make_ctx()
    submitted = tap(at_confirm(ctx), "申し込む", ctx)
    fresh = (DayOption(date(2026, 12, 3), 0), DayOption(date(2026, 12, 10), 2))
    full = BookingRefused(
        "capacity_full", "申し訳ありません。その日は満枠です。別の日をお選びください。",
        "service_date", fresh,
    )  # fmt: skip
    result = feed(submitted, full, ctx)
    assert result.state is not None and result.state.step is Step.DATE
    assert "満枠" in said(result) and labels(result)[0] == "12月10日（木）"
    assert Step.NAME not in result.state.history and result.state.contact_name == "立川 花子"
    again = tap(result, "12月10日（木）", ctx)
    assert again.state is not None and again.state.step is Step.BOOK_CONFIRM
    assert "12月10日（木）" in said(again)
    back = feed(again, TextEvent("もどる"), ctx)
    assert back.state is not None and back.state.step is Step.DATE


def test_another_refusal_ends_politely_with_the_reason() -> None:
    ctx = make_ctx()
    submitted = tap(at_confirm(ctx), "申し込む", ctx)
    gone = BookingRefused("not_found", "品目（ID 12）が見つかりません。", "items.item_id")
    result = feed(submitted, gone, ctx)
    assert result.state is None and "見つかりません" in said(result)
    assert "粗大ごみ" in labels(result)


def test_cancel_and_idle_timeout_work_in_the_booking_steps() -> None:
    ctx = make_ctx()
    stopped = feed(with_sofas(ctx), TextEvent("やめる"), ctx)
    assert stopped.state is None and "中止しました" in said(stopped)
    stale = at_confirm(ctx).state
    later = make_ctx(NOW + timedelta(minutes=31))
    result = step(stale, PostbackEvent("a=book"), later)
    assert result.state is None and result.actions == [] and "30分以上" in said(result)


def test_unexpected_input_gets_the_steps_hint() -> None:
    ctx = make_ctx()
    result = feed(with_sofas(ctx), LocationEvent(35.7, 139.41), ctx)
    assert result.state is not None and result.state.step is Step.CART
    assert "「追加する」か「これで決定」" in said(result)
    unknown = feed(at_dates(ctx), PostbackEvent("a=item&i=12"), ctx)
    assert unknown.state is not None and unknown.state.step is Step.DATE


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("3", 3), ("３", 3), ("3個", 3), ("三つ", 3), ("10点", 10), ("0", 0), ("-1", None),
     ("1.5", None), ("", None), ("9" * 5000, 10**6)],
)  # fmt: skip
def test_parse_quantity(typed: str, expected: int | None) -> None:
    assert parse_quantity(typed) == expected
