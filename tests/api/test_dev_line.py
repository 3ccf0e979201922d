"""The dev LINE simulator's server side: signed events to our webhook, the in-app fake LINE API.

The real line-bot-sdk (the worker's sender and content fetcher, ``setup_richmenu``) talks to
the app's own ``/dev/line-api`` here, as it does under ``make run`` in dev mode.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
)
from sqlalchemy import Engine, text

from api.app import create_app
from api.line.events import to_dialogue_event
from api.line.model import PostbackEvent
from api.line.processor import process_pending_events
from api.line.richmenu import render_richmenu_png, richmenu_definition, setup_richmenu
from machi.settings import Settings
from tests.support.line_events import jpeg_with_gps, new_user_id
from tests.support.live_server import live_server
from tests.support.resident_web import web_rows_removed_afterwards
from workflow.line.content import ContentFetchError, LineContentFetcher
from workflow.line.delivery import Outcome
from workflow.line.dispatcher import dispatch_due
from workflow.line.outbox import OutgoingMessage
from workflow.line.sender import LineSender, make_configuration

pytestmark = pytest.mark.db
TOKEN = "sim-access-token"
RETRY_KEY = "0b6c8f6e-2c52-4a7f-9d5e-4f7d1b2a3c4d"


def utc_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


@pytest.fixture(scope="module")
def dev_settings(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return test_settings.model_copy(
        update={
            "env": "dev",
            "line_channel_secret": "sim-channel-secret",
            "line_channel_access_token": TOKEN,
            "media_dir": tmp_path_factory.mktemp("media"),
        }
    )


@pytest.fixture(scope="module")
def url(dev_settings: Settings, engine: Engine) -> Iterator[str]:
    with web_rows_removed_afterwards(engine), live_server(create_app(dev_settings)) as base:
        yield base


@pytest.fixture()
def sim(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=20) as client:
        page = client.get("/dev/line")
        token = re.search(r'data-csrf="([^"]+)"', page.text)
        assert page.status_code == 200 and token
        client.headers["X-CSRF-Token"] = token.group(1)
        yield client


def _worker_settings(dev_settings: Settings, url: str) -> Settings:
    return dev_settings.model_copy(update={"line_api_base": f"{url}/dev/line-api"})


def _run_worker_once(engine: Engine, settings: Settings) -> None:
    """What the worker does for an event: process it, then send what it queued."""
    process_pending_events(engine, settings, utc_now)
    sender = LineSender(make_configuration(TOKEN, settings.line_api_base))
    while dispatch_due(engine, sender, utc_now, settings.municipality_id):
        pass
    sender.close()


def _stored(engine: Engine, event_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT event_type, line_user_id, payload FROM webhook_event "
                "WHERE webhook_event_id = :id"
            ),
            {"id": event_id},
        ).first()


def _bot_messages(sim: httpx.Client, user: str) -> list[dict[str, Any]]:
    answer = sim.get("/dev/line/messages", params={"user_id": user}).json()
    return [message for sent in answer["sent"] for message in sent["messages"]]


def test_simulated_events_are_signed_delivered_and_answered(
    sim: httpx.Client, dev_settings: Settings, url: str, engine: Engine
) -> None:
    user = new_user_id()

    answer = sim.post(
        "/dev/line/events", json={"user_id": user, "type": "postback", "data": "flow=road"}
    )

    body = answer.json()
    assert answer.status_code == 200 and body["ok"] is True and body["webhook_status"] == 200
    stored = _stored(engine, body["event"]["webhookEventId"])
    assert (stored.event_type, stored.line_user_id) == ("postback", user)
    assert stored.payload["postback"] == {"data": "flow=road"}
    _run_worker_once(engine, _worker_settings(dev_settings, url))
    [reply] = _bot_messages(sim, user)
    labels = [item["action"]["label"] for item in reply["quickReply"]["items"]]
    assert "道路の穴・陥没" in labels and "やめる" in labels
    assert _bot_messages(sim, new_user_id()) == []  # another user sees nothing of it


def test_text_and_location_become_message_events(sim: httpx.Client, engine: Engine) -> None:
    user = new_user_id()
    text_answer = sim.post(
        "/dev/line/events", json={"user_id": user, "type": "text", "text": "こんにちは"}
    )
    spot = {
        "user_id": user,
        "type": "location",
        "lat": 35.698,
        "lon": 139.4075,
        "address": "立川市",
    }
    location_answer = sim.post("/dev/line/events", json=spot)

    said = _stored(engine, text_answer.json()["event"]["webhookEventId"])
    where = _stored(engine, location_answer.json()["event"]["webhookEventId"])
    assert said.event_type == where.event_type == "message"
    assert said.payload["message"]["text"] == "こんにちは"
    assert (where.payload["message"]["latitude"], where.payload["message"]["longitude"]) == (
        35.698,
        139.4075,
    )


def test_date_picker_postback_carries_the_date_beside_the_data(
    sim: httpx.Client, engine: Engine
) -> None:
    picked = {"user_id": new_user_id(), "type": "postback", "data": "a=day"}

    answer = sim.post("/dev/line/events", json={**picked, "params": {"date": "2026-12-25"}})

    body = answer.json()
    assert answer.status_code == 200 and body["webhook_status"] == 200  # signed as LINE signs
    stored = _stored(engine, body["event"]["webhookEventId"]).payload
    assert stored["postback"] == {"data": "a=day", "params": {"date": "2026-12-25"}}
    assert to_dialogue_event(stored) == PostbackEvent("a=day", "2026-12-25")


@pytest.mark.parametrize(
    "change",
    [
        {"params": {"date": "2026/12/25"}},
        {"params": {"date": "２０２６-１２-２５"}},
        {"params": {"date": "2026-12-25", "time": "09:30"}},
        {"params": {}},
        {"type": "text", "text": "x", "params": {"date": "2026-12-25"}},
    ],
)
def test_malformed_picker_values_are_refused(sim: httpx.Client, change: dict[str, Any]) -> None:
    event = {"user_id": new_user_id(), "type": "postback", "data": "a=day", **change}

    answer = sim.post("/dev/line/events", json=event)

    assert answer.status_code == 422
    assert _bot_messages(sim, event["user_id"]) == []


def test_simulator_refuses_without_its_token_and_with_bad_input(
    url: str, sim: httpx.Client
) -> None:
    user = new_user_id()
    with httpx.Client(base_url=url) as stranger:
        forged = stranger.post(
            "/dev/line/events", json={"user_id": user, "type": "text", "text": "x"}
        )
    bad_user = sim.post("/dev/line/events", json={"user_id": "U123", "type": "text", "text": "x"})
    no_point = sim.post("/dev/line/events", json={"user_id": user, "type": "location"})
    assert forged.status_code == 403
    assert bad_user.status_code == no_point.status_code == 422


def test_uploaded_image_is_downloaded_by_the_real_sdk(
    sim: httpx.Client, url: str, engine: Engine
) -> None:
    photo = jpeg_with_gps()
    answer = sim.post(
        "/dev/line/images",
        data={"user_id": new_user_id()},
        files={"image": ("p.jpg", photo, "image/jpeg")},
    )

    event = answer.json()["event"]
    assert answer.json()["webhook_status"] == 200 and event["message"]["type"] == "image"
    fetch = LineContentFetcher(make_configuration(TOKEN, f"{url}/dev/line-api"))
    content = fetch(event["message"]["id"])
    assert content.data == photo and content.content_type == "image/jpeg"
    with pytest.raises(ContentFetchError) as missing:
        fetch("999")
    assert missing.value.retryable is False
    with pytest.raises(ContentFetchError) as refused:
        LineContentFetcher(make_configuration("wrong-token", f"{url}/dev/line-api"))(
            event["message"]["id"]
        )
    assert "401" in str(refused.value)


def test_fake_api_answers_like_line(url: str, sim: httpx.Client) -> None:
    user = new_user_id()
    sent = sim.post("/dev/line/events", json={"user_id": user, "type": "text", "text": "x"}).json()
    token = sent["event"]["replyToken"]
    configuration = make_configuration(TOKEN, f"{url}/dev/line-api")
    with ApiClient(configuration) as client:
        api = MessagingApi(client)
        hello = [{"type": "text", "text": "こんにちは"}]
        api.reply_message(ReplyMessageRequest.from_dict({"replyToken": token, "messages": hello}))
        with pytest.raises(ApiException) as reused:
            api.reply_message(
                ReplyMessageRequest.from_dict({"replyToken": token, "messages": hello})
            )
        push = PushMessageRequest.from_dict({"to": user, "messages": hello})
        api.push_message(push, x_line_retry_key=RETRY_KEY)
        with pytest.raises(ApiException) as again:
            api.push_message(push, x_line_retry_key=RETRY_KEY)
    assert reused.value.status == 400 and again.value.status == 409
    retry = OutgoingMessage(1, 13202, RETRY_KEY, user, None, hello, 1)
    assert LineSender(configuration)(retry).outcome is Outcome.ALREADY_ACCEPTED  # 409
    assert [m["text"] for m in _bot_messages(sim, user)] == ["こんにちは", "こんにちは"]
    unauthorised = httpx.post(
        f"{url}/dev/line-api/v2/bot/message/push", json={"to": user, "messages": hello}
    )
    assert unauthorised.status_code == 401


def test_setup_richmenu_lands_in_the_fake_and_the_simulator_shows_it(
    url: str, sim: httpx.Client
) -> None:
    before = sim.get("/dev/line/richmenu").json()
    assert before["definition"]["areas"] == richmenu_definition()["areas"]

    menu_id = setup_richmenu(make_configuration(TOKEN, f"{url}/dev/line-api"))

    after = sim.get("/dev/line/richmenu").json()
    assert after["source"] == "setup" and menu_id.startswith("richmenu-")
    assert after["definition"]["areas"] == richmenu_definition()["areas"]
    postbacks = {area["action"]["data"] for area in after["definition"]["areas"]}
    assert postbacks >= {"flow=road", "my=reports"}
    assert sim.get("/dev/line/richmenu.png").content == render_richmenu_png()


def test_nothing_of_it_exists_outside_dev(test_settings: Settings) -> None:
    assert test_settings.env == "test"
    with live_server(create_app(test_settings)) as base:
        paths = ["/dev/line", "/dev/line/messages?user_id=U" + "0" * 32]
        gets = [httpx.get(base + path).status_code for path in paths]
        posts = [
            httpx.post(base + path, json={}).status_code
            for path in ("/dev/line/events", "/dev/line-api/v2/bot/message/push")
        ]
        index = httpx.get(base + "/").text
    assert gets == [404, 404] and posts == [404, 404]
    assert "/dev/line" not in index and "/r/" in index
