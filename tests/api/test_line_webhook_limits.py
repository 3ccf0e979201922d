"""``POST /line/webhook`` at its edges: oversized bodies, event types LINE may add later."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from tests.api.conftest import LineHarness
from tests.support.line_events import (
    SIGNATURE_HEADER,
    body_of,
    new_event_id,
    new_user_id,
    sign,
    text_event,
)

pytestmark = pytest.mark.db


def _count(harness: LineHarness, event_id: str) -> int:
    sql = "SELECT count(*) FROM webhook_event WHERE webhook_event_id = :id"
    return int(harness.scalar(sql, id=event_id))


def test_oversized_signed_body_is_refused_and_nothing_stored(harness: LineHarness) -> None:
    event = text_event(new_user_id(), "あ" * 400_000)  # about 1.2 MB of UTF-8
    body = body_of([event])
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(body, harness.settings.line_channel_secret),
    }

    answer = harness.client.post(f"{harness.url}/line/webhook", content=body, headers=headers)

    assert answer.status_code == 413 and answer.json()["error"] == "too_large"
    assert _count(harness, event["webhookEventId"]) == 0


def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(
    harness: LineHarness,
) -> None:
    parts = urlsplit(harness.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.putrequest("POST", "/line/webhook")
    conn.putheader("Content-Type", "application/json")
    conn.putheader(SIGNATURE_HEADER, "c2lnbmF0dXJl")
    conn.putheader("Content-Length", str(50 * 1024 * 1024))
    conn.endheaders()  # no body follows: the answer must not wait for one
    answer = conn.getresponse()
    status = answer.status
    conn.close()
    assert status == 413


def test_an_unknown_event_type_is_stored_processed_and_not_answered(
    harness: LineHarness,
) -> None:
    user = new_user_id()
    reply_token = "0f3779fba3b349968c5d07db31eab56f"
    event: dict[str, object] = {
        "type": "membershipRenewed",  # a type this code has never heard of
        "mode": "active",
        "timestamp": 1_700_000_000_000,
        "source": {"type": "user", "userId": user},
        "webhookEventId": new_event_id(),
        "deliveryContext": {"isRedelivery": False},
        "replyToken": reply_token,
        "membership": {"plan": "gold"},
    }

    assert harness.post([event]).status_code == 200
    harness.process()

    [row] = harness.rows(
        "SELECT event_type, payload, processed_at, last_error FROM webhook_event "
        "WHERE webhook_event_id = :id",
        id=event["webhookEventId"],
    )
    assert row.event_type == "membershipRenewed" and row.payload["membership"] == {"plan": "gold"}
    assert row.processed_at is not None and row.last_error is None
    outbox = harness.scalar(
        "SELECT count(*) FROM outbox_message WHERE to_line_user_id = :u", u=user
    )
    assert outbox == 0
    assert harness.replies_to(reply_token) == []
