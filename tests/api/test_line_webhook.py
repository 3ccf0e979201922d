"""``POST /line/webhook`` on the real server: signature first, every event stored once, 200 fast."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
import pytest

from api.app import create_app
from machi.settings import Settings
from tests.api.conftest import LineHarness
from tests.conftest import free_port
from tests.support.line_events import (
    SIGNATURE_HEADER,
    body_of,
    follow_event,
    new_event_id,
    new_user_id,
    postback_event,
    sign,
    text_event,
    unfollow_event,
)
from tests.support.shared import LINE_WEBHOOK_FIXTURE

pytestmark = pytest.mark.db

FIXTURE = LINE_WEBHOOK_FIXTURE


def _count_events(harness: LineHarness, event_ids: list[str]) -> int:
    return int(
        harness.scalar(
            "SELECT count(*) FROM webhook_event WHERE webhook_event_id = ANY(:ids)", ids=event_ids
        )
    )


def _sdk_fixture_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["events"]
    for event in events:
        event["webhookEventId"] = new_event_id()
    return events


def test_line_sdk_fixture_is_stored_whole_and_processed_without_errors(
    harness: LineHarness,
) -> None:
    events = _sdk_fixture_events()
    ids = [event["webhookEventId"] for event in events]

    response = harness.post(events)

    assert response.status_code == 200
    assert _count_events(harness, ids) == 28
    redelivered = harness.scalar(
        "SELECT count(*) FROM webhook_event WHERE webhook_event_id = ANY(:ids) AND is_redelivery",
        ids=ids,
    )
    assert redelivered == 2
    harness.process()
    rows = harness.rows(
        "SELECT event_type, processed_at, last_error FROM webhook_event "
        "WHERE webhook_event_id = ANY(:ids)",
        ids=ids,
    )
    assert all(row.processed_at is not None and row.last_error is None for row in rows), rows
    assert {row.event_type for row in rows} >= {"message", "follow", "unfollow", "undefined"}


def test_forged_signature_is_refused_and_nothing_stored(harness: LineHarness) -> None:
    event = text_event(new_user_id(), "こんにちは")
    forged = sign(body_of([event]), "not-the-channel-secret")

    response = harness.post([event], signature=forged)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_signature"
    assert _count_events(harness, [event["webhookEventId"]]) == 0


def test_missing_signature_is_refused(harness: LineHarness) -> None:
    event = text_event(new_user_id(), "こんにちは")

    response = harness.post([event], signature=None)

    assert response.status_code == 400
    assert _count_events(harness, [event["webhookEventId"]]) == 0


def test_signature_of_another_body_is_refused(harness: LineHarness) -> None:
    event = text_event(new_user_id(), "こんにちは")
    other = sign(body_of([text_event(new_user_id(), "別の本文")]), "test-channel-secret")

    assert harness.post([event], signature=other).status_code == 400
    assert _count_events(harness, [event["webhookEventId"]]) == 0


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"events": [{"type": "message"}]}'])
def test_signed_body_that_is_not_a_webhook_is_refused(harness: LineHarness, body: bytes) -> None:
    headers = {"X-Line-Signature": sign(body, harness.settings.line_channel_secret)}

    response = harness.client.post(f"{harness.url}/line/webhook", content=body, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_body"


def test_verification_request_without_events_is_answered(harness: LineHarness) -> None:
    assert harness.post([]).status_code == 200


def test_duplicate_event_is_stored_once_and_answered_once(harness: LineHarness) -> None:
    user = new_user_id()
    event = postback_event(user, "flow=road")

    assert harness.post([event]).status_code == 200
    assert harness.post([event, event]).status_code == 200
    harness.process()

    assert _count_events(harness, [event["webhookEventId"]]) == 1
    outbox = harness.scalar(
        "SELECT count(*) FROM outbox_message WHERE to_line_user_id = :u", u=user
    )
    assert outbox == 1
    assert len(harness.line.replies()) >= 1
    assert len(harness.replies_to(event["replyToken"])) == 1
    assert harness.line.pushes(to=user) == []


def test_redelivered_event_is_processed_once(harness: LineHarness) -> None:
    user = new_user_id()
    event = postback_event(user, "flow=road")
    redelivery = copy.deepcopy(event)
    redelivery["deliveryContext"]["isRedelivery"] = True

    harness.post([event])
    harness.process()
    assert harness.post([redelivery]).status_code == 200
    harness.process()

    processed = harness.rows(
        "SELECT is_redelivery, attempts FROM webhook_event WHERE webhook_event_id = :id",
        id=event["webhookEventId"],
    )
    assert [(row.is_redelivery, row.attempts) for row in processed] == [(False, 1)]
    sent = harness.line.pushes(to=user) + [
        r for r in harness.line.replies() if r.json["replyToken"] == event["replyToken"]
    ]
    assert len(sent) == 1


def test_redelivery_arriving_first_is_kept_as_redelivery(harness: LineHarness) -> None:
    user = new_user_id()
    event = text_event(user, "こんにちは")
    event["deliveryContext"]["isRedelivery"] = True

    harness.post([event])

    stored = harness.scalar(
        "SELECT is_redelivery FROM webhook_event WHERE webhook_event_id = :id",
        id=event["webhookEventId"],
    )
    assert stored is True


def test_follow_and_unfollow_keep_the_resident_current(harness: LineHarness) -> None:
    user = new_user_id()

    harness.send(follow_event(user))
    following = harness.scalar("SELECT following FROM resident WHERE line_user_id = :u", u=user)
    harness.post([unfollow_event(user)])
    harness.process()

    resident = harness.rows(
        "SELECT following, followed_at, unfollowed_at FROM resident WHERE line_user_id = :u",
        u=user,
    )
    assert following is True
    assert len(resident) == 1
    assert resident[0].following is False
    assert resident[0].followed_at is not None and resident[0].unfollowed_at is not None


def test_group_messages_are_stored_but_not_answered(harness: LineHarness) -> None:
    user = new_user_id()
    event = text_event(user, "やめる")
    event["source"] = {"type": "group", "groupId": "C" + user[1:], "userId": user}

    harness.post([event])
    harness.process()

    processed = harness.scalar(
        "SELECT processed_at IS NOT NULL FROM webhook_event WHERE webhook_event_id = :id",
        id=event["webhookEventId"],
    )
    assert processed is True
    assert harness.replies_to(event["replyToken"]) == []
    assert harness.scalar("SELECT count(*) FROM resident WHERE line_user_id = :u", u=user) == 0


def test_without_lifespan_the_webhook_stores_through_the_engine(
    harness: LineHarness, line_settings: Settings
) -> None:
    app = create_app(line_settings)  # ASGITransport runs no lifespan: no async pool
    event = text_event(new_user_id(), "こんにちは")
    body = body_of([event])
    headers = {SIGNATURE_HEADER: sign(body, line_settings.line_channel_secret)}

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://machi.test") as client:
            return await client.post("/line/webhook", content=body, headers=headers)

    assert asyncio.run(post()).status_code == 200
    assert _count_events(harness, [event["webhookEventId"]]) == 1


def test_a_webhook_whose_channel_secret_cannot_be_read_answers_503(
    line_settings: Settings,
) -> None:
    """The database is down before the town's secret was ever read: 503, LINE redelivers."""
    down = f"postgresql+psycopg://machi_app@127.0.0.1:{free_port()}/machi"
    app = create_app(line_settings.model_copy(update={"database_url": down}))
    body = body_of([text_event(new_user_id(), "こんにちは")])
    headers = {SIGNATURE_HEADER: sign(body, line_settings.line_channel_secret)}

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://machi.test") as client:
            return await client.post("/line/webhook", content=body, headers=headers)

    answer = asyncio.run(post())
    assert answer.status_code == 503
    assert answer.json()["error"] == "unavailable"
