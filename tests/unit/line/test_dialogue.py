"""The resident dialogue, driven the way a resident does: tapping the quick replies it offers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from api.line import (
    CategoryChoice,
    CheckLocation,
    DialogueContext,
    DialogueState,
    Event,
    ImageEvent,
    LocationChecked,
    LocationEvent,
    NearbyReport,
    PostbackEvent,
    ShowMyReports,
    Step,
    StepResult,
    SubmitReport,
    TextEvent,
    step,
)
from workflow.texts.resident import line as texts

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=JST)
ROAD = (CategoryChoice("pothole", "道路の穴・段差"), CategoryChoice("light", "街路灯の故障"))
DISASTER = tuple(
    CategoryChoice(code, name)
    for code, name in [
        ("flood", "冠水"),
        ("tree", "倒木"),
        ("landslide", "土砂崩れ"),
        ("building", "建物被害"),
        ("road_cut", "道路寸断"),
        ("other", "その他"),
    ]
)
INSIDE = LocationChecked(inside=True, district_name="錦町一丁目", address="立川市錦町1-1")


def make_ctx(*, disaster_mode: bool = False, now: datetime = NOW) -> DialogueContext:
    return DialogueContext(
        now=now,
        disaster_mode=disaster_mode,
        road_categories=ROAD,
        disaster_categories=DISASTER,
        municipality_name="立川市",
        city_phone="042-523-2111",
    )


def said(result: StepResult) -> str:
    """All text the resident sees (text bodies, Flex alt texts and Flex contents)."""
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in result.messages)


def labels(result: StepResult) -> list[str]:
    items: list[dict[str, Any]] = result.messages[-1].get("quickReply", {}).get("items", [])
    return [item["action"].get("label", "") for item in items]


def action_types(result: StepResult) -> list[str]:
    items: list[dict[str, Any]] = result.messages[-1].get("quickReply", {}).get("items", [])
    return [item["action"]["type"] for item in items]


def tap(result: StepResult, label: str, ctx: DialogueContext) -> StepResult:
    """Press the quick reply (or Flex button) with this label on the last message."""
    message = result.messages[-1]
    actions = [item["action"] for item in message.get("quickReply", {}).get("items", [])]
    actions += _flex_actions(message.get("contents", {}))
    data = next(a["data"] for a in actions if a.get("label") == label and a["type"] == "postback")
    return step(result.state, PostbackEvent(data), ctx)


def _flex_actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["action"]] if "action" in node else []
        return found + [a for value in node.values() for a in _flex_actions(value)]
    if isinstance(node, list):
        return [a for value in node for a in _flex_actions(value)]
    return []


def feed(result: StepResult, event: Event, ctx: DialogueContext) -> StepResult:
    return step(result.state, event, ctx)


def at_photos(ctx: DialogueContext, checked: LocationChecked = INSIDE) -> StepResult:
    result = tap(step(None, PostbackEvent("flow=road"), ctx), "道路の穴・段差", ctx)
    result = feed(result, LocationEvent(lat=35.6983, lon=139.4137), ctx)
    return feed(result, checked, ctx)


def test_no_dialogue_gets_menu_without_disaster_outside_disaster_mode() -> None:
    result = step(None, TextEvent("こんにちは"), make_ctx())
    assert result.state is None
    assert labels(result) == ["道路・施設の損傷", "粗大ごみ", "わたしの通報", "わたしの申込"]
    in_disaster = step(None, TextEvent("こんにちは"), make_ctx(disaster_mode=True))
    assert labels(in_disaster) == [
        "道路・施設の損傷",
        "災害情報",
        "粗大ごみ",
        "わたしの通報",
        "わたしの申込",
    ]


def test_road_report_happy_path() -> None:
    ctx = make_ctx()
    result = tap(step(None, PostbackEvent("flow=road"), ctx), "道路の穴・段差", ctx)
    assert result.state is not None and result.state.step is Step.LOCATION
    assert "location" in action_types(result)

    result = feed(result, LocationEvent(lat=35.6983, lon=139.4137, address=None), ctx)
    assert result.actions == [CheckLocation(lon=139.4137, lat=35.6983, category_code="pothole")]

    result = feed(result, INSIDE, ctx)
    assert result.state is not None and result.state.step is Step.PHOTOS
    assert action_types(result)[:2] == ["camera", "cameraRoll"]
    assert "写真なし" in labels(result)

    result = feed(result, ImageEvent("m1"), ctx)
    assert "写真はこれで完了" in labels(result) and "1/3" in said(result)
    result = tap(result, "写真はこれで完了", ctx)
    assert result.state is not None and result.state.step is Step.DESCRIPTION

    result = feed(result, TextEvent("  歩道に深い穴があります  "), ctx)
    confirm = said(result)
    for expected in ["道路の穴・段差", "立川市錦町1-1", "1枚", "歩道に深い穴があります"]:
        assert expected in confirm
    assert "https://maps.google.com/?q=35.698300,139.413700" in confirm

    done = tap(result, "送信する", ctx)
    assert done.state is None
    [submit] = done.actions
    assert isinstance(submit, SubmitReport)
    draft = submit.draft
    assert (draft.kind, draft.category_code, draft.urgent) == ("road", "pothole", False)
    assert (draft.lon, draft.lat, draft.address) == (139.4137, 35.6983, "立川市錦町1-1")
    assert draft.photo_message_ids == ("m1",) and draft.description == "歩道に深い穴があります"
    assert draft.attach_to_receipt_no is None


def test_third_photo_moves_on_and_a_fourth_is_refused() -> None:
    ctx = make_ctx()
    result = at_photos(ctx)
    for message_id in ["m1", "m2", "m3"]:
        result = feed(result, ImageEvent(message_id), ctx)
    assert result.state is not None and result.state.step is Step.DESCRIPTION
    assert result.state.photo_message_ids == ("m1", "m2", "m3")
    refused = feed(result, ImageEvent("m4"), ctx)
    assert "3枚まで" in said(refused)
    assert refused.state is not None and refused.state.photo_message_ids == ("m1", "m2", "m3")


def test_point_outside_the_city_is_refused_politely_with_the_phone_number() -> None:
    ctx = make_ctx()
    result = at_photos(ctx, LocationChecked(inside=False))
    assert result.state is not None and result.state.step is Step.LOCATION
    assert result.state.lat is None
    assert "立川市の区域外" in said(result) and "042-523-2111" in said(result)
    assert "location" in action_types(result)


def test_nearby_report_of_same_category_can_be_joined() -> None:
    ctx = make_ctx()
    nearby = (
        NearbyReport("R-000123", "道路の穴・段差", 12.4),
        NearbyReport("R-000999", "道路の穴・段差", 80.0),
    )
    result = at_photos(ctx, replace(INSIDE, nearby=nearby))
    assert result.state is not None and result.state.step is Step.NEARBY
    assert "同じ場所の通報があります" in said(result) and "R-000123" in said(result)
    assert "R-000999" not in said(result)  # beyond 30 m
    assert "別の通報として続ける" in labels(result)

    assert "この通報に追加する" in labels(result)
    result = tap(result, "この通報に追加する", ctx)
    result = tap(tap(result, "写真なし", ctx), "説明なし", ctx)
    assert "R-000123" in said(result)
    [submit] = tap(result, "送信する", ctx).actions
    assert isinstance(submit, SubmitReport)
    assert submit.draft.attach_to_receipt_no == "R-000123"


def test_several_nearby_reports_get_one_button_each() -> None:
    ctx = make_ctx()
    nearby = tuple(NearbyReport(f"R-{i}", "道路の穴・段差", 5.0 * i) for i in range(1, 6))
    result = at_photos(ctx, replace(INSIDE, nearby=nearby))
    assert labels(result) == [
        "R-1に追加する",
        "R-2に追加する",
        "R-3に追加する",
        "別の通報として続ける",
        "もどる",
        "やめる",
    ]
    result = tap(result, "R-2に追加する", ctx)
    assert result.state is not None and result.state.attach_to_receipt_no == "R-2"


def test_nearby_report_can_be_ignored() -> None:
    ctx = make_ctx()
    result = at_photos(ctx, replace(INSIDE, nearby=(NearbyReport("R-1", "道路の穴・段差", 3),)))
    result = tap(result, "別の通報として続ける", ctx)
    assert result.state is not None and result.state.step is Step.PHOTOS
    assert result.state.attach_to_receipt_no is None


def test_disaster_flow_is_closed_outside_disaster_mode() -> None:
    result = step(None, PostbackEvent("flow=disaster"), make_ctx())
    assert result.state is None
    assert "受付は行っておりません" in said(result) and "042-523-2111" in said(result)


def test_disaster_report_asks_whether_lives_are_at_risk() -> None:
    ctx = make_ctx(disaster_mode=True)
    result = step(None, PostbackEvent("flow=disaster"), ctx)
    assert labels(result) == [c.name for c in DISASTER] + ["やめる"]
    result = tap(result, "冠水", ctx)
    assert "人命に関わりますか" in said(result)
    result = tap(result, "はい", ctx)
    assert "119" in said(result)
    result = feed(feed(result, LocationEvent(35.7, 139.41), ctx), INSIDE, ctx)
    result = tap(tap(result, "写真なし", ctx), "説明なし", ctx)
    assert "人命" in said(result)
    [submit] = tap(result, "送信する", ctx).actions
    assert isinstance(submit, SubmitReport)
    assert (submit.draft.kind, submit.draft.category_code, submit.draft.urgent) == (
        "disaster",
        "flood",
        True,
    )


def test_bulky_entry_asks_location_then_exactly_where_then_the_first_item() -> None:
    ctx = make_ctx()
    result = step(None, TextEvent("粗大ごみ"), ctx)
    assert result.state is not None and result.state.step is Step.LOCATION
    result = feed(result, LocationEvent(35.7, 139.41, "立川市錦町"), ctx)
    assert result.actions == [CheckLocation(lon=139.41, lat=35.7, category_code=None, zone=True)]
    result = feed(result, replace(INSIDE, zone_name="南部地区"), ctx)
    assert result.state is not None and result.state.step is Step.ADDRESS_LINE
    assert result.state.zone_name == "南部地区" and result.state.address == "立川市錦町1-1"
    assert "南部地区" in said(result) and "番地・建物名・部屋番号" in said(result)
    result = feed(result, TextEvent("1-2-3"), ctx)
    result = tap(result, "玄関前", ctx)
    result = tap(result, "なし", ctx)
    assert result.state is not None and result.state.step is Step.ITEM
    assert "品目名" in said(result)


@pytest.mark.parametrize("cancel", [TextEvent("やめる"), PostbackEvent("a=cancel")])
def test_cancel_ends_the_dialogue(cancel: Event) -> None:
    ctx = make_ctx()
    result = feed(at_photos(ctx), cancel, ctx)
    assert result.state is None
    assert texts.CANCELLED in said(result)


def test_back_returns_one_step_and_forgets_its_answer() -> None:
    ctx = make_ctx()
    result = at_photos(ctx)
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is not None and result.state.step is Step.LOCATION
    assert result.state.lat is None and result.state.category_code == "pothole"
    result = feed(result, PostbackEvent("a=back"), ctx)
    assert result.state is not None and result.state.step is Step.CATEGORY
    assert result.state.category_code is None
    result = feed(result, TextEvent("もどる"), ctx)
    assert result.state is None and labels(result)[0] == "道路・施設の損傷"


def test_edit_on_confirm_goes_back_to_description() -> None:
    ctx = make_ctx()
    result = tap(tap(at_photos(ctx), "写真なし", ctx), "説明なし", ctx)
    result = tap(result, "修正する(もどる)", ctx)
    assert result.state is not None and result.state.step is Step.DESCRIPTION


def test_idle_dialogue_is_reset_and_the_event_handled_as_fresh() -> None:
    ctx = make_ctx()
    stale = at_photos(ctx).state
    assert stale is not None
    later = make_ctx(now=NOW + timedelta(minutes=31))
    result = step(stale, PostbackEvent("a=nophoto"), later)
    assert result.state is None
    assert "30分以上" in json.dumps(result.messages[0], ensure_ascii=False)
    assert "道路・施設の損傷" in labels(result)
    restarted = step(stale, PostbackEvent("flow=road"), later)
    assert restarted.state is not None and restarted.state.step is Step.CATEGORY
    within = step(stale, ImageEvent("m1"), make_ctx(now=NOW + timedelta(minutes=29)))
    assert within.state is not None and within.state.photo_message_ids == ("m1",)


def test_text_where_a_location_is_expected_gets_a_hint_with_the_location_button() -> None:
    ctx = make_ctx()
    result = tap(step(None, PostbackEvent("flow=road"), ctx), "街路灯の故障", ctx)
    hinted = feed(result, TextEvent("駅前です"), ctx)
    assert hinted.state is not None and hinted.state.step is Step.LOCATION
    assert texts.HINT_LOCATION in said(hinted) and "location" in action_types(hinted)


def test_unknown_postback_gets_a_hint_and_keeps_the_step() -> None:
    ctx = make_ctx()
    result = feed(at_photos(ctx), PostbackEvent("a=frobnicate&x=1"), ctx)
    assert result.state is not None and result.state.step is Step.PHOTOS
    assert texts.UNKNOWN_POSTBACK in said(result)


def test_typed_category_name_is_accepted() -> None:
    ctx = make_ctx()
    result = feed(step(None, TextEvent("道路・施設の損傷"), ctx), TextEvent("街路灯の故障"), ctx)
    assert result.state is not None and result.state.category_code == "light"


@pytest.mark.parametrize("event", [TextEvent("わたしの通報"), PostbackEvent("my=reports")])
def test_my_reports_is_an_action_and_keeps_an_open_dialogue(event: Event) -> None:
    ctx = make_ctx()
    assert step(None, event, ctx).actions == [ShowMyReports()]
    open_state = at_photos(ctx).state
    result = step(open_state, event, ctx)
    assert result.actions == [ShowMyReports()] and result.state == open_state


def test_description_longer_than_the_limit_is_refused() -> None:
    ctx = make_ctx()
    result = tap(at_photos(ctx), "写真なし", ctx)
    refused = feed(result, TextEvent("あ" * 501), ctx)
    assert refused.state is not None and refused.state.step is Step.DESCRIPTION
    assert "500文字以内" in said(refused)


def test_state_survives_json_between_every_event() -> None:
    ctx = make_ctx(disaster_mode=True)
    result = step(None, PostbackEvent("flow=disaster"), ctx)
    script: list[Event] = [
        PostbackEvent("a=cat&c=tree"),
        PostbackEvent("a=urg&v=n"),
        LocationEvent(35.7, 139.41, "立川市"),
        replace(INSIDE, nearby=(NearbyReport("R-7", "倒木", 5.0),)),
        PostbackEvent("a=att&r=R-7"),
        ImageEvent("p1"),
        ImageEvent("p2"),
        TextEvent("写真はこれで完了"),
        TextEvent("倒木で道がふさがっています"),
    ]
    for event in script:
        assert result.state is not None
        stored = DialogueState.from_json(result.state.to_json())
        assert stored == result.state
        result = step(stored, event, ctx)
    assert result.state is not None and result.state.step is Step.CONFIRM
    assert DialogueState.from_json(result.state.to_json()) == result.state
