"""Raw webhook JSON -> stored rows and dialogue events (LINE's own fixture, no DB)."""

from __future__ import annotations

import json

import pytest

from api.line.events import (
    is_direct_chat,
    occurred_at,
    parse_webhook_body,
    reply_token_of,
    to_dialogue_event,
    user_id_of,
)
from api.line.model import (
    ImageEvent,
    LocationEvent,
    OtherMessageEvent,
    PostbackEvent,
    TextEvent,
)
from tests.support.shared import LINE_WEBHOOK_FIXTURE

FIXTURE = LINE_WEBHOOK_FIXTURE


def test_every_fixture_event_becomes_a_row_in_order() -> None:
    rows = parse_webhook_body(FIXTURE.read_bytes())
    raw = json.loads(FIXTURE.read_text())["events"]

    assert len(rows) == 28
    assert [row.event_type for row in rows] == [event["type"] for event in raw]
    assert sum(row.is_redelivery for row in rows) == 2
    assert json.loads(rows[0].payload_json) == raw[0]


def test_dialogue_events_of_the_fixture() -> None:
    raw = json.loads(FIXTURE.read_text())["events"]
    converted = [to_dialogue_event(event) for event in raw]

    assert converted[0] == TextEvent("Hello, world")
    assert isinstance(converted[1], ImageEvent)
    assert converted[2] == OtherMessageEvent("video")
    assert isinstance(converted[4], LocationEvent)
    assert converted[6] is None  # follow
    assert isinstance(converted[10], PostbackEvent)


def test_only_active_one_to_one_chats_drive_the_dialogue() -> None:
    user = {"type": "user", "userId": "U" + "0" * 32}
    group = {"type": "group", "groupId": "C1", "userId": "U" + "0" * 32}

    assert is_direct_chat({"source": user, "mode": "active"})
    assert not is_direct_chat({"source": user, "mode": "standby"})
    assert not is_direct_chat({"source": group, "mode": "active"})
    assert user_id_of({"source": group}) == "U" + "0" * 32
    assert user_id_of({"source": {"type": "user"}}) is None


def test_reply_token_and_time() -> None:
    event = {"replyToken": "abc", "timestamp": 1462629479859}

    assert reply_token_of(event) == "abc"
    assert reply_token_of({}) is None
    stamp = occurred_at(event)
    assert stamp is not None and stamp.year == 2016
    assert occurred_at({"timestamp": "soon"}) is None


@pytest.mark.parametrize(
    "body",
    [b"", b"null", b"{}", b'{"events": {}}', b'{"events": [{"type": "message"}]}'],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_webhook_body(body)


def test_unstorable_text_is_cleaned_not_refused() -> None:
    # LINE would redeliver a refused batch for ever; the event is stored in a safe form.
    body = (
        b'{"events": [{"type": "message", "webhookEventId": "01A\\u0000", "source": '
        b'{"type": "user", "userId": "U1"}, "message": {"type": "text", "id": "1", '
        b'"text": "\\u7a74\\u0000\\ud800"}}]}'
    )
    [row] = parse_webhook_body(body)
    assert row.webhook_event_id == "01A"
    assert json.loads(row.payload_json)["message"]["text"] == "穴\ufffd"
    assert "\\u0000" not in row.payload_json
