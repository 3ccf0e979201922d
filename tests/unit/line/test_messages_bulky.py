"""Booking messages: what they show, LINE's limits, and acceptance by the real SDK models."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from linebot.v3.messaging import FlexMessage, Message, TextMessage

from api.line import DialogueContext, DialogueState, Flow, Step, prompts
from api.line.bulky import messages as mb
from api.line.bulky.model import BookingReceipt, CartLine, DayOption, ItemChoice
from api.line.bulky.prompts import choice_label

JST = timezone(timedelta(hours=9))
CTX = DialogueContext(
    datetime(2026, 11, 23, 1, 0, tzinfo=UTC), False, (), (), "立川市", "042-523-2111"
)
LINES = (CartLine(1, "ソファー（2人掛け以上）", 500, 2), CartLine(2, "ふとん", 100, 3))
DEADLINE = datetime(2026, 12, 1, 17, 0, tzinfo=JST)


def dump(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def assert_sdk_accepts(message: dict[str, Any]) -> None:
    parsed = Message.from_dict(message)
    assert isinstance(parsed, TextMessage | FlexMessage)
    assert parsed.to_dict() == message


def test_receipt_has_number_total_tickets_and_put_out_rules() -> None:
    receipt = BookingReceipt(
        "B2026-000123", date(2026, 12, 3), LINES, 1300, (1, 1), "立川市錦町1-1", DEADLINE
    )
    message = mb.build_booking_receipt(receipt, prompts.menu_items(CTX))
    text = dump(message)
    for expected in [
        "B2026-000123",
        "12月3日（木）",
        "立川市錦町1-1",
        "ソファー（2人掛け以上） ×2",
        "1,000円",
        "ふとん ×3",
        "300円",
        "1,300円(13ポイント)",
        "1,000円券 1枚、300円券 1枚",
        "処理券取扱店",
        "朝8時30分まで",
        "受付番号を記入",
        "12月1日（火）17時00分",
        "わたしの申込",
    ]:
        assert expected in text, expected
    assert "B2026-000123" in message["altText"] and "1,300円" in message["altText"]
    assert_sdk_accepts(message)


def _booking(i: int, changeable: bool, status: str = "received") -> mb.MyBooking:
    day = date(2026, 12, 3) + timedelta(days=i)
    return mb.MyBooking(f"B2026-{i:06d}", day, (("たんす", 1),), 500, status, changeable, DEADLINE)


def test_my_bookings_offer_changes_only_before_the_cutoff() -> None:
    message = mb.build_my_bookings(
        [_booking(2, False, "in_progress"), _booking(1, True)], "042-523-2111"
    )
    first, second = message["contents"]["contents"]
    assert "B2026-000001" in dump(first) and "a=bmove&r=B2026-000001" in dump(first)
    assert "a=bcancel&r=B2026-000001" in dump(first)
    assert "a=b" not in dump(second) and "042-523-2111" in dump(second)
    assert "#ff9f0e" in dump(second) and "作業中" in dump(second)  # the map's colour
    assert "#d62728" in dump(first) and "受付" in dump(first)
    assert_sdk_accepts(message)


def test_my_bookings_none_and_many() -> None:
    none = mb.build_my_bookings([], "042-523-2111")
    assert none["type"] == "text" and "ありません" in none["text"]
    many = mb.build_my_bookings([_booking(i, True) for i in range(14)], "042-523-2111")
    assert len(many["contents"]["contents"]) == 10 and "全14件" in dump(many)
    assert_sdk_accepts(many)


@pytest.mark.parametrize(
    ("name", "fee", "label"),
    [
        ("たんす", 500, "たんす 500円"),
        ("ソファー（2人掛け以上）", 500, "ソファー（2人掛け以上） 500円"),
        ("電子オルガン・電子ピアノ（脚付き）", 2000, "電子オルガン・電子ピアノ… 2,000円"),
        ("たんす", None, "たんす 料金はお問い合わせ"),
    ],
)
def test_candidate_labels_keep_the_fee_within_twenty_characters(
    name: str, fee: int | None, label: str
) -> None:
    shown = choice_label(ItemChoice(1, name, fee))
    assert shown == label and len(shown) <= 20


BULKY_STEPS = [
    Step.ITEM,
    Step.QUANTITY,
    Step.CART,
    Step.DATE,
    Step.NAME,
    Step.PHONE,
    Step.BOOK_CONFIRM,
    Step.OPENING,
    Step.CANCEL_CONFIRM,
    Step.MOVE_DATE,
]


@pytest.mark.parametrize("at", BULKY_STEPS)
def test_every_booking_prompt_and_hint_is_accepted_by_the_sdk(at: Step) -> None:
    state = DialogueState(
        flow=Flow.BULKY_CHANGE if at in BULKY_STEPS[-3:] else Flow.BULKY,
        step=at,
        updated_at=CTX.now,
        history=(Step.LOCATION, Step.ITEM),
        lon=139.41,
        lat=35.7,
        address="立川市錦町1-1",
        zone_name="南部地区",
        candidates=(ItemChoice(1, "たんす", 500),),
        pending_item=ItemChoice(1, "たんす", 500),
        lines=LINES,
        days=(DayOption(date(2026, 12, 3), 4), DayOption(date(2026, 12, 10), 0)),
        service_date=date(2026, 12, 3),
        contact_name="立川 花子",
        contact_phone="090-1234-5678",
        receipt_no="B2026-000001",
        booked_date=date(2026, 12, 10),
    )
    assert_sdk_accepts(prompts.prompt(state, CTX))
    assert_sdk_accepts(prompts.hint(state, CTX))
