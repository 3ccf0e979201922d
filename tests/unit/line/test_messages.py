"""Message builders: content, LINE's limits, and acceptance by the real SDK models."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from linebot.v3.messaging import FlexMessage, Message, TextMessage

from api.line import (
    CategoryChoice,
    DialogueContext,
    DialogueState,
    Flow,
    NearbyReport,
    Step,
    prompts,
)
from api.line import messages as m

RED, ORANGE, GREEN, GREY = "#d62728", "#ff9f0e", "#2ca02c", "#7f7f7f"


def dump(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def colours(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["color"]} if "color" in node else set()
        return own.union(*(colours(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(colours(value) for value in node))
    return set()


def assert_sdk_accepts(message: dict[str, Any]) -> None:
    """Check the SDK parses the dict into its model and writes back the very same JSON."""
    parsed = Message.from_dict(message)
    assert isinstance(parsed, TextMessage | FlexMessage)
    assert parsed.to_dict() == message


def test_receipt_shows_number_kind_place_and_coloured_status() -> None:
    receipt = m.build_receipt("R2026-000123", "道路の穴・段差", "立川市錦町1-1", "受付")
    text = dump(receipt)
    for expected in ["受付番号", "R2026-000123", "種類", "道路の穴・段差", "場所", "立川市錦町1-1"]:
        assert expected in text
    assert "状況" in text and RED in colours(receipt["contents"])
    assert receipt["altText"] == "通報を受け付けました。受付番号 R2026-000123"
    assert_sdk_accepts(receipt)


def test_receipt_without_address_says_map_position() -> None:
    receipt = m.build_receipt("R-1", "倒木", None, "作業中")
    assert "地図の位置" in dump(receipt) and ORANGE in colours(receipt["contents"])


@pytest.mark.parametrize(
    ("status", "label", "colour", "phrase"),
    [
        ("received", "受付", RED, "受け付けました"),
        ("in_progress", "作業中", ORANGE, "対応を始めました"),
        ("done", "完了", GREEN, "完了しました"),
        ("rejected", "対応不可", GREY, "対応できません"),
        ("duplicate", "重複", GREY, "同じ内容の通報"),
    ],
)
def test_status_notice_per_status(status: str, label: str, colour: str, phrase: str) -> None:
    notice = m.build_status_notice("R-9", "街路灯の故障", status)
    assert phrase in notice["altText"] and "R-9" in notice["altText"]
    assert label in dump(notice) and colour in colours(notice["contents"])
    assert_sdk_accepts(notice)


def test_status_notice_for_an_unknown_status_still_reads_politely() -> None:
    notice = m.build_status_notice("R-9", "街路灯の故障", "archived")
    assert "「archived」になりました" in notice["altText"]


def test_my_reports_when_none() -> None:
    message = m.build_my_reports([])
    assert message == {"type": "text", "text": "これまでの通報はありません。"}


def test_my_reports_lists_newest_ten() -> None:
    reports = [
        m.MyReport(f"R-{i:03}", "道路の穴・段差", "done" if i % 2 else "received", date(2026, 1, i))
        for i in range(1, 13)
    ]
    message = m.build_my_reports(reports)
    text = dump(message)
    assert "R-012" in text and "R-003" in text and "R-002" not in text
    assert text.index("R-012") < text.index("R-011")
    assert "全12件" in text and "2026年1月12日" in text
    assert {RED, GREEN} <= colours(message["contents"])
    assert_sdk_accepts(message)


def test_confirm_has_map_link_and_three_buttons() -> None:
    summary = m.ReportSummary("冠水", "錦町一丁目", 35.6983, 139.4137, 2, None, urgent=False)
    message = m.build_confirm(summary)
    text = dump(message)
    assert "https://maps.google.com/?q=35.698300,139.413700" in text
    for expected in ["送信する", "修正する(もどる)", "やめる", "2枚", "関わらない", "なし"]:
        assert expected in text
    assert_sdk_accepts(message)


def test_quick_reply_kinds_are_valid_line_actions() -> None:
    items = [
        m.postback_item("とても長いラベルはLINEの上限の二十文字を超えてしまいます", "a=x"),
        m.message_item("はい"),
        m.location_item(),
        m.camera_item(),
        m.camera_roll_item(),
    ]
    message = m.text_message("テスト", items)
    kinds = [item["action"]["type"] for item in message["quickReply"]["items"]]
    assert kinds == ["postback", "message", "location", "camera", "cameraRoll"]
    assert len(items[0]["action"]["label"]) == 20
    assert_sdk_accepts(message)


def test_more_than_thirteen_quick_replies_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="13"):
        m.text_message("x", [m.message_item(str(i)) for i in range(14)])


CTX = DialogueContext(
    now=datetime(2026, 11, 23, tzinfo=UTC),
    disaster_mode=True,
    road_categories=tuple(CategoryChoice(f"c{i}", f"種類{i}") for i in range(15)),
    disaster_categories=(CategoryChoice("flood", "冠水"),),
    municipality_name="立川市",
    city_phone="042-523-2111",
)


@pytest.mark.parametrize(("flow", "at"), list(itertools.product(Flow, Step)))
def test_every_step_prompt_and_hint_is_accepted_by_the_sdk(flow: Flow, at: Step) -> None:
    state = DialogueState(
        flow=flow,
        step=at,
        updated_at=CTX.now,
        history=(Step.CATEGORY,),
        category_code="c1",
        lon=139.41,
        lat=35.7,
        nearby=(NearbyReport("R2026-000001", "種類1", 3.0),),
        photo_message_ids=("1",),
    )
    assert_sdk_accepts(prompts.prompt(state, CTX))
    assert_sdk_accepts(prompts.hint(state, CTX))
    assert_sdk_accepts(prompts.menu(CTX))
