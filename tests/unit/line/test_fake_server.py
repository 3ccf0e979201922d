"""The fake LINE server, driven by the real line-bot-sdk v3 over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    Message,
    MessagingApi,
    MessagingApiBlob,
    MulticastRequest,
    PostbackAction,
    PushMessageRequest,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    TextMessage,
)

from api.line import messages
from tests.fakes.line_server import FakeLineServer

USER = "U4af4980629a1b2c3d4e5f60718293a4b"


@pytest.fixture
def line() -> Iterator[FakeLineServer]:
    with FakeLineServer() as server:
        yield server


@pytest.fixture
def client(line: FakeLineServer) -> Iterator[ApiClient]:
    with ApiClient(Configuration(host=line.base_url, access_token=line.token)) as api_client:
        yield api_client


def _push(client: ApiClient, text: str, retry_key: str | None = None) -> None:
    request = PushMessageRequest(to=USER, messages=[TextMessage(text=text)])
    MessagingApi(client).push_message(request, x_line_retry_key=retry_key)


def test_push_is_recorded_with_its_retry_key_and_body(
    line: FakeLineServer, client: ApiClient
) -> None:
    key = str(uuid.uuid4())
    response = MessagingApi(client).push_message(
        PushMessageRequest(to=USER, messages=[TextMessage(text="作業を始めました")]),
        x_line_retry_key=key,
    )
    assert len(response.sent_messages) == 1
    [push] = line.pushes(to=USER)
    assert push.retry_key == key
    assert push.headers["authorization"] == f"Bearer {line.token}"
    assert push.json == {
        "to": USER,
        "messages": [{"type": "text", "text": "作業を始めました"}],
        "notificationDisabled": False,
    }
    assert line.pushes(to="Uother") == []


def test_a_repeated_retry_key_is_refused_with_409_like_line(
    line: FakeLineServer, client: ApiClient
) -> None:
    key = str(uuid.uuid4())
    _push(client, "一回目", key)
    with pytest.raises(ApiException) as refused:
        _push(client, "二回目", key)
    assert refused.value.status == 409
    assert refused.value.headers["x-line-accepted-request-id"]
    assert [p.json["messages"][0]["text"] for p in line.pushes(to=USER)] == ["一回目"]
    assert len(line.pushes(to=USER, delivered_only=False)) == 2


def test_injected_failures_then_success(line: FakeLineServer, client: ApiClient) -> None:
    line.fail_next("/v2/bot/message/push", 500, count=2)
    key = str(uuid.uuid4())
    statuses = []
    for _ in range(3):
        try:
            _push(client, "完了しました", key)
            statuses.append(200)
        except ApiException as error:
            statuses.append(error.status)
    assert statuses == [500, 500, 200]
    assert len(line.pushes(to=USER)) == 1
    assert [r.status for r in line.pushes(to=USER, delivered_only=False)] == [500, 500, 200]


def test_lost_response_then_retry_gets_409(line: FakeLineServer, client: ApiClient) -> None:
    line.fail_next("/v2/bot/message/push", 504, process=True)
    key = str(uuid.uuid4())
    with pytest.raises(ApiException) as lost:
        _push(client, "受付しました", key)
    assert lost.value.status == 504
    with pytest.raises(ApiException) as retried:
        _push(client, "受付しました", key)
    assert retried.value.status == 409
    assert len(line.pushes(to=USER)) == 1


def test_wrong_token_is_401(line: FakeLineServer) -> None:
    config = Configuration(host=line.base_url, access_token="not-the-token")
    with ApiClient(config) as bad_client, pytest.raises(ApiException) as refused:
        _push(bad_client, "x")
    assert refused.value.status == 401
    assert line.pushes() == []


def test_reply_token_works_once_and_our_flex_messages_go_through_the_sdk(
    line: FakeLineServer, client: ApiClient
) -> None:
    receipt = messages.build_receipt("R2026-000001", "道路の穴・段差", "立川市錦町1-1", "受付")
    request = ReplyMessageRequest(reply_token="rt-1", messages=[Message.from_dict(receipt)])
    MessagingApi(client).reply_message(request)
    [reply] = line.replies()
    assert reply.json["replyToken"] == "rt-1"
    assert reply.json["messages"] == [receipt]
    with pytest.raises(ApiException) as reused:
        MessagingApi(client).reply_message(request)
    assert reused.value.status == 400


def test_multicast_is_recorded(line: FakeLineServer, client: ApiClient) -> None:
    request = MulticastRequest(to=[USER, "U2"], messages=[TextMessage(text="避難所を開設しました")])
    MessagingApi(client).multicast(request, x_line_retry_key=str(uuid.uuid4()))
    [multicast] = line.multicasts()
    assert multicast.json["to"] == [USER, "U2"]


def test_message_content_is_served_from_the_data_host(
    line: FakeLineServer, client: ApiClient
) -> None:
    line.add_content("4711", b"\xff\xd8\xff\xe0fake-jpeg", "image/jpeg")
    blob = MessagingApiBlob(client)
    assert bytes(blob.get_message_content("4711")) == b"\xff\xd8\xff\xe0fake-jpeg"
    with pytest.raises(ApiException) as missing:
        blob.get_message_content("4712")
    assert missing.value.status == 404
    assert [r.path for r in line.requests] == [
        "/v2/bot/message/4711/content",
        "/v2/bot/message/4712/content",
    ]


def test_profile(line: FakeLineServer, client: ApiClient) -> None:
    line.add_profile(USER, "立川 花子", language="ja")
    profile = MessagingApi(client).get_profile(USER)
    assert (profile.display_name, profile.language) == ("立川 花子", "ja")
    with pytest.raises(ApiException) as unknown:
        MessagingApi(client).get_profile("Unobody")
    assert unknown.value.status == 404


def test_rich_menu_setup(line: FakeLineServer, client: ApiClient) -> None:
    api = MessagingApi(client)
    area = RichMenuArea(
        bounds=RichMenuBounds(x=0, y=0, width=833, height=843),
        action=PostbackAction(label="道路・施設の損傷", data="flow=road"),
    )
    menu = RichMenuRequest(
        size=RichMenuSize(width=2500, height=843),
        selected=True,
        name="machi-main",
        chat_bar_text="メニュー",
        areas=[area],
    )
    rich_menu_id = api.create_rich_menu(menu).rich_menu_id
    png = b"\x89PNG\r\n\x1a\nfake"
    MessagingApiBlob(client).set_rich_menu_image(
        rich_menu_id, png, _headers={"Content-Type": "image/png"}
    )
    api.set_default_rich_menu(rich_menu_id)
    [listed] = api.get_rich_menu_list().richmenus
    assert listed.rich_menu_id == rich_menu_id and listed.areas[0].action.data == "flow=road"
    assert line.state.rich_menu_images[rich_menu_id] == (png, "image/png")
    assert line.state.default_rich_menu_id == rich_menu_id
    with pytest.raises(ApiException) as unknown:
        api.set_default_rich_menu("richmenu-unknown")
    assert unknown.value.status == 404
