"""Every event kind in every state: the dialogue always answers and never raises."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from api.line import (
    CategoryChoice,
    DialogueContext,
    DialogueState,
    Event,
    Flow,
    ImageEvent,
    LocationChecked,
    LocationEvent,
    NearbyReport,
    OtherMessageEvent,
    PostbackEvent,
    Step,
    TextEvent,
    step,
)
from api.line.bulky.model import (
    BookingChanged,
    BookingDone,
    BookingOpened,
    BookingReceipt,
    BookingRefused,
    CartLine,
    DayOption,
    DaysFound,
    ItemChoice,
    ItemRefusal,
    ItemsFound,
)
from workflow.texts.resident import bulky as texts_bulky
from workflow.texts.resident import line as texts

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
ROAD = (CategoryChoice("pothole", "道路の穴・段差"),)
DISASTER = (CategoryChoice("flood", "冠水"), CategoryChoice("other", "その他"))

CONTEXTS = [
    DialogueContext(NOW, False, ROAD, DISASTER, "立川市", "042-523-2111"),
    DialogueContext(NOW, True, ROAD, DISASTER, "立川市", "042-523-2111"),
    DialogueContext(NOW, True, (), (), "立川市", "042-523-2111"),
    DialogueContext(NOW + timedelta(hours=2), True, ROAD, DISASTER, "立川市", "042-523-2111"),
]

NEARBY = (NearbyReport("R-1", "道路の穴・段差", 4.0), NearbyReport("R-2", "冠水", 29.0))
LONG_NAME = "とても長い名前の粗大ごみの品目（説明つき・付属品あり）"
CHOICES = tuple(ItemChoice(i, f"{LONG_NAME}{i}", 1000 * i or None) for i in range(14))
LINES = tuple(CartLine(i % 3, f"{LONG_NAME}{i % 3}", 300, 1) for i in range(10))
DAYS = tuple(DayOption(date(2026, 11, 26) + timedelta(days=i), i % 4, None) for i in range(25))
DAY = date(2026, 12, 3)
RECEIPT = BookingReceipt("B2026-000001", DAY, LINES, 3000, (3, 0), "立川市", NOW)
LONG_NOTE = "門の右側、青いシートの下" * 8  # 96 characters
RECEIPT_WHERE = replace(RECEIPT, address_line="1-2-3 " + "コーポ立川" * 22, put_out="other",
                        put_out_note=LONG_NOTE)  # fmt: skip


def _full(flow: Flow, at: Step) -> DialogueState:
    return DialogueState(
        flow=flow,
        step=at,
        updated_at=NOW,
        history=(Step.CATEGORY, Step.LOCATION),
        category_code="flood" if flow is Flow.DISASTER else "pothole",
        urgent=flow is Flow.DISASTER,
        lon=139.41,
        lat=35.7,
        address="立川市錦町1-1",
        district_name="錦町一丁目",
        nearby=NEARBY,
        attach_to_receipt_no="R-1",
        photo_message_ids=("m1", "m2", "m3"),
        description="説明",
        zone_name="南部地区",
        address_line="1-2-3 コーポ立川 101",
        put_out="roadside",
        put_out_note="門の右側",
        candidates=CHOICES,
        pending_item=CHOICES[1],
        lines=LINES,
        days=DAYS,
        service_date=DAY,
        contact_name="立川 花子",
        contact_phone="090-1234-5678",
        receipt_no="B2026-000001",
        booked_date=DAY,
    )


STATES: list[DialogueState | None] = [None]
for _flow, _step in itertools.product(Flow, Step):
    STATES.append(_full(_flow, _step))
    STATES.append(DialogueState(flow=_flow, step=_step, updated_at=NOW))  # nothing collected
    STATES.append(replace(_full(_flow, _step), put_out="other", put_out_note=None))

_LABELS = [
    value
    for module in (texts, texts_bulky)
    for name, value in vars(module).items()
    if name.startswith("LABEL_")
] + list(texts_bulky.PUT_OUT_LABELS.values())
_POSTBACKS = [
    "flow=road",
    "flow=disaster",
    "flow=bulky",
    "flow=nowhere",
    "my=reports",
    "my=else",
    "a=cancel",
    "a=back",
    "a=cat&c=pothole",
    "a=cat&c=flood",
    "a=cat&c=unknown",
    "a=cat",
    "a=urg&v=y",
    "a=urg&v=n",
    "a=urg&v=maybe",
    "a=att&r=R-1",
    "a=att&r=R-404",
    "a=new",
    "a=nophoto",
    "a=pdone",
    "a=nodesc",
    "a=send",
    "my=bookings",
    "a=put&p=entrance",
    "a=put&p=other",
    "a=put&p=garden",
    "a=put",
    "a=nonote",
    "a=item&i=1",
    "a=item&i=999",
    "a=item&i=x",
    "a=qty&n=1",
    "a=qty&n=0",
    "a=qty&n=1000",
    "a=qty",
    "a=more",
    "a=idone",
    "a=day&d=2026-12-03",
    "a=day&d=2026-11-27",
    "a=day&d=2027-12-03",
    "a=day&d=garbage",
    "a=day",
    "a=book",
    "a=mybk",
    "a=bcancel&r=B2026-000001",
    "a=bmove&r=B2026-000001",
    "a=bcancel",
    "a=bcok",
    "a=keep",
    "a=",
    "",
    "%%%&&==",
    "a=" + "x" * 400,
    "datetime=2026-11-23T10:00",
]
EVENTS: list[Event] = [
    TextEvent("こんにちは"),
    TextEvent(""),
    TextEvent("   "),
    TextEvent("あ" * 6000),
    *(TextEvent(label) for label in _LABELS),
    *(PostbackEvent(data) for data in _POSTBACKS),
    LocationEvent(35.7, 139.41, "立川市錦町"),
    LocationEvent(35.7, 139.41, None),
    LocationEvent(math.nan, 139.41, None),
    LocationEvent(95.0, 200.0, None),
    ImageEvent("m1"),
    ImageEvent("m9"),
    OtherMessageEvent("sticker"),
    LocationChecked(inside=True, district_name="錦町一丁目", address="立川市錦町1-1"),
    LocationChecked(inside=True, nearby=NEARBY),
    LocationChecked(inside=False),
    LocationChecked(inside=True, zone_name="南部地区"),
    PostbackEvent("a=day", date="2026-12-03"),
    PostbackEvent("a=day", date="not-a-date"),
    PostbackEvent("a=bmove&r=B2026-000001", date="2026-12-10"),
    TextEvent("3"),
    TextEvent("１０００個"),
    TextEvent("090-1234-5678"),
    TextEvent("１－２－３　コーポ立川　１０１"),
    TextEvent(LONG_NOTE + "あいうえおか"),  # one over the note's limit
    ItemsFound("そふぁ", CHOICES, (ItemRefusal("テレビ", None, None),) * 3, more=True),
    ItemsFound("なし"),
    DaysFound(DAYS),
    DaysFound(()),
    BookingDone(RECEIPT),
    BookingDone(RECEIPT_WHERE),
    BookingRefused("capacity_full", "満枠です。", "service_date", DAYS),
    BookingRefused("capacity_full", "満枠です。", "service_date"),
    BookingRefused("not_found", "見つかりません。", "items.item_id"),
    BookingOpened("B2026-000001", "cancel", True, DAY, True, NOW, DAYS),
    BookingOpened("B2026-000001", "move", True, DAY, True, NOW, DAYS),
    BookingOpened("B2026-000001", "move", True, DAY, False, NOW, DAYS),
    BookingOpened("B2026-000001", "cancel", False),
    BookingOpened("B2026-000009", "cancel", True, DAY, True, NOW, DAYS, "collected"),
    BookingChanged("cancel", "B2026-000001", DAY),
    BookingChanged("move", "B2026-000001", DAY),
]


def _check_message(message: dict[str, Any]) -> None:
    assert message["type"] in ("text", "flex")
    if message["type"] == "text":
        assert 0 < len(message["text"]) <= 5000
    else:
        assert 0 < len(message["altText"]) <= 400
    items = message.get("quickReply", {}).get("items", [])
    assert len(items) <= 13
    for item in items:
        action = item["action"]
        assert 0 < len(action["label"]) <= 20
        assert len(action.get("data", "")) <= 300


@pytest.mark.parametrize("ctx", CONTEXTS, ids=["normal", "disaster", "no-categories", "idle"])
def test_every_event_in_every_state_is_answered(ctx: DialogueContext) -> None:
    for state, event in itertools.product(STATES, EVENTS):
        result = step(state, event, ctx)
        assert result.messages or result.actions, (state, event)
        assert len(result.messages) <= 3, (state, event)  # leaves room in a 5-message reply
        for message in result.messages:
            _check_message(message)
        if result.state is not None:
            assert DialogueState.from_json(result.state.to_json()) == result.state
            assert result.state.updated_at <= ctx.now
