"""Hypothesis drives the pure dialogue with any sequence of events, as a resident (or LINE) might.

Rules send arbitrary events of every type (text, postbacks with any data, locations with any
numbers, photos, stickers, the worker's result events), tap what the dialogue offers, let time
pass, and press 「やめる」. Invariants after every step: the step answered, never raised, kept
its messages within LINE's limits, and left a state that 「やめる」 can leave (back to the menu).
Fixed seed (derandomize) and bounded examples: the same run on every machine.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from api.line import (
    CategoryChoice,
    CheckLocation,
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
    StepResult,
    TextEvent,
    postback,
    prompts,
    step,
)
from api.line.bulky.model import (
    BookingChanged,
    BookingDone,
    BookingOpened,
    BookingReceipt,
    BookingRefused,
    CancelBooking,
    CartLine,
    DayOption,
    DaysFound,
    ItemChoice,
    ItemRefusal,
    ItemsFound,
    LoadDays,
    MoveBooking,
    OpenBooking,
    SearchItems,
    SubmitBooking,
)
from tests.support.dialogue_driver import flex_actions, quick_actions
from workflow.texts.resident import bulky as texts_bulky
from workflow.texts.resident import line as texts

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
ROAD = (CategoryChoice("pothole", "道路の穴・段差"),)
DISASTER = (CategoryChoice("flood", "冠水"), CategoryChoice("other", "その他"))
DAY = date(2026, 12, 3)
CHOICES = tuple(ItemChoice(i, f"品目{i}", 400 * i or None) for i in range(12))
LINES = tuple(CartLine(i % 3, f"品目{i % 3}", 300, 1) for i in range(4))
DAYS = tuple(DayOption(date(2026, 11, 26) + timedelta(days=i), i % 4, None) for i in range(20))
RECEIPT = BookingReceipt("B2026-000001", DAY, LINES, 1200, (1, 0), "立川市", NOW)
NEARBY = (NearbyReport("R-1", "道路の穴・段差", 4.0),)

LABELS = [
    value
    for module in (texts, texts_bulky)
    for name, value in vars(module).items()
    if name.startswith("LABEL_")
]
POSTBACK_DATA = [
    "flow=road", "flow=disaster", "flow=bulky", "my=reports", "my=bookings", "a=cancel",
    "a=back", "a=cat&c=pothole", "a=cat&c=flood", "a=urg&v=y", "a=att&r=R-1", "a=new",
    "a=nophoto", "a=pdone", "a=nodesc", "a=send", "a=item&i=1", "a=qty&n=2", "a=more",
    "a=idone", "a=day&d=2026-12-03", "a=book", "a=bcancel&r=B2026-000001", "a=bcok", "a=keep",
    "a=bmove&r=B2026-000001",
]  # fmt: skip

any_text = st.text(max_size=80)
texts_sent = st.one_of(st.sampled_from(LABELS), any_text, st.sampled_from(["3", "090-1234-5678"]))
coordinates = st.floats(allow_nan=True, allow_infinity=True)
# What the worker answers to each action of the dialogue (the results of its I/O).
RESPONSES: dict[type, list[Event]] = {
    CheckLocation: [
        LocationChecked(inside=True, district_name="錦町一丁目", address="立川市錦町1-1"),
        LocationChecked(inside=True, nearby=NEARBY),
        LocationChecked(inside=False),
        LocationChecked(inside=True, zone_name="南部地区"),
    ],
    SearchItems: [
        ItemsFound("そふぁ", CHOICES, (ItemRefusal("テレビ", None, None),), more=True),
        ItemsFound("たんす", CHOICES[1:3]),
        ItemsFound("なし"),
    ],
    LoadDays: [DaysFound(DAYS), DaysFound(())],
    SubmitBooking: [
        BookingDone(RECEIPT),
        BookingRefused("capacity_full", "満枠です。", "service_date", DAYS),
        BookingRefused("not_found", "見つかりません。", "items.item_id"),
    ],
    OpenBooking: [
        BookingOpened("B2026-000001", "cancel", True, DAY, True, NOW, DAYS),
        BookingOpened("B2026-000001", "move", True, DAY, True, NOW, DAYS),
        BookingOpened("B2026-000001", "cancel", False),
    ],
    CancelBooking: [BookingChanged("cancel", "B2026-000001", DAY)],
    MoveBooking: [BookingChanged("move", "B2026-000001", DAY)],
}
RESIDENT_INPUT: list[Event] = [
    TextEvent("ソファー"),
    TextEvent("立川 花子"),
    TextEvent("090-1234-5678"),
    TextEvent("歩道に穴があります"),
    TextEvent("2"),
    LocationEvent(35.7, 139.41, "立川市錦町"),
    ImageEvent("m1"),
]
results: st.SearchStrategy[Event] = st.sampled_from(
    [event for answers in RESPONSES.values() for event in answers]
)
events: st.SearchStrategy[Event] = st.one_of(
    st.builds(TextEvent, texts_sent),
    st.builds(
        PostbackEvent,
        st.one_of(st.sampled_from(POSTBACK_DATA), any_text),
        st.one_of(st.none(), st.sampled_from(["2026-12-03", "2027-01-01", "garbage"])),
    ),
    st.builds(LocationEvent, coordinates, coordinates, st.one_of(st.none(), any_text)),
    st.builds(ImageEvent, st.text(min_size=1, max_size=20)),
    st.builds(OtherMessageEvent, st.sampled_from(["sticker", "video", "audio", "file"])),
    results,
)
contexts = st.builds(
    DialogueContext,
    st.just(NOW),
    st.booleans(),
    st.sampled_from([ROAD, ()]),
    st.sampled_from([DISASTER, ()]),
    st.just("立川市"),
    st.just("042-523-2111"),
)
CANCEL = TextEvent(texts.LABEL_CANCEL)


def _collected(flow: Flow, at: Step) -> DialogueState:
    """A state at ``at`` with every answer collected (what a resident could have got to)."""
    return DialogueState(
        flow=flow, step=at, updated_at=NOW, history=(Step.CATEGORY, Step.LOCATION),
        category_code="flood" if flow is Flow.DISASTER else "pothole",
        urgent=flow is Flow.DISASTER, lon=139.41, lat=35.7, address="立川市錦町1-1",
        district_name="錦町一丁目", nearby=NEARBY, attach_to_receipt_no="R-1",
        photo_message_ids=("m1", "m2"), description="説明", zone_name="南部地区",
        candidates=CHOICES, pending_item=CHOICES[1], lines=LINES, days=DAYS, service_date=DAY,
        contact_name="立川 花子", contact_phone="090-1234-5678", receipt_no="B2026-000001",
        booked_date=DAY,
    )  # fmt: skip


# Any state: none, or any step of any flow, with everything or nothing collected.
start_states = st.one_of(
    st.none(),
    st.builds(_collected, st.sampled_from(Flow), st.sampled_from(Step)),
    st.builds(DialogueState, st.sampled_from(Flow), st.sampled_from(Step), st.just(NOW)),
)


def _check_answer(result: StepResult, ctx: DialogueContext) -> None:
    assert result.messages or result.actions
    assert len(result.messages) <= 5  # one LINE reply
    for message in result.messages:
        assert message["type"] in ("text", "flex")
        if message["type"] == "text":
            assert 0 < len(message["text"]) <= 5000
        else:
            assert 0 < len(message["altText"]) <= 400
        items = message.get("quickReply", {}).get("items", [])
        assert len(items) <= 13
        assert all(0 < len(item["action"]["label"]) <= 20 for item in items)
    if result.state is not None:
        assert DialogueState.from_json(result.state.to_json()) == result.state
        assert result.state.updated_at <= ctx.now


def _is_menu(result: StepResult, ctx: DialogueContext) -> bool:
    offered = [action["label"] for action in quick_actions(result)]
    expected = [item["action"]["label"] for item in prompts.menu_items(ctx)]
    return result.state is None and offered == expected


def _event_of(action: dict[str, Any]) -> Event | None:
    if action["type"] == "postback":
        picked = "2026-12-03" if action.get("mode") == "date" else None
        return PostbackEvent(action["data"], picked)
    if action["type"] == "message":
        return TextEvent(action["text"])
    if action["type"] == "location":
        return LocationEvent(35.7, 139.41, "立川市錦町")
    if action["type"] in ("camera", "cameraRoll"):
        return ImageEvent("m1")
    return None


class DialogueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: DialogueState | None = None
        self.ctx = DialogueContext(NOW, False, ROAD, DISASTER, "立川市", "042-523-2111")
        self.last: StepResult | None = None

    def _send(self, event: Event) -> StepResult:
        result = step(self.state, event, self.ctx)
        _check_answer(result, self.ctx)
        self.state, self.last = result.state, result
        return result

    @initialize(ctx=contexts, state=start_states)
    def start_anywhere(self, ctx: DialogueContext, state: DialogueState | None) -> None:
        self.ctx, self.state = ctx, state

    @rule(event=events)
    def send_any_event(self, event: Event) -> None:
        self._send(event)

    @rule(data=st.data())
    def act_like_a_resident(self, data: st.DataObject) -> None:
        # Goes deep: the worker answers the dialogue's actions, the resident taps what is
        # offered or types what a step asks for.
        self._send(data.draw(st.sampled_from(self._plausible_next())))

    @rule(data=st.data())
    def carry_on_like_a_resident(self, data: st.DataObject) -> None:
        # The same rule twice: residents mostly carry on, so deep steps are reached often.
        self.act_like_a_resident(data)

    def _plausible_next(self) -> list[Event]:
        if self.last is None:
            return [PostbackEvent(postback.RICH_MENU_ROAD), PostbackEvent(postback.RICH_MENU_BULKY)]
        answers = [e for action in self.last.actions for e in RESPONSES.get(type(action), [])]
        if answers:
            return answers
        offered: list[Event] = list(RESIDENT_INPUT)
        if self.last.messages:
            message = self.last.messages[-1]
            actions = quick_actions(self.last) + flex_actions(message.get("contents", {}))
            offered += [event for event in map(_event_of, actions) if event is not None]
        return offered

    @rule(minutes=st.sampled_from([1, 5, 29, 31, 120]))
    def time_passes(self, minutes: int) -> None:
        self.ctx = dataclasses.replace(self.ctx, now=self.ctx.now + timedelta(minutes=minutes))

    @rule()
    def cancel_returns_to_the_menu(self) -> None:
        assert _is_menu(self._send(CANCEL), self.ctx)

    @invariant()
    def cancel_can_always_leave_the_state(self) -> None:
        # Probed without moving: from wherever the resident is, 「やめる」 (typed or tapped)
        # leads back to the menu, so no state traps them.
        for cancel in (CANCEL, PostbackEvent(postback.encode_command(postback.CANCEL))):
            result = step(self.state, cancel, self.ctx)
            _check_answer(result, self.ctx)
            assert _is_menu(result, self.ctx), (self.state, result.messages)


DialogueMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    derandomize=True,  # a fixed seed: CI runs the same sequences every time
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_dialogue_survives_any_sequence_of_events = DialogueMachine.TestCase
