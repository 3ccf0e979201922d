"""A signed webhook batch with text PostgreSQL refuses still answers 200.

The event is stored in a safe form and every other event of the batch is stored and processed
(LINE would otherwise redeliver the whole batch for ever).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import LineHarness
from tests.support.line_events import (
    SIGNATURE_HEADER,
    new_user_id,
    postback_event,
    sign,
    text_event,
)

pytestmark = pytest.mark.db


def _post_ascii(
    harness: LineHarness, events: list[dict[str, Any]], path: str = "/line/webhook"
) -> int:
    # ensure_ascii: a lone surrogate only travels as a JSON escape, as LINE would send it.
    body = json.dumps({"destination": "U0", "events": events}).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, harness.settings.line_channel_secret),
    }
    answer = harness.client.post(f"{harness.url}{path}", content=body, headers=headers)
    return answer.status_code


@pytest.mark.parametrize("path", ["/line/webhook", "/line/13202/webhook"])
def test_poisoned_events_do_not_hold_back_the_batch(harness: LineHarness, path: str) -> None:
    events = [
        text_event(new_user_id(), "こんにちは"),
        text_event(new_user_id(), "道路に\x00穴"),
        postback_event(new_user_id(), "flow=road"),
        text_event(new_user_id(), "壊れた\ud800文字"),
        text_event(new_user_id(), "メニュー"),
    ]
    ids = [event["webhookEventId"] for event in events]

    assert _post_ascii(harness, events, path) == 200

    harness.process()
    rows = harness.rows(
        "SELECT webhook_event_id, payload, processed_at, last_error FROM webhook_event "
        "WHERE webhook_event_id = ANY(:ids) ORDER BY id",
        ids=ids,
    )
    assert [row.webhook_event_id for row in rows] == ids
    assert all(row.processed_at is not None and row.last_error is None for row in rows), rows
    assert rows[1].payload["message"]["text"] == "道路に穴"
    assert rows[3].payload["message"]["text"] == "壊れた\ufffd文字"
    for event in events:  # every resident of the batch got an answer
        assert harness.replies_to(event["replyToken"]), event
